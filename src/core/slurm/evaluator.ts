// The SLURM evaluator: each batch (one generation, all niches) becomes one job array; every task runs the
// user's per-candidate command on a compute node with the candidate's spec on stdin (the external evaluator's
// contract), and its result lands in the run folder as jobs/<array>/<task>.json with stdout/stderr tails.
//
// Durability: the array is submitted held, its id is written to jobs/ledger.jsonl, then it is released — so
// the id is on disk before the first poll and before anything runs. Stop/Ctrl-C cancels exactly the tasks this
// run submitted (scancel <array>_<task>). A resumed run reads the ledger: tasks still queued or running are
// polled again, finished ones are collected from their files; a candidate the ledger knows is never submitted
// twice, except after a transient failure (bounded requeue).

import fs from 'node:fs';
import path from 'node:path';
import type { Evaluator } from '../evaluator.js';
import type { LogFn } from '../external/evaluator.js';
import { writeFileAtomic, writeJsonAtomic } from '../fsutil.js';
import type { SearchSpace } from '../space.js';
import {
  BatchingEvaluator,
  RESULT_FORMAT,
  requiredMetrics,
  TRANSIENT,
  type BatchBackend,
  type BatchItem,
  type BatchOutcome,
  type JobEvent,
  type JobState,
  type JobSummary,
  type RunContext,
} from '../batch/contract.js';
import {
  LIVE_STATES,
  Slurm,
  sbatchArgs,
  taskScript,
  type Exec,
  type SlurmOptions,
  type TaskRow,
} from './sbatch.js';
import {
  classify,
  evidence,
  Ledger,
  type FinalRecord,
  type FinalStatus,
  type IntentRecord,
} from './state.js';

interface Task<A> {
  array: string;
  task: number;
  id: string;
  attempt: number;
  /** The candidate waiting for this task (none for a task reattached on resume until the search asks). */
  item?: BatchItem<A>;
  done?: (item: BatchItem<A>, outcome: BatchOutcome) => void;
  state: JobState;
  slurmState: string;
  /** This run asked the scheduler to cancel it. */
  cancelled: boolean;
  submittedAt: number;
  finalizing: boolean;
}

const key = (array: string, task: number): string => `${array}_${task}`;

export interface SlurmBackendOptions {
  options: SlurmOptions;
  /** Metrics the command must report. */
  required: readonly string[];
  exec?: Exec;
  log?: LogFn;
}

export class SlurmBackend<A> implements BatchBackend<A> {
  readonly id = 'slurm';
  readonly label: string;
  private readonly slurm: Slurm;
  private readonly o: SlurmOptions;
  private ctx: RunContext | undefined;
  private ledger: Ledger | undefined;
  private seq = 1;
  /** Live tasks by "<array>_<task>". */
  private readonly live = new Map<string, Task<A>>();
  /** The latest ledger word per candidate id (resume): a live task key or a final record. */
  private readonly known = new Map<string, { live: string } | { final: FinalRecord }>();
  private pollTimer: NodeJS.Timeout | undefined;
  private polling: Promise<void> | undefined;
  private detached = false;
  private readonly cancelQueue = new Set<string>();
  private cancelling: Promise<void> = Promise.resolve();
  private lastSummary = '';
  private lastPollError = '';
  private counts = { done: 0, failed: 0 };
  /** Submissions made by this process (tests and measurements read them). */
  readonly submissions: { array: string; tasks: number; submittedAt: number; releasedAt: number }[] = [];

  constructor(private readonly b: SlurmBackendOptions) {
    this.o = b.options;
    this.slurm = new Slurm(b.exec);
    this.label = `accuracy reported by "${b.options.command}" (SLURM job arrays)`;
  }

  private get log(): LogFn {
    return this.ctx?.log ?? this.b.log ?? ((l) => process.stderr.write(`[slurm] ${l}\n`));
  }

  private get jobsDir(): string {
    if (!this.ledger) throw new Error('the SLURM evaluator is not bound to a run folder');
    return this.ledger.jobsDir;
  }

  private event(e: Omit<JobEvent, 'type' | 'backend'>): void {
    this.ctx?.event({ type: 'job/state', backend: 'slurm', ...e });
  }

  private summary(): void {
    let queued = 0;
    let running = 0;
    for (const t of this.live.values())
      if (!t.cancelled) {
        if (t.state === 'running') running++;
        else queued++;
      }
    const s: JobSummary = { type: 'job/summary', backend: 'slurm', queued, running, ...this.counts };
    const k = JSON.stringify(s);
    if (k === this.lastSummary) return;
    this.lastSummary = k;
    this.ctx?.event(s);
  }

