// A run: one search bound to a run folder, with pause / resume / stop, the knowledge base read and validated at
// every generation boundary (user edits apply there; an invalid edit is rejected with its line and the previous
// version stays in force; every generation's version is kept in kb/gen-NN.md), the LLM operator's calls logged
// to llm.jsonl with a hard budget, replay of a recorded run, progress as events, and a final front.json.
// Used by the CLI and the extension alike.

import fs from 'node:fs';
import path from 'node:path';
import type { RunNotice, SearchEvent } from './events.js';
import { globalFront, objectiveVector } from './front.js';
import { writeFileAtomic } from './fsutil.js';
import { KnowledgeFile, nicheView } from './knowledge.js';
// registers the "llm" operator (until the composition root does): the run itself knows operators only by contract
import { defaultKnowledgeBase } from './llm/prompts.js';
import { fitSeedKnowledgeBase } from './llm/seed.js';
import { isRunBound, type JobEvent, type JobSummary } from './batch/contract.js';
import { createRegistry } from './compose.js';
import type { Registry } from './registry.js';
import { type RunParts } from './provider.js';
import { RunStore, type RunConfig } from './runstore.js';
import { runSearch, type SearchResult } from './search.js';
import type { Niche } from './partition.js';
import { Redactor } from './redact.js';

export type RunStatus = 'running' | 'paused' | 'stopping' | 'completed' | 'stopped' | 'failed';

export interface FrontEntry {
  id: string;
  niche: number;
  arch: string;
  predictedAccuracy: number;
  hw: Record<string, number>;
  trueAccuracy?: number;
  /** Set for a degenerate network (Evaluation.degenerate). */
  degenerate?: string;
}

export interface FrontFile {
  run: string;
  space: string;
  dataset: string;
  costMetrics: string[];
  predictor: { id: string; unit: string; labels: number };
  evaluations: number;
  wallMs: number;
  complete: boolean;
  /** Scored with the benchmark's true accuracy and latency (benchmark spaces only). */
  truth?: { hvRatio: number; igd: number; coverage: number; frontSize?: number; protocol?: string };
  front: FrontEntry[];
}

/** Knowledge-base text for a niche in a generation (overrides the run folder's validated file). */
export type KnowledgeReader = (store: RunStore, niche: Niche<unknown>, generation: number) => string;

export type { RunNotice } from './events.js';

export interface RunHandlers {
  onEvent?: (e: SearchEvent) => void;
  /** Overrides the knowledge-base text the loop hands to the operator (default: the run folder's file). */
  knowledge?: KnowledgeReader;
  onNotice?: (n: RunNotice) => void;
  /** Knowledge base to seed a new run with (default: the space's shipped heuristics). */
  seedKnowledge?: string;
  /** Job progress of evaluators that submit to a scheduler (SLURM); also appended to events.jsonl. */
  onJob?: (e: JobEvent | JobSummary) => void;
  /** The spaces, operators and host environment to build the run from (default: compose.ts's, no host env). */
  registry?: Registry;
}

/** The recorded run a replay re-runs from. */
interface ReplaySource {
  /** What the operator read from the recorded folder (the LLM operator: its calls and replies). */
  recording: unknown;
  edits: Map<number, string>;
}

/** The budget stop: the run ends cleanly, resumable, with this message. */
export class BudgetStop extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BudgetStop';
  }
}

const INITIAL_KB = path.join('kb', 'initial.md');

export class SearchRun {
  readonly store: RunStore;
  readonly parts: RunParts;
  /** User cancellation: aborts the search and any HTTP request in flight. */
  private readonly abort = new AbortController();
  /** Ends the search (user stop, or the LLM budget: then running calls finish, no new one starts). */
  private readonly searchAbort = new AbortController();
  private closed = false;
  private pauseGate: { promise: Promise<void>; release: () => void } | undefined;
  private _status: RunStatus = 'running';
  /** Keeps the API key (and Bearer tokens) out of events.jsonl, llm.jsonl and notices. */
  private readonly redactor: Redactor;
  readonly done: Promise<SearchResult<unknown> | undefined>;

