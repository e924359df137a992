// A run is a folder, and the folder is the source of truth: config.json, knowledge-base.md, one spec file per
// evaluated architecture (archs/<id>.json), an append-only events.jsonl and front.json. Everything is written
// atomically (or appended line by line), so a killed run can be resumed from its folder with nothing lost.

import fs from 'node:fs';
import path from 'node:path';
import type { EvaluatedRecord, SearchEvent } from './events.js';
import { writeFileAtomic, writeJsonAtomic } from './fsutil.js';
import type { RestoreState } from './search.js';

export const RUN_FORMAT = 'llm-nas-run-v1';

/** Everything needed to rebuild the run's components; stored in config.json. */
export interface RunConfig {
  format: typeof RUN_FORMAT;
  id: string;
  createdAt: string;
  space: string;
  dataset: string;
  devices: string[];
  metric: 'latency' | 'energy';
  costMetrics: string[];
  predictor: string;
  operator: string;
  partition: boolean;
  generations: number;
  budget: number;
  children?: number;
  initial?: number;
  adaptive: boolean;
  seed: number;
  /** Operator-specific settings (e.g. LLM endpoint and model; never an API key). */
  operatorOptions?: Record<string, unknown>;
  /**
   * Space-specific settings: niche count and partition feature (FBNet, user spaces), a user-defined space's
   * definition, the external evaluator command.
   */
  spaceOptions?: Record<string, unknown>;
}

export class RunFolderError extends Error {
  constructor(
    readonly file: string,
    message: string,
  ) {
    super(`${file}: ${message}`);
    this.name = 'RunFolderError';
  }
}

export interface SpecFile extends EvaluatedRecord {
  format: 'llm-nas-spec-v1';
  space: string;
  dataset: string;
  evaluatedAt: string;
}

const KB_TEMPLATE = `# Knowledge base

Design heuristics the operator reads every generation. Edit freely; changes apply at the next generation.

## Global

### Positive
### Negative
`;

export class RunStore {
  readonly dir: string;
  private eventsFd: number | undefined;
  private seq = 0;

  private constructor(dir: string) {
    this.dir = path.resolve(dir);
  }

  get archsDir(): string {
    return path.join(this.dir, 'archs');
  }

  file(name: string): string {
    return path.join(this.dir, name);
  }

  /** Creates a new run folder; refuses a folder that already holds a run. */
  static create(dir: string, config: RunConfig, knowledgeBase = KB_TEMPLATE): RunStore {
    const s = new RunStore(dir);
    if (fs.existsSync(s.file('config.json')))
      throw new RunFolderError(
        s.file('config.json'),
        'a run already exists here; resume it or choose another folder',
      );
    fs.mkdirSync(s.archsDir, { recursive: true });
    writeJsonAtomic(s.file('config.json'), config);
    if (!fs.existsSync(s.file('knowledge-base.md')))
      writeFileAtomic(s.file('knowledge-base.md'), knowledgeBase);
    return s;
  }

  /** Opens an existing run folder, checking it is one of ours. */
  static open(dir: string): RunStore {
    const s = new RunStore(dir);
    s.readConfig();
    return s;
  }

  readConfig(): RunConfig {
    const f = this.file('config.json');
    if (!fs.existsSync(f)) throw new RunFolderError(f, 'not found — this folder is not an LLM-NAS run');
    let c: unknown;
    try {
      c = JSON.parse(fs.readFileSync(f, 'utf8'));
    } catch (e) {
      throw new RunFolderError(f, `corrupted JSON (${(e as Error).message})`);
    }
    const cfg = c as Partial<RunConfig>;
    if (!cfg || cfg.format !== RUN_FORMAT)
      throw new RunFolderError(f, `not an LLM-NAS run config (format ${JSON.stringify(cfg?.format)})`);
    for (const k of ['space', 'dataset', 'generations', 'budget', 'seed', 'operator'] as const)
      if (cfg[k] === undefined) throw new RunFolderError(f, `missing field "${k}"`);
    return cfg as RunConfig;
  }