  async attachRun(ctx: RunContext): Promise<void> {
    this.ctx = ctx;
    this.detached = false;
    this.ledger = new Ledger(path.join(ctx.dir, 'jobs'));
    fs.mkdirSync(this.jobsDir, { recursive: true });
    writeFileAtomic(path.join(this.jobsDir, 'task.sh'), taskScript(this.jobsDir, this.o.command));
    fs.chmodSync(path.join(this.jobsDir, 'task.sh'), 0o755);
    const records = this.ledger.read();
    this.seq = this.ledger.nextSeq(records);
    if (!records.length) return;
    // replay the ledger: which arrays were submitted, which tasks ended how
    const intents = new Map<number, IntentRecord>();
    const submitted = new Map<number, string>();
    const finals = new Map<string, FinalRecord>();
    const voided = new Set<number>();
    for (const r of records) {
      if (r.t === 'intent') intents.set(r.seq, r);
      else if (r.t === 'submitted') submitted.set(r.seq, r.array);
      else if (r.t === 'final') finals.set(key(r.array, r.task), r);
      else voided.add(r.seq);
    }
    // a submission interrupted between sbatch and its record: find it by name, adopt it (it is still held)
    for (const [seq, intent] of intents) {
      if (submitted.has(seq) || voided.has(seq)) continue;
      let found: string[] = [];
      try {
        found = await this.slurm.arraysNamed(intent.name);
      } catch (e) {
        this.log(`cannot look up interrupted submission ${intent.name}: ${(e as Error).message}`);
      }
      const pending = path.join(this.jobsDir, `pending-${seq}`);
      if (found.length) {
        const array = found[0]!;
        if (fs.existsSync(pending)) fs.renameSync(pending, path.join(this.jobsDir, array));
        this.ledger.append({ t: 'submitted', seq, array, at: new Date().toISOString() });
        submitted.set(seq, array);
        this.log(`adopted array ${array} (${intent.name}), submitted before the previous process ended`);
      } else {
        this.ledger.append({ t: 'void', seq, at: new Date().toISOString() });
        fs.rmSync(pending, { recursive: true, force: true });
      }
    }
    const toRelease: string[] = [];
    for (const [seq, array] of submitted) {
      const intent = intents.get(seq);
      if (!intent) continue;
      let anyLive = false;
      for (const t of intent.tasks) {
        const k = key(array, t.task);
        const f = finals.get(k);
        if (f) {
          this.known.set(t.id, { final: f });
          continue;
        }
        anyLive = true;
        this.live.set(k, {
          array,
          task: t.task,
          id: t.id,
          attempt: t.attempt,
          state: 'queued',
          slurmState: 'UNKNOWN',
          cancelled: false,
          submittedAt: Date.parse(intent.at),
          finalizing: false,
        });
        this.known.set(t.id, { live: k });
      }
      if (anyLive) toRelease.push(array);
    }
    // an array recorded but not yet released when the previous process died
    for (const a of toRelease)
      await this.slurm.release(a).catch((e: unknown) => this.log(`release ${a}: ${(e as Error).message}`));
    if (this.live.size) {
      this.log(
        `reattached to ${this.live.size} task(s) of array(s) ${[...new Set([...this.live.values()].map((t) => t.array))].join(', ')}`,
      );
      this.startPolling();
    }
  }

  async detachRun(): Promise<void> {
    // tasks nobody is waiting for any more (the run ended or stopped) are this run's: cancel them
    for (const [k, t] of this.live)
      if (!t.cancelled && (!t.item || t.item.signal.aborted)) this.requestCancel(k);
    await this.flushCancels();
    // let squeue confirm the cancellations so the ledger records them (bounded)
    const until = Date.now() + 15_000;
    while ([...this.live.values()].some((t) => t.cancelled) && Date.now() < until) {
      await this.pollOnce();
      if ([...this.live.values()].some((t) => t.cancelled)) await new Promise((r) => setTimeout(r, 300));
    }
    this.detached = true;
    if (this.pollTimer) clearTimeout(this.pollTimer);
    this.pollTimer = undefined;
    await this.polling;
    this.summary();
  }

  async run(items: BatchItem<A>[], done: (item: BatchItem<A>, outcome: BatchOutcome) => void): Promise<void> {
    const fresh: BatchItem<A>[] = [];
    const waits: Promise<void>[] = [];
    for (const item of items) {
      const k = this.known.get(item.id);
      if (k && 'live' in k && this.live.has(k.live)) {
        // resumed: the candidate's job is still queued or running — wait for it, do not resubmit
        waits.push(this.attach(this.live.get(k.live)!, item, done));
        continue;
      }
      if (k && 'final' in k && k.final.status !== 'cancelled' && k.final.attempt >= item.attempt) {
        this.known.delete(item.id);
        done(item, this.recorded(k.final));
        continue;
      }
      fresh.push(item);
    }
    if (fresh.length) waits.push(this.submit(fresh, done));
    await Promise.all(waits);
  }