  private constructor(
    store: RunStore,
    readonly config: RunConfig,
    private readonly handlers: RunHandlers,
    resume: boolean,
    private readonly replaySource?: ReplaySource,
  ) {
    this.store = store;
    const registry = handlers.registry ?? createRegistry();
    this.parts = registry.buildRun(config);
    store.hwUnits = registry.hwUnitsOf(config);
    this.redactor = new Redactor(this.parts.operator.secrets?.() ?? []);
    this.done = this.execute(resume);
    // the caller observes failures through `done`; keep the rejection from being reported as unhandled
    this.done.catch(() => {});
  }

  static start(dir: string, config: RunConfig, given: RunHandlers = {}): SearchRun {
    const handlers = { ...given, registry: given.registry ?? createRegistry() };
    const parts = handlers.registry.buildRun(config); // validate before touching the disk
    const seed = handlers.seedKnowledge ?? defaultKnowledgeBase(config.space);
    // sections for niches this run does not have (--no-partition, --niches K) are mapped or dropped, and logged
    const fitted = seed === undefined ? undefined : fitSeedKnowledgeBase(seed, parts.partition);
    const store = RunStore.create(dir, config, fitted?.text);
    writeFileAtomic(store.file(INITIAL_KB), fs.readFileSync(store.file('knowledge-base.md'), 'utf8'));
    const run = new SearchRun(store, config, handlers, false);
    for (const message of fitted?.notes ?? []) run.notice({ type: 'kb/seed', message });
    return run;
  }

  /**
   * Re-runs a recorded run from its llm.jsonl into a new folder without any endpoint: same config, same seed
   * knowledge base, the user's knowledge-base edits re-applied at the same boundaries, and every LLM reply
   * handed back in its recorded order — the folder comes out identical apart from timestamps and wall times.
   */
  static replay(from: string, dir: string, given: RunHandlers = {}): SearchRun {
    const handlers = { ...given, registry: given.registry ?? createRegistry() };
    const src = RunStore.open(from);
    const config = src.readConfig();
    const recording = handlers.registry.buildRun(config).operator.loadRecording?.(src.dir);
    const initial = src.file(INITIAL_KB);
    const seed = fs.existsSync(initial) ? fs.readFileSync(initial, 'utf8') : undefined;
    const edits = new Map<number, string>();
    const kbDir = src.file('kb');
    if (fs.existsSync(kbDir))
      for (const name of fs.readdirSync(kbDir)) {
        const m = /^(?:user|rejected)-gen-(\d+)\.md$/.exec(name);
        if (m) edits.set(Number(m[1]), fs.readFileSync(path.join(kbDir, name), 'utf8'));
      }
    const store = RunStore.create(dir, config, seed);
    if (seed !== undefined) writeFileAtomic(store.file(INITIAL_KB), seed);
    return new SearchRun(store, config, handlers, false, { recording, edits });
  }

  static resume(dir: string, handlers: RunHandlers = {}): SearchRun {
    const store = RunStore.open(dir);
    return new SearchRun(store, store.readConfig(), handlers, true);
  }

  get status(): RunStatus {
    return this._status;
  }

  pause(): void {
    if (this._status !== 'running' || this.pauseGate) return;
    let release!: () => void;
    const promise = new Promise<void>((r) => (release = r));
    this.pauseGate = { promise, release };
    this._status = 'paused';
    this.store.append({ type: 'run/paused' });
  }

  resume(): void {
    if (!this.pauseGate) return;
    this.pauseGate.release();
    this.pauseGate = undefined;
    this._status = 'running';
    this.store.append({ type: 'run/resumed' });
  }

