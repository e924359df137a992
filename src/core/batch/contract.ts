// The batch evaluator contract. The search asks for one candidate at a time (Evaluator.evaluate), but all niches
// of a generation ask at once; BatchingEvaluator gathers those concurrent calls into batches (a short collection
// window, or as soon as the in-flight limit is reached) and hands each batch to a backend, which reports every
// candidate's metrics as it finishes. Backends: the per-candidate command (an adapter over ExternalEvaluator), a
// JSON Lines command (specs in, metrics out, one process per batch), and SLURM (one job array per batch, a
// folder of spec and result files). The in-flight limit, cancellation (each candidate's AbortSignal) and a
// bounded requeue of transient failures live here, so they behave the same for every backend.
//
// Wire format (schemas/batch-eval.schema.json): a request line is the per-candidate request
// (llm-nas-eval-request-v1); a result line is {"id", "accuracy", "metrics", "proxies"?} or {"id", "error",
// "rejected"?}; the SLURM backend's result files add the job's state, exit code and output tails
// (llm-nas-eval-result-v1).

import type { Evaluation, EvaluationContext, Evaluator, PredictorInfo } from '../evaluator.js';
import { CandidateFailure } from '../errors.js';
import {
  checkResponse,
  type ExternalRequest,
  type ExternalResponse,
  type LogFn,
} from '../external/evaluator.js';
import type { SearchSpace } from '../space.js';

export const RESULT_FORMAT = 'llm-nas-eval-result-v1';

/** Why a candidate failed; the transient ones are requeued (bounded), the others reported at once. */
export type BatchFailureKind =
  | 'exit' // non-zero exit code
  | 'rejected' // exit code 2, or {"rejected": true}: this candidate cannot be evaluated
  | 'non-json'
  | 'bad-response'
  | 'timeout'
  | 'oom'
  | 'node-fail'
  | 'preempted'
  | 'boot-fail'
  | 'cancelled' // cancelled outside this run (an administrator, another scancel)
  | 'deadline'
  | 'lost' // the scheduler forgot the job and it left no result
  | 'submit' // the batch could not be submitted
  | 'backend';

export const TRANSIENT: ReadonlySet<BatchFailureKind> = new Set([
  'node-fail',
  'preempted',
  'boot-fail',
  'lost',
]);

/** This candidate failed, the run goes on (a CandidateFailure). */
export class BatchEvaluationError extends CandidateFailure {
  constructor(
    readonly kind: BatchFailureKind,
    message: string,
    readonly attempts: number,
  ) {
    super(message);
    this.name = 'BatchEvaluationError';
  }
  get transient(): boolean {
    return TRANSIENT.has(this.kind);
  }
}

/** One candidate handed to a backend. `attempt` counts requeues (1 = first submission). */
export interface BatchItem<A> {
  id: string;
  arch: A;
  request: ExternalRequest;
  attempt: number;
  /** Aborted when the run stops or this candidate is no longer wanted: the backend cancels its work. */
  signal: AbortSignal;
}

export type BatchOutcome =
  | { ok: true; response: ExternalResponse }
  /** `attempt`: the attempt the failure belongs to, when the backend knows better (a job reattached on resume). */
  | { ok: false; kind: BatchFailureKind; reason: string; attempt?: number };

/** Progress of a candidate's job, for the log, the run's events and the editor. */
export type JobState = 'submitted' | 'queued' | 'running' | 'done' | 'failed' | 'requeued' | 'cancelled';

export interface JobEvent {
  type: 'job/state';
  backend: string;
  /** The candidate's spec file id. */
  id: string;
  /** The niche that asked for this candidate (added by BatchingEvaluator when the search passed it). */
  niche?: number;
  state: JobState;
  /** The scheduler's job id (SLURM: "<array>_<task>"), when there is one. */
  job?: string;
  attempt: number;
  reason?: string;
}

/** Totals over this run's candidates at the evaluator, after every change (status bar: "waiting on the cluster"). */
export interface JobSummary {
  type: 'job/summary';
  backend: string;
  queued: number;
  running: number;
  done: number;
  failed: number;
}

export interface RunContext {
  /** The run folder. */
  dir: string;
  runId: string;
  /** True when the run was resumed from its folder (reattach to what is still in flight). */
  resume: boolean;
  event(e: JobEvent | JobSummary): void;
  /** Where the backend's log lines go (default: the evaluator's own log). */
  log?: LogFn;
}

export interface BatchBackend<A> {
  readonly id: string;
  /** Shown as the predictor's unit: where the accuracy comes from. */
  readonly label: string;
  /**
   * Runs one batch. `done` is called exactly once per item, as each finishes; an item whose signal aborts is
   * cancelled and reported with any outcome (it is discarded). Resolves when every item has been reported.
   */
  run(items: BatchItem<A>[], done: (item: BatchItem<A>, outcome: BatchOutcome) => void): Promise<void>;
  /** Binds the backend to the run folder (SLURM: the job ledger; on resume, reattach). */
  attachRun?(ctx: RunContext): Promise<void>;
  /** Waits for cancellations to reach the scheduler and stops polling. */
  detachRun?(): Promise<void>;
}