  /** A finished task's outcome as the run folder recorded it. */
  private recorded(f: FinalRecord): BatchOutcome {
    if (f.status === 'done') {
      const r = JSON.parse(fs.readFileSync(path.join(this.jobsDir, f.array, `${f.task}.json`), 'utf8')) as {
        accuracy: number;
        metrics?: Record<string, number>;
        proxies?: Record<string, number>;
      };
      return {
        ok: true,
        response: {
          accuracy: r.accuracy,
          ...(r.metrics ? { metrics: r.metrics } : {}),
          ...(r.proxies ? { proxies: r.proxies } : {}),
        },
      };
    }
    return {
      ok: false,
      kind: f.kind ?? 'exit',
      reason: `${f.reason ?? 'failed'} (job ${key(f.array, f.task)})`,
      attempt: f.attempt,
    };
  }

  private attach(
    t: Task<A>,
    item: BatchItem<A>,
    done: (item: BatchItem<A>, o: BatchOutcome) => void,
  ): Promise<void> {
    return new Promise((resolve) => {
      t.item = item;
      t.done = (i, o) => {
        done(i, o);
        resolve();
      };
      this.log(`${item.id}: waiting for job ${key(t.array, t.task)} submitted before the restart`);
      item.signal.addEventListener('abort', () => this.abortTask(t), { once: true });
      if (item.signal.aborted) this.abortTask(t);
    });
  }

  private async submit(
    all: BatchItem<A>[],
    done: (item: BatchItem<A>, o: BatchOutcome) => void,
  ): Promise<void> {
    if (!this.ledger || !this.ctx) throw new Error('the SLURM evaluator is not bound to a run folder');
    for (const item of all)
      if (item.signal.aborted) done(item, { ok: false, kind: 'backend', reason: 'cancelled' });
    const items = all.filter((i) => !i.signal.aborted);
    if (!items.length) return;
    const seq = this.seq++;
    const name = this.o.jobName ?? `llmnas-${this.ctx.runId.replace(/[^A-Za-z0-9._-]/g, '_')}`;
    const pending = path.join(this.jobsDir, `pending-${seq}`);
    items.forEach((item, task) => writeJsonAtomic(path.join(pending, 'spec', `${task}.json`), item.request));
    // the job name carries the batch number, so a submission cut short before its record can be found again
    const jobName = `${name}-b${seq}`;
    this.ledger.append({
      t: 'intent',
      seq,
      name: jobName,
      tasks: items.map((item, task) => ({ task, id: item.id, attempt: item.attempt })),
      at: new Date().toISOString(),
    });
    const t0 = Date.now();
    let array: string;
    try {
      array = await this.slurm.submit(
        sbatchArgs(this.o, {
          n: items.length,
          name: jobName,
          jobsDir: this.jobsDir,
          script: path.join(this.jobsDir, 'task.sh'),
          cwd: this.o.cwd ?? process.cwd(),
        }),
      );
    } catch (e) {
      this.ledger.append({ t: 'void', seq, at: new Date().toISOString() });
      fs.rmSync(pending, { recursive: true, force: true });
      for (const item of items) done(item, { ok: false, kind: 'submit', reason: (e as Error).message });
      return;
    }
    fs.renameSync(pending, path.join(this.jobsDir, array));
    this.ledger.append({ t: 'submitted', seq, array, at: new Date().toISOString() });
    const waits = items.map(
      (item, task) =>
        new Promise<void>((resolve) => {
          const t: Task<A> = {
            array,
            task,
            id: item.id,
            attempt: item.attempt,
            item,
            done: (i, o) => {
              done(i, o);
              resolve();
            },
            state: 'submitted',
            slurmState: 'PENDING',
            cancelled: false,
            submittedAt: t0,
            finalizing: false,
          };
          this.live.set(key(array, task), t);
          this.known.set(item.id, { live: key(array, task) });
          item.signal.addEventListener('abort', () => this.abortTask(t), { once: true });
        }),
    );
    await this.slurm.release(array).catch((e: unknown) => {
      this.log(`scontrol release ${array}: ${(e as Error).message}`);
    });
    this.submissions.push({ array, tasks: items.length, submittedAt: t0, releasedAt: Date.now() });
    this.log(
      `submitted array ${array} (${jobName}): ${items.length} task(s): ${items.map((i, n) => `${n}=${i.id}`).join(' ')}`,
    );
    for (const [task, item] of items.entries())
      this.event({ id: item.id, state: 'submitted', job: key(array, task), attempt: item.attempt });
    for (const item of items)
      if (item.signal.aborted) this.abortTask(this.live.get(key(array, items.indexOf(item)))!);
    this.summary();
    this.startPolling();
    await Promise.all(waits);
  }

