// A run: one search bound to a run folder, with pause / resume / stop, the knowledge base re-read at every
// generation boundary, progress as events, and a final front.json. Used by the CLI and the extension alike.

import fs from 'node:fs';
import type { SearchEvent } from './events.js';
import { buildRun, type RunParts } from './registry.js';
import { RunStore, type RunConfig } from './runstore.js';
import { runSearch, type SearchResult } from './search.js';
import type { Niche } from './partition.js';
import { nonDominated } from './pareto.js';

export type RunStatus = 'running' | 'paused' | 'stopping' | 'completed' | 'stopped' | 'failed';

export interface FrontEntry {
  id: string;
  niche: number;
  arch: string;
  predictedAccuracy: number;
  hw: Record<string, number>;
  trueAccuracy?: number;
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
  truth?: { hvRatio: number; igd: number; coverage: number };
  front: FrontEntry[];
}

/** Knowledge-base text for a niche: the whole file for now (global + all niche sections). */
export type KnowledgeReader = (store: RunStore, niche: Niche<unknown>, generation: number) => string;
const readWholeKb: KnowledgeReader = (store) => {
  const f = store.file('knowledge-base.md');
  return fs.existsSync(f) ? fs.readFileSync(f, 'utf8') : '';
};

export interface RunHandlers {
  onEvent?: (e: SearchEvent) => void;
  knowledge?: KnowledgeReader;
}

export class SearchRun {
  readonly store: RunStore;
  readonly parts: RunParts;
  private readonly abort = new AbortController();
  private pauseGate: { promise: Promise<void>; release: () => void } | undefined;
  private _status: RunStatus = 'running';
  readonly done: Promise<SearchResult<unknown> | undefined>;

  private constructor(
    store: RunStore,
    readonly config: RunConfig,
    private readonly handlers: RunHandlers,
    resume: boolean,
  ) {
    this.store = store;
    this.parts = buildRun(config);
    this.done = this.execute(resume);
    // the caller observes failures through `done`; keep the rejection from being reported as unhandled
    this.done.catch(() => {});
  }

  static start(dir: string, config: RunConfig, handlers: RunHandlers = {}): SearchRun {
    buildRun(config); // validate before touching the disk
    return new SearchRun(RunStore.create(dir, config), config, handlers, false);
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

  /** Stops at the next safe point; the folder stays resumable. */
  stop(): void {
    if (this._status === 'completed' || this._status === 'stopped' || this._status === 'failed') return;
    this._status = 'stopping';
    this.abort.abort(new Error('stopped by user'));
    this.resume();
  }

  dispose(): void {
    this.stop();
  }

  private async execute(resume: boolean): Promise<SearchResult<unknown> | undefined> {
    const { space, partition, evaluator, operator, costMetrics } = this.parts;
    const restore = resume ? this.store.restoreState() : undefined;
    if (resume) this.store.append({ type: 'run/resumed-from-folder', evaluations: restore!.records.length });
    else this.store.append({ type: 'run/started', config: this.config });
    const records = new Map((restore?.records ?? []).map((r) => [r.id, r]));
    const archives = new Map<number, string[]>();
    for (const [n, c] of restore?.completed ?? []) archives.set(n, c.archive);
    const writeFront = (complete: boolean, wallMs: number): FrontFile => {
      const ids = [...archives.values()].flat();
      const members = ids.map((id) => records.get(id)!).filter(Boolean);
      const vec = (r: (typeof members)[number]): number[] => [
        -r.evaluation.predictedAccuracy,
        ...costMetrics.map((m) => r.evaluation.hw[m]!),
      ];
      const nd = nonDominated(members.map(vec));
      const front = nd
        .map((i) => members[i]!)
        .sort((a, b) => vec(a)[1]! - vec(b)[1]! || (a.id < b.id ? -1 : 1));
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
        })),
      };
      if (this.parts.scoreTruth && records.size > 0) {
        const s = this.parts.scoreTruth([...records.values()] as unknown as Record<string, unknown>[]);
        file.truth = { hvRatio: s.hvRatio, igd: s.igd, coverage: s.coverage };
      }
      this.store.writeFront(file);
      return file;
    };
    const t0 = Date.now();
    try {
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
        signal: this.abort.signal,
        restore,
        knowledge: (niche) => (this.handlers.knowledge ?? readWholeKb)(this.store, niche, 0),
        gate: async () => {
          if (this.pauseGate) await this.pauseGate.promise;
        },
        onEvent: (e) => {
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
      if (this.abort.signal.aborted) {
        writeFront(false, Date.now() - t0);
        this.store.append({
          type: 'run/stopped',
          reason: String((this.abort.signal.reason as Error)?.message ?? 'stopped'),
        });
        this._status = 'stopped';
        return undefined;
      }
      this._status = 'failed';
      this.store.append({ type: 'run/failed', error: (e as Error).message });
      throw e;
    } finally {
      this.store.close();
    }
  }
}