/** An evaluator that needs the run folder; SearchRun binds it before the search and releases it after. */
export interface RunBound {
  attachRun(ctx: RunContext): Promise<void>;
  detachRun(): Promise<void>;
}

export function isRunBound(x: unknown): x is RunBound {
  return (
    typeof (x as RunBound | undefined)?.attachRun === 'function' &&
    typeof (x as RunBound | undefined)?.detachRun === 'function'
  );
}

export function abortError(): Error {
  const e = new Error('evaluation cancelled');
  e.name = 'AbortError';
  return e;
}

/** Builds the per-candidate request every backend sends (the same object as the external evaluator's). */
export function requestOf<A>(
  space: SearchSpace<A>,
  dataset: string,
  arch: A,
  metrics: readonly string[],
  attempt: number,
): ExternalRequest {
  return {
    format: 'llm-nas-eval-request-v1',
    space: space.id,
    dataset,
    id: space.fileId(arch),
    arch: space.format(arch),
    spec: space.toJSON(arch),
    features: space.features(arch),
    metrics: [...metrics],
    attempt,
  };
}

export interface BatchingOptions<A> {
  space: SearchSpace<A>;
  dataset: string;
  /** Hardware metrics the run needs. */
  metrics: readonly string[];
  backend: BatchBackend<A>;
  /** Candidates handed to the backend and not yet finished (default: unlimited). */
  maxInFlight?: number;
  /** Candidates per batch at most (default: unlimited). */
  maxBatch?: number;
  /** How long the first waiting candidate waits for others to join its batch (default 200 ms). */
  windowMs?: number;
  /** Extra submissions of a candidate after a transient failure (node failure, preemption; default 1). */
  requeue?: number;
  /** Metrics the space computes itself, used for those the backend does not report. */
  hwFallback?: (arch: A) => Promise<Record<string, number>>;
  fallbackMetrics?: readonly string[];
  log?: LogFn;
}

interface Waiting<A> {
  id: string;
  arch: A;
  attempt: number;
  signal: AbortSignal | undefined;
  resolve: (e: Evaluation) => void;
  reject: (e: unknown) => void;
  settled: boolean;
  /** Aborts the backend's work for this candidate (follows the caller's signal). */
  cancel: AbortController;
}

/** Gathers concurrent evaluate() calls into batches for a BatchBackend. */
export class BatchingEvaluator<A> implements Evaluator<A>, RunBound {
  readonly id: string;
  readonly predictor: PredictorInfo;
  readonly metrics: readonly string[];
  private readonly pending: Waiting<A>[] = [];
  private inFlight = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly running = new Set<Promise<void>>();
  private readonly log: LogFn;
  /** Batches handed to the backend so far, and their sizes (tests and measurements read them). */
  readonly batches: number[] = [];
  /** Spec file id -> the niche that asked for it, so the backend's job events name their niche. */
  private readonly nicheOf = new Map<string, number>();

  constructor(private readonly o: BatchingOptions<A>) {
    this.id = o.backend.id;
    this.metrics = o.metrics;
    this.log = o.log ?? ((l) => process.stderr.write(`[${o.backend.id}] ${l}\n`));
    this.predictor = { id: 'external', unit: o.backend.label, labels: 0 };
  }

  get backend(): BatchBackend<A> {
    return this.o.backend;
  }

  async attachRun(ctx: RunContext): Promise<void> {
    await this.o.backend.attachRun?.({
      ...ctx,
      event: (e) => {
        const niche = e.type === 'job/state' && e.niche === undefined ? this.nicheOf.get(e.id) : undefined;
        ctx.event(e.type === 'job/state' && niche !== undefined ? { ...e, niche } : e);
      },
    });
  }

  async detachRun(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    for (const w of this.pending.splice(0)) this.settle(w, () => w.reject(abortError()));
    await this.o.backend.detachRun?.();
  }

  /** Resolves when every batch handed to the backend has been reported. */
  async idle(): Promise<void> {
    while (this.running.size) await Promise.allSettled([...this.running]);
  }