  /** Stops at the next safe point, aborting LLM requests in flight; the folder stays resumable. */
  stop(): void {
    if (this._status === 'completed' || this._status === 'stopped' || this._status === 'failed') return;
    this._status = 'stopping';
    const why = new Error('stopped by user');
    this.abort.abort(why);
    this.searchAbort.abort(why);
    this.resume();
  }

  /** Why the run stopped (user, LLM budget), once it has. */
  get stopReason(): string | undefined {
    const r = this.searchAbort.signal.reason as Error | undefined;
    return this.searchAbort.signal.aborted ? (r?.message ?? 'stopped') : undefined;
  }

  private notice(raw: RunNotice): void {
    if (this.closed) return;
    const n = this.redactor.value(raw);
    this.store.append(n);
    this.handlers.onNotice?.(n);
  }

  /** Binds the operator to the run: folder, knowledge base, cancellation, its log, the budget stop, replay. */
  private attachOperator(kb: KnowledgeFile, resume: boolean): void {
    this.parts.operator.attachRun?.({
      dir: this.store.dir,
      resume,
      knowledge: kb,
      signal: this.abort.signal,
      ...(this.replaySource ? { recording: this.replaySource.recording } : {}),
      appendLine: (file, line) => {
        if (!this.closed) fs.appendFileSync(this.store.file(file), this.redactor.text(line) + '\n');
      },
      budgetStop: (message) => {
        this.notice({ type: 'llm/budget', message });
        this.searchAbort.abort(
          new BudgetStop(
            `${message}; no new LLM call was started — raise the budget and resume the run folder to continue`,
          ),
        );
      },
      problem: (niche, generation, stage, message) =>
        this.notice({ type: 'llm/problem', niche, generation, stage, message }),
    });
  }

  dispose(): void {
    this.stop();
  }

