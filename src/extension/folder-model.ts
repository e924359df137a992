// Builds a DashboardModel for a run folder: niches and predictor from the run's space provider, the benchmark's
// true fronts and scoring when the space has ground truth (from the space's folder in src/core), and the folder's
// events replayed or followed. No `vscode` here.

import fs from 'node:fs';
import path from 'node:path';
import type { EvaluatedRecord } from '../core/events.js';
import { knownFrontOf } from '../core/knownfront.js';
import { createRegistry } from '../core/compose.js';
import type { Registry } from '../core/registry.js';
import { RunStore, type RunConfig } from '../core/runstore.js';
import type { TrueFront } from '../protocol.js';
import { DashboardModel, type LlmUsage, type ModelEvent, type RunTruth } from './dashboard-model.js';

/** The benchmark's true 2-D front (cost, test accuracy %) per cost metric, for spaces that have one. */
export function trueFrontsOf(config: RunConfig, registry: Registry = createRegistry()): TrueFront[] {
  return registry.providerOf(config).trueFronts?.(config) ?? [];
}

export function newModel(
  config: RunConfig,
  dir: string,
  live: boolean,
  registry: Registry = createRegistry(),
): DashboardModel {
  registry.checkConfig(config);
  const parts = registry.providerOf(config).build(config, registry.env);
  const scoreTruth = parts.scoreTruth;
  const truth: RunTruth | undefined = scoreTruth
    ? {
        trueFronts: trueFrontsOf(config, registry),
        score: (records: readonly EvaluatedRecord[]) =>
          scoreTruth(records as unknown as Record<string, unknown>[]),
      }
    : undefined;
  const niches = parts.partition.niches.map((n) => ({ id: n.id, name: n.name, constraint: n.constraint }));
  // no true front: HV against the best front earlier runs of the same task left next to this one
  const known = truth ? undefined : knownFrontOf(path.dirname(path.resolve(dir)), config, dir);
  return new DashboardModel(config, dir, niches, parts.evaluator.predictor.unit, truth, { live, known });
}

/** A model of a run folder's events as they are on disk (LLM usage comes from an LlmTail). */
export function modelFromFolder(dir: string): DashboardModel {
  const store = RunStore.open(dir);
  const model = newModel(store.readConfig(), store.dir, false);
  for (const e of store.readEvents()) model.apply(e as ModelEvent);
  return model;
}

/** How long a folder's log may stay quiet before a run that another process writes counts as interrupted. */
const QUIET_MS = 10_000;

/** Reads the whole lines appended to a file since the last call (a torn last line waits for its end). */
export class LineTail {
  private offset = 0;
  mtimeMs = 0;

  constructor(readonly file: string) {}

  read(): unknown[] {
    if (!fs.existsSync(this.file)) return [];
    const st = fs.statSync(this.file);
    if (st.size < this.offset) this.offset = 0; // rewritten (a repaired torn line): re-read; ids deduplicate
    if (st.size === this.offset) return [];
    this.mtimeMs = st.mtimeMs;
    const fd = fs.openSync(this.file, 'r');
    try {
      const buf = Buffer.alloc(st.size - this.offset);
      fs.readSync(fd, buf, 0, buf.length, this.offset);
      const end = buf.lastIndexOf(0x0a);
      if (end < 0) return [];
      this.offset += end + 1;
      const out: unknown[] = [];
      for (const line of buf.subarray(0, end).toString('utf8').split('\n')) {
        if (!line.trim()) continue;
        try {
          out.push(JSON.parse(line));
        } catch {
          // a corrupted line is reported when the run is resumed (RunStore.readEvents); skip it here
        }
      }
      return out;
    } finally {
      fs.closeSync(fd);
    }
  }
}

/** Folds a run's llm.jsonl into the model's niche cards (calls, tokens, cost). */
export class LlmTail {
  private readonly tail: LineTail;
  constructor(private readonly model: DashboardModel) {
    this.tail = new LineTail(path.join(model.dir, 'llm.jsonl'));
  }
  poll(): boolean {
    const recs = this.tail.read() as LlmUsage[];
    for (const r of recs) this.model.applyLlm(r);
    return recs.length > 0;
  }
}

/**
 * Follows a run folder that another process writes (the CLI in a terminal, another window): folds the lines
 * appended to events.jsonl and llm.jsonl since the last poll into the model, so the dashboard shows that run
 * live too.
 */
export class FolderTail {
  readonly model: DashboardModel;
  private readonly events: LineTail;
  private readonly llm: LlmTail;
  private lastActivity = 0;

  constructor(dir: string) {
    const store = RunStore.open(dir);
    this.model = newModel(store.readConfig(), store.dir, false);
    this.events = new LineTail(store.file('events.jsonl'));
    this.llm = new LlmTail(this.model);
    // what is already there is history: only events appended after opening mean another process is running it
    for (const e of this.events.read()) this.model.apply(e as ModelEvent);
    this.llm.poll();
  }

  /** Applies new events; true when anything changed. */
  poll(): boolean {
    const evs = this.events.read();
    for (const e of evs) this.model.apply(e as ModelEvent);
    let changed = this.llm.poll() || evs.length > 0;
    if (evs.length) this.lastActivity = this.events.mtimeMs;
    const phase = this.model.runPhase;
    const active = Date.now() - this.lastActivity < QUIET_MS;
    if (phase === 'interrupted' && active) {
      this.model.setPhase('running');
      changed = true;
    } else if (phase === 'running' && !active) {
      this.model.setPhase('interrupted');
      changed = true;
    }
    return changed;
  }
}