  private abortTask(t: Task<A>): void {
    const k = key(t.array, t.task);
    if (!this.live.has(k) || t.cancelled) return;
    this.requestCancel(k);
    // the candidate is no longer awaited: free its place at once; the ledger records the cancellation
    // when squeue confirms it
    const { item, done } = t;
    t.item = undefined;
    t.done = undefined;
    if (item && done) done(item, { ok: false, kind: 'backend', reason: 'cancelled' });
  }

  private requestCancel(k: string): void {
    const t = this.live.get(k);
    if (!t || t.cancelled) return;
    t.cancelled = true;
    this.cancelQueue.add(k);
    // one scancel for everything cancelled in the same tick (a Stop cancels a whole generation)
    setImmediate(() => void this.flushCancels());
  }

  private flushCancels(): Promise<void> {
    this.cancelling = this.cancelling.then(async () => {
      const ids = [...this.cancelQueue];
      this.cancelQueue.clear();
      if (!ids.length) return;
      try {
        await this.slurm.cancel(ids);
        this.log(`cancelled ${ids.length} task(s) of this run: ${ids.join(' ')}`);
      } catch (e) {
        this.log(`scancel ${ids.join(' ')}: ${(e as Error).message}`);
      }
    });
    return this.cancelling;
  }

  private startPolling(): void {
    if (this.pollTimer || this.detached) return;
    const tick = (): void => {
      this.pollTimer = undefined;
      if (this.detached || !this.live.size) return;
      this.polling = this.pollOnce().finally(() => {
        if (!this.detached && this.live.size) this.pollTimer = setTimeout(tick, this.o.pollMs ?? 2000);
      });
    };
    this.pollTimer = setTimeout(tick, Math.min(this.o.pollMs ?? 2000, 250));
  }

  private async pollOnce(): Promise<void> {
    const arrays = [...new Set([...this.live.values()].map((t) => t.array))];
    if (!arrays.length) return;
    let rows: TaskRow[];
    try {
      rows = await this.slurm.tasks(arrays);
      this.lastPollError = '';
    } catch (e) {
      // the controller restarting or unreachable: keep waiting (Stop still works), say so once
      const msg = (e as Error).message;
      if (msg !== this.lastPollError) this.log(`squeue: ${msg}; will keep asking`);
      this.lastPollError = msg;
      return;
    }
    const byKey = new Map(rows.map((r) => [r.key, r]));
    const finishing: Promise<void>[] = [];
    for (const [k, t] of this.live) {
      if (t.finalizing) continue;
      let row = byKey.get(k) ?? byKey.get(t.array);
      // the batch script has returned and its exit code is on disk: the result is final even while the
      // controller still waits for the node to confirm the clean-up (a slurmd restart can make that a minute)
      const rcFile = path.join(this.jobsDir, t.array, `${t.task}.rc`);
      if (row?.state === 'COMPLETING' && fs.existsSync(rcFile))
        row = { ...row, state: fs.readFileSync(rcFile, 'utf8').trim() === '0' ? 'COMPLETED' : 'FAILED' };
      if (row && LIVE_STATES.has(row.state)) {
        const state: JobState = row.state === 'PENDING' || row.state === 'REQUEUED' ? 'queued' : 'running';
        if (row.state !== t.slurmState) {
          t.slurmState = row.state;
          if (state !== t.state && !t.cancelled) {
            t.state = state;
            this.event({
              id: t.id,
              state,
              job: k,
              attempt: t.attempt,
              ...(row.reason && row.reason !== 'None' ? { reason: row.reason } : {}),
            });
          }
        }
        continue;
      }
      // finished (or forgotten by the controller: then the task's own files are the record)
      t.finalizing = true;
      finishing.push(this.finalize(t, row));
    }
    await Promise.all(finishing);
    this.summary();
  }