  private async execute(resume: boolean): Promise<SearchResult<unknown> | undefined> {
    const { space, partition, evaluator, operator, costMetrics } = this.parts;
    const kb = new KnowledgeFile(
      this.store.dir,
      partition.niches.length,
      (n) => this.notice(n),
      this.replaySource?.edits,
    );
    this.attachOperator(kb, resume);
    const repairs: [string, string][] = [];
    const restore = resume
      ? this.store.restoreState(this.config, (file, message) => repairs.push([file, message]))
      : undefined;
    for (const [file, message] of repairs) this.notice({ type: 'run/repaired', file, message });
    const frontBroken = repairs.some(([f]) => f === this.store.file('front.json'));
    const records = new Map((restore?.records ?? []).map((r) => [r.id, r]));
    const archives = new Map<number, string[]>();
    for (const [n, c] of restore?.completed ?? []) archives.set(n, c.archive);
    const writeFront = (complete: boolean, wallMs: number): FrontFile => {
      const front = globalFront(
        [...archives.values()].map((ids) => ids.map((id) => records.get(id)!).filter(Boolean)),
        (r) => objectiveVector(r.evaluation, costMetrics),
      );
      const file: FrontFile = {
        run: this.config.id,
        space: this.config.space,
        dataset: this.config.dataset,
        costMetrics,
        predictor: evaluator.predictor,
        evaluations: records.size,
        wallMs,
        complete,
        front: front.map((r) => ({
          id: r.id,
          niche: r.niche,
          arch: r.arch,
          predictedAccuracy: r.evaluation.predictedAccuracy,
          hw: r.evaluation.hw,
          ...(r.evaluation.trueAccuracy !== undefined ? { trueAccuracy: r.evaluation.trueAccuracy } : {}),
          ...(r.evaluation.degenerate ? { degenerate: r.evaluation.degenerate } : {}),
        })),
      };
      if (this.parts.scoreTruth && records.size > 0) {
        const s = this.parts.scoreTruth([...records.values()] as unknown as Record<string, unknown>[]);
        file.truth = { hvRatio: s.hvRatio, igd: s.igd, coverage: s.coverage };
        if (s.frontSize !== undefined) file.truth.frontSize = s.frontSize;
        if (s.protocol !== undefined) file.truth.protocol = s.protocol;
      }
      this.store.writeFront(file);
      return file;
    };
    if (restore?.finished) {
      // a completed run: nothing to resume, and no second search/completed
      if (frontBroken || !fs.existsSync(this.store.file('front.json'))) writeFront(true, 0);
      this.handlers.onNotice?.({
        type: 'run/repaired',
        file: this.store.dir,
        message: 'this run is already complete: nothing to resume (the folder is unchanged)',
      });
      this._status = 'completed';
      this.closed = true;
      this.store.close();
      return undefined;
    }
    if (resume) this.store.append({ type: 'run/resumed-from-folder', evaluations: restore!.records.length });
    else this.store.append({ type: 'run/started', config: this.config });
    if (frontBroken) writeFront(false, 0);
    const t0 = Date.now();
    // an evaluator that keeps state in the run folder (the SLURM job ledger) is bound to it for the search
    const bound = isRunBound(evaluator) ? evaluator : undefined;
    try {
      await bound?.attachRun({
        dir: this.store.dir,
        runId: this.config.id,
        resume,
        event: (e) => {
          if (this.closed) return;
          this.store.append(e);
          this.handlers.onJob?.(e);
        },
      });
      const result = await runSearch({
        space,
        partition,
        evaluator,
        operator,
        costMetrics,
        generations: this.config.generations,
        budget: this.config.budget,
        children: this.config.children,
        initial: this.config.initial,
        adaptive: this.config.adaptive,
        seed: this.config.seed,
        signal: this.searchAbort.signal,
        restore,
        knowledge: async (niche, gen) => {
          if (this.handlers.knowledge) return this.handlers.knowledge(this.store, niche, gen);
          await kb.settle(gen); // an edit being saved is read once it has stopped changing
          return nicheView(kb.inForce(gen), niche.id);
        },
        gate: async () => {
          // a macrotask turn at each generation boundary: a built-in search never awaits I/O, and without this
          // turn signals (Ctrl-C), timers and UI messages wait until the whole run has ended
          await new Promise<void>((r) => setImmediate(r));
          if (this.pauseGate) await this.pauseGate.promise;
        },
        onEvent: (raw) => {
          if (this.closed) return;
          const e = this.redactor.value(raw);
          if (e.type === 'arch/evaluated') {
            const { type: _t, ...rec } = e;
            records.set(e.id, rec);
          }
          if (e.type === 'search/completed') return; // written below with the front
          this.store.record(e, this.config);
          if (e.type === 'generation/completed') {
            archives.set(e.niche, e.archive);
            writeFront(false, Date.now() - t0);
          }
          this.handlers.onEvent?.(e);
        },
      });
      writeFront(true, result.wallMs);
      this.store.append({
        type: 'search/completed',
        front: result.front.map((m) => m.id),
        evaluations: result.evaluations,
        wallMs: result.wallMs,
      });
      this.handlers.onEvent?.({
        type: 'search/completed',
        front: result.front.map((m) => m.id),
        evaluations: result.evaluations,
        wallMs: result.wallMs,
      });
      this._status = 'completed';
      return result;
    } catch (e) {
      if (this.searchAbort.signal.aborted) {
        await operator.idle?.(); // a budget stop lets running calls finish (a user stop has aborted them)
        writeFront(false, Date.now() - t0);
        this.store.append({ type: 'run/stopped', reason: this.stopReason ?? 'stopped' });
        this._status = 'stopped';
        return undefined;
      }
      // a fatal error in one niche (e.g. a rejected API key): abort the other niches' calls, then fail
      this.abort.abort(e);
      this.searchAbort.abort(e);
      await operator.idle?.();
      this._status = 'failed';
      this.store.append({ type: 'run/failed', error: this.redactor.text((e as Error).message) });
      throw e;
    } finally {
      // cancels what this run still has queued or running (a stop), waiting for the scheduler to confirm
      await bound?.detachRun().catch(() => undefined);
      this.closed = true;
      this.store.close();
    }
  }
}