  evaluate(arch: A, signal?: AbortSignal, context?: EvaluationContext): Promise<Evaluation> {
    if (signal?.aborted) return Promise.reject(abortError());
    const id = this.o.space.fileId(arch);
    if (context) this.nicheOf.set(id, context.niche);
    return new Promise<Evaluation>((resolve, reject) => {
      const w: Waiting<A> = {
        id,
        arch,
        attempt: 1,
        signal,
        resolve,
        reject,
        settled: false,
        cancel: new AbortController(),
      };
      const onAbort = (): void => {
        const i = this.pending.indexOf(w);
        if (i >= 0) this.pending.splice(i, 1);
        w.cancel.abort(signal?.reason);
        this.settle(w, () => w.reject(abortError()));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      // the run's one signal is shared by every candidate: drop the listener once this one is settled
      w.resolve = (e) => {
        signal?.removeEventListener('abort', onAbort);
        resolve(e);
      };
      w.reject = (e) => {
        signal?.removeEventListener('abort', onAbort);
        reject(e);
      };
      this.pending.push(w);
      this.schedule();
    });
  }

  private settle(w: Waiting<A>, f: () => void): void {
    if (w.settled) return;
    w.settled = true;
    f();
  }

  private get free(): number {
    return (this.o.maxInFlight ?? Infinity) - this.inFlight;
  }

  private schedule(): void {
    if (!this.pending.length || this.free <= 0) return;
    const room = Math.min(this.free, this.o.maxBatch ?? Infinity);
    if (this.pending.length >= room) {
      this.flush();
      return;
    }
    this.timer ??= setTimeout(() => this.flush(), this.o.windowMs ?? 200);
  }

  private flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const n = Math.min(this.pending.length, this.free, this.o.maxBatch ?? Infinity);
    if (n <= 0) return;
    const ws = this.pending.splice(0, n);
    this.inFlight += ws.length;
    const byItem = new Map<BatchItem<A>, Waiting<A>>();
    const items = ws.map((w) => {
      const item: BatchItem<A> = {
        id: w.id,
        arch: w.arch,
        attempt: w.attempt,
        request: requestOf(this.o.space, this.o.dataset, w.arch, this.metrics, w.attempt),
        signal: w.cancel.signal,
      };
      byItem.set(item, w);
      return item;
    });
    this.batches.push(items.length);
    const reported = new Set<BatchItem<A>>();
    const p = this.o.backend
      .run(items, (item, outcome) => {
        if (reported.has(item)) return;
        reported.add(item);
        this.inFlight--;
        this.finish(byItem.get(item)!, outcome).catch((e: unknown) => {
          const w = byItem.get(item)!;
          this.settle(w, () => w.reject(e));
        });
        this.schedule();
      })
      .catch((e: unknown) => {
        // a backend that fails as a whole fails the candidates it has not reported
        for (const item of items)
          if (!reported.has(item)) {
            reported.add(item);
            this.inFlight--;
            const w = byItem.get(item)!;
            const err = new BatchEvaluationError('backend', (e as Error).message, item.attempt);
            this.settle(w, () => w.reject(w.signal?.aborted ? abortError() : err));
          }
        this.schedule();
      })
      .finally(() => this.running.delete(p));
    this.running.add(p);
    this.schedule();
  }

  private async finish(w: Waiting<A>, outcome: BatchOutcome): Promise<void> {
    if (w.settled) return;
    if (w.signal?.aborted || w.cancel.signal.aborted) return this.settle(w, () => w.reject(abortError()));
    if (!outcome.ok) {
      w.attempt = Math.max(w.attempt, outcome.attempt ?? w.attempt);
      const err = new BatchEvaluationError(outcome.kind, outcome.reason, w.attempt);
      if (err.transient && w.attempt <= (this.o.requeue ?? 1)) {
        this.log(`${w.id}: ${outcome.reason}; requeued (attempt ${w.attempt + 1})`);
        w.attempt++;
        this.pending.push(w);
        this.schedule();
        return;
      }
      return this.settle(w, () => w.reject(err));
    }
    const evaluation = await this.toEvaluation(w.arch, outcome.response);
    this.settle(w, () => w.resolve(evaluation));
  }

  private async toEvaluation(arch: A, res: ExternalResponse): Promise<Evaluation> {
    const missing = this.metrics.filter((m) => res.metrics?.[m] === undefined);
    const fallback = missing.length && this.o.hwFallback ? await this.o.hwFallback(arch) : {};
    const hw: Record<string, number> = {};
    for (const m of this.metrics) {
      const v = res.metrics?.[m] ?? fallback[m];
      if (v === undefined) throw new BatchEvaluationError('bad-response', `no value for ${m}`, 1);
      hw[m] = v;
    }
    return { predictedAccuracy: res.accuracy, proxies: res.proxies ?? {}, hw };
  }
}

/** Metrics a backend's responses must carry: those the space does not compute itself. */
export function requiredMetrics(
  metrics: readonly string[],
  hwFallback: unknown,
  fallbackMetrics: readonly string[] = [],
): string[] {
  const covered = new Set(hwFallback ? fallbackMetrics : []);
  return metrics.filter((m) => !covered.has(m));
}

/**
 * One result line of a batch (JSON Lines output, or a result file's payload) as an outcome: {"error": "why",
 * "rejected"?: true} is a failure; anything else must be a valid response carrying the required metrics.
 */
export function outcomeOfLine(v: Record<string, unknown>, required: readonly string[]): BatchOutcome {
  if (typeof v['error'] === 'string')
    return { ok: false, kind: v['rejected'] === true ? 'rejected' : 'exit', reason: v['error'] };
  try {
    return { ok: true, response: checkResponse(v, required) };
  } catch (e) {
    return { ok: false, kind: 'bad-response', reason: (e as Error).message };
  }
}