  private async finalize(t: Task<A>, row: TaskRow | undefined): Promise<void> {
    const k = key(t.array, t.task);
    const dir = path.join(this.jobsDir, t.array);
    const ev = evidence(dir, t.task, row);
    let status: FinalStatus;
    let outcome: BatchOutcome;
    if (t.cancelled) {
      status = 'cancelled';
      outcome = { ok: false, kind: 'backend', reason: 'cancelled by this run' };
    } else {
      outcome = classify(
        ev,
        { ...(this.o.time ? { time: this.o.time } : {}), ...(this.o.mem ? { mem: this.o.mem } : {}) },
        this.b.required,
      );
      status = outcome.ok ? 'done' : 'failed';
    }
    let started: number | undefined;
    try {
      started = Number(fs.readFileSync(path.join(dir, `${t.task}.started`), 'utf8').trim()) * 1000;
    } catch {
      // never started
    }
    const result = {
      format: RESULT_FORMAT,
      id: t.id,
      attempt: t.attempt,
      status,
      ...(outcome.ok
        ? {
            accuracy: outcome.response.accuracy,
            metrics: outcome.response.metrics ?? {},
            ...(outcome.response.proxies ? { proxies: outcome.response.proxies } : {}),
          }
        : { kind: outcome.kind, reason: outcome.reason }),
      job: {
        id: k,
        array: t.array,
        task: t.task,
        state: ev.state ?? null,
        exitCode: ev.rc ?? (ev.raw !== undefined ? ev.raw >> 8 : null),
        signal: ev.raw !== undefined && ev.raw & 0x7f ? ev.raw & 0x7f : null,
        node: row?.node ?? null,
      },
      submittedAt: new Date(t.submittedAt).toISOString(),
      ...(started ? { startedAt: new Date(started).toISOString() } : {}),
      finishedAt: new Date().toISOString(),
      stdoutTail: ev.stdout.slice(-2000),
      stderrTail: ev.stderrTail,
      slurmLogTail: ev.slurmLogTail,
    };
    writeJsonAtomic(path.join(dir, `${t.task}.json`), result);
    const final: FinalRecord = {
      t: 'final',
      array: t.array,
      task: t.task,
      id: t.id,
      attempt: t.attempt,
      status,
      ...(outcome.ok ? {} : { kind: outcome.kind, reason: outcome.reason }),
      at: new Date().toISOString(),
    };
    this.ledger!.append(final);
    this.live.delete(k);
    const cur = this.known.get(t.id);
    if (cur && 'live' in cur && cur.live === k) this.known.set(t.id, { final });
    if (status === 'cancelled') {
      this.event({ id: t.id, state: 'cancelled', job: k, attempt: t.attempt });
      return;
    }
    if (outcome.ok) this.counts.done++;
    else this.counts.failed++;
    const transient = !outcome.ok && TRANSIENT.has(outcome.kind);
    this.event({
      id: t.id,
      state: outcome.ok ? 'done' : transient ? 'requeued' : 'failed',
      job: k,
      attempt: t.attempt,
      ...(outcome.ok ? {} : { reason: outcome.reason }),
    });
    if (!outcome.ok) this.log(`${t.id} (job ${k}, attempt ${t.attempt}): ${outcome.reason}`);
    // nobody waits yet (a task reattached on resume): the final record stays in `known` for when the search asks
    if (t.item && t.done) {
      const { item, done } = t;
      t.item = undefined;
      t.done = undefined;
      done(
        item,
        outcome.ok ? outcome : { ...outcome, reason: `${outcome.reason} (job ${k})`, attempt: t.attempt },
      );
    }
  }
}

/** The SLURM evaluator: a batching evaluator over the SLURM backend. */
export function slurmEvaluator<A>(o: {
  space: SearchSpace<A>;
  dataset: string;
  metrics: readonly string[];
  options: SlurmOptions;
  hwFallback?: (arch: A) => Promise<Record<string, number>>;
  fallbackMetrics?: readonly string[];
  exec?: Exec;
  log?: LogFn;
}): Evaluator<A> & BatchingEvaluator<A> {
  const backend = new SlurmBackend<A>({
    options: o.options,
    required: requiredMetrics(o.metrics, o.hwFallback, o.fallbackMetrics),
    ...(o.exec ? { exec: o.exec } : {}),
    ...(o.log ? { log: o.log } : {}),
  });
  return new BatchingEvaluator<A>({
    space: o.space,
    dataset: o.dataset,
    metrics: o.metrics,
    backend,
    windowMs: o.options.windowMs ?? 500,
    requeue: o.options.requeue ?? 1,
    ...(o.options.maxInFlight ? { maxInFlight: o.options.maxInFlight } : {}),
    ...(o.hwFallback ? { hwFallback: o.hwFallback, fallbackMetrics: o.fallbackMetrics ?? [] } : {}),
    ...(o.log ? { log: o.log } : {}),
  });
}