  /** Persists one search event: spec files for evaluations, the event log, and the front. */
  record(e: SearchEvent, config: RunConfig): void {
    if (e.type === 'arch/evaluated') {
      const f = path.join(this.archsDir, `${e.id}.json`);
      if (fs.existsSync(f)) return; // replay of an interrupted generation: already on disk and in the log
      const { type: _t, ...rec } = e;
      const spec: SpecFile = {
        format: 'llm-nas-spec-v1',
        space: config.space,
        dataset: config.dataset,
        evaluatedAt: new Date().toISOString(),
        ...rec,
      };
      writeJsonAtomic(f, spec);
    }
    this.append({ ...e, t: new Date().toISOString() });
  }

  append(obj: Record<string, unknown>): void {
    if (this.eventsFd === undefined) this.eventsFd = fs.openSync(this.file('events.jsonl'), 'a');
    fs.writeSync(this.eventsFd, JSON.stringify({ seq: this.seq++, ...obj }) + '\n');
  }

  writeFront(front: unknown): void {
    writeJsonAtomic(this.file('front.json'), front);
  }

  close(): void {
    if (this.eventsFd !== undefined) fs.closeSync(this.eventsFd);
    this.eventsFd = undefined;
  }

  /** Every spec file of the run, sorted by id. A broken spec file is an error naming it. */
  readSpecs(): SpecFile[] {
    if (!fs.existsSync(this.archsDir)) return [];
    const out: SpecFile[] = [];
    for (const name of fs.readdirSync(this.archsDir).sort()) {
      if (!name.endsWith('.json') || name.startsWith('.')) continue;
      const f = path.join(this.archsDir, name);
      let s: SpecFile;
      try {
        s = JSON.parse(fs.readFileSync(f, 'utf8')) as SpecFile;
      } catch (e) {
        throw new RunFolderError(f, `corrupted spec file (${(e as Error).message})`);
      }
      if (s.format !== 'llm-nas-spec-v1' || typeof s.id !== 'string' || !s.evaluation)
        throw new RunFolderError(f, 'not an LLM-NAS architecture spec');
      out.push(s);
    }
    return out;
  }

  /** Parsed events; a torn last line (killed mid-write) is ignored, any other bad line is an error. */
  readEvents(): (SearchEvent & { seq: number; t: string })[] {
    const f = this.file('events.jsonl');
    if (!fs.existsSync(f)) return [];
    const lines = fs.readFileSync(f, 'utf8').split('\n');
    const out: (SearchEvent & { seq: number; t: string })[] = [];
    lines.forEach((line, i) => {
      if (!line.trim()) return;
      try {
        out.push(JSON.parse(line) as SearchEvent & { seq: number; t: string });
      } catch {
        const last = lines.slice(i + 1).every((l) => !l.trim());
        if (!last) throw new RunFolderError(f, `line ${i + 1} is not valid JSON`);
      }
    });
    return out;
  }

  /** State for resuming: recorded evaluations, each niche's last completed generation, recorded plans. */
  restoreState(): RestoreState {
    const events = this.readEvents();
    // repair a torn last line so appends stay line-aligned
    const f = this.file('events.jsonl');
    if (fs.existsSync(f)) {
      const text = fs.readFileSync(f, 'utf8');
      if (text.length && !text.endsWith('\n')) fs.writeFileSync(f, text.slice(0, text.lastIndexOf('\n') + 1));
    }
    this.seq = events.length ? events[events.length - 1]!.seq + 1 : 0;
    const completed: RestoreState['completed'] = new Map();
    const plans: RestoreState['plans'] = new Map();
    for (const e of events) {
      if (e.type === 'generation/completed')
        completed.set(e.niche, {
          generation: e.generation,
          population: e.population,
          archive: e.archive,
          exhausted: e.exhausted,
        });
      if (e.type === 'generation/planned') plans.set(e.generation, e.children);
    }
    const records = this.readSpecs().map(
      ({ format: _f, space: _s, dataset: _d, evaluatedAt: _e, ...rec }) => rec,
    );
    return { records, completed, plans };
  }

  isCompleted(): boolean {
    return this.readEvents().some((e) => e.type === 'search/completed');
  }
}
