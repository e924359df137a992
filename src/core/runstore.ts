// A run is a folder, and the folder is the source of truth: config.json, knowledge-base.md, one spec file per
// evaluated architecture (archs/<id>.json), an append-only events.jsonl and front.json. Everything is written
// atomically (or appended line by line), so a killed run can be resumed from its folder with nothing lost.
// Every evaluation is kept twice (its spec file and its arch/evaluated event): resume checks both against their
// schema and reconciles them in both directions — a spec without its event (killed between the two writes) gets
// the event appended, an event without its spec (a deleted file or archs/) gets the spec rewritten, a broken
// copy is rebuilt from the good one — and says which file it repaired; what it cannot repair it refuses, naming
// the file.

import fs from 'node:fs';
import path from 'node:path';
import type { EvaluatedRecord, RunLogEvent, SearchEvent } from './events.js';
import { writeFileAtomic, writeJsonAtomic } from './fsutil.js';
import { checkConfig, checkEvent, checkFront, checkRecord, recordOf, sameRecord } from './runcheck.js';
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

/** A repair resume made to the folder, with the file it concerns (shown to the user, logged as run/repaired). */
export type RepairFn = (file: string, message: string) => void;

export interface SpecFile extends EvaluatedRecord {
  format: 'llm-nas-spec-v1';
  space: string;
  dataset: string;
  evaluatedAt: string;
  /** The unit of each `evaluation.hw` key the space documents (e.g. edgegpu_latency: "ms"); absent in old folders. */
  hwUnits?: Record<string, string>;
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
  private eventsSize = 0;
  private seq = 0;
  /** Units of hardware metrics written into each new spec (set by the run from its space provider). */
  hwUnits: Readonly<Record<string, string>> = {};
  /** Ids whose arch/evaluated event is in events.jsonl (filled by restoreState and record). */
  private readonly logged = new Set<string>();

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
    if (!cfg || typeof cfg !== 'object' || cfg.format !== RUN_FORMAT)
      throw new RunFolderError(f, `not an LLM-NAS run config (format ${JSON.stringify(cfg?.format)})`);
    const bad = checkConfig(cfg as Record<string, unknown>);
    if (bad) throw new RunFolderError(f, bad);
    return cfg as RunConfig;
  }

  /** Persists one search event: spec files for evaluations, the event log, and the front. */
  record(e: SearchEvent, config: RunConfig): void {
    if (e.type === 'arch/evaluated') {
      // replay of an interrupted generation: already on disk and in the log (restoreState reconciled the two)
      if (this.logged.has(e.id)) return;
      const f = path.join(this.archsDir, `${e.id}.json`);
      const { type: _t, ...rec } = e;
      writeJsonAtomic(f, this.specOf(rec, config, new Date().toISOString()));
      this.logged.add(e.id);
    }
    this.append({ ...e, t: new Date().toISOString() });
  }

  private specOf(rec: EvaluatedRecord, config: RunConfig, evaluatedAt: string): SpecFile {
    const units = Object.keys(rec.evaluation.hw)
      .filter((k) => this.hwUnits[k])
      .map((k) => [k, this.hwUnits[k]!] as const);
    return {
      format: 'llm-nas-spec-v1',
      space: config.space,
      dataset: config.dataset,
      evaluatedAt,
      ...rec,
      ...(units.length ? { hwUnits: Object.fromEntries(units) } : {}),
    };
  }

  /**
   * Appends one line. A write that fails part-way (ENOSPC) is cut back off, so the log never holds a torn line
   * in its middle, and the sequence number counts only lines written.
   */
  append(obj: RunLogEvent & { t?: string; repaired?: boolean }): void {
    if (this.eventsFd === undefined) {
      this.eventsFd = fs.openSync(this.file('events.jsonl'), 'a');
      this.eventsSize = fs.fstatSync(this.eventsFd).size;
    }
    const line = JSON.stringify({ seq: this.seq, ...obj }) + '\n';
    const bytes = Buffer.byteLength(line);
    try {
      let done = fs.writeSync(this.eventsFd, line);
      while (done < bytes) done += fs.writeSync(this.eventsFd, Buffer.from(line).subarray(done));
    } catch (e) {
      try {
        fs.ftruncateSync(this.eventsFd, this.eventsSize);
      } catch {
        // resume drops a torn last line anyway
      }
      throw e;
    }
    this.eventsSize += bytes;
    this.seq++;
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

  /** The temp files of atomic writes a kill left behind (.<name>.<pid>.<n>.tmp). */
  private tempFiles(): string[] {
    const out: string[] = [];
    for (const d of [this.dir, this.archsDir, this.file('kb')]) {
      if (!fs.existsSync(d) || !fs.statSync(d).isDirectory()) continue;
      for (const name of fs.readdirSync(d)) if (/^\..+\.tmp$/.test(name)) out.push(path.join(d, name));
    }
    return out;
  }

  /**
   * State for resuming: recorded evaluations, each niche's last completed generation, recorded plans. Checks
   * every spec file and every event line against its schema and reconciles the two copies of each evaluation
   * (see the top of this file), reporting each repair through `onRepair`; throws a RunFolderError naming the
   * file for what it cannot repair.
   */
  restoreState(config: RunConfig, report: RepairFn = () => {}): RestoreState {
    // repairs are reported once the event log is line-aligned and its sequence known
    const repairs: [string, string][] = [];
    const onRepair = (file: string, message: string): void => void repairs.push([file, message]);
    // every write waits until the whole folder has been checked: a refused folder is left as it was
    const writes: (() => void)[] = [];
    const tmp = this.tempFiles();
    if (tmp.length) {
      writes.push(() => tmp.forEach((f) => fs.rmSync(f, { force: true })));
      onRepair(this.dir, `removed ${tmp.length} temp file(s) left by an interrupted write`);
    }
    const evFile = this.file('events.jsonl');
    const costs = config.costMetrics ?? [];
    // events: a torn last line (killed mid-write) is cut off so appends stay line-aligned; any other bad line
    // is refused with its number
    const events: (SearchEvent & { seq: number; t?: string })[] = [];
    const lineOf = new Map<string, number>();
    const evaluated = new Map<string, EvaluatedRecord & { t?: string }>();
    const hadEvents = fs.existsSync(evFile);
    if (hadEvents) {
      const text = fs.readFileSync(evFile, 'utf8');
      const lines = text.split('\n');
      let offset = 0; // where line i starts
      let keep = text.lastIndexOf('\n') + 1; // what stays: whole lines only
      for (let i = 0; i < lines.length; offset += lines[i]!.length + 1, i++) {
        const line = lines[i]!;
        if (!line.trim()) continue;
        let e: unknown;
        try {
          e = JSON.parse(line);
        } catch {
          if (!lines.slice(i + 1).every((l) => !l.trim()))
            throw new RunFolderError(evFile, `line ${i + 1} is not valid JSON; fix or delete that line`);
          keep = offset;
          repairs.push([evFile, `line ${i + 1} was torn by an interrupted write and is dropped`]);
          break;
        }
        const bad = checkEvent(e, costs);
        if (bad) throw new RunFolderError(evFile, `line ${i + 1}: ${bad}`);
        const ev = e as SearchEvent & { seq: number; t?: string };
        if (ev.type === 'arch/evaluated') {
          if (evaluated.has(ev.id)) continue; // a second copy (older versions could write one): the first counts
          evaluated.set(ev.id, { ...recordOf(ev as unknown as Record<string, unknown>), t: ev.t });
          lineOf.set(ev.id, i + 1);
        }
        events.push(ev);
      }
      if (keep < text.length) writes.push(() => fs.writeFileSync(evFile, text.slice(0, keep)));
    }
    this.seq = events.length ? events[events.length - 1]!.seq + 1 : 0;

    // spec files: each checked, and compared with its event
    const records = new Map<string, EvaluatedRecord>();
    const specs = new Map<string, EvaluatedRecord | string>(); // id → record, or why it is unusable
    const archsMissing = !fs.existsSync(this.archsDir);
    if (archsMissing) writes.push(() => fs.mkdirSync(this.archsDir, { recursive: true }));
    for (const name of archsMissing ? [] : fs.readdirSync(this.archsDir).sort()) {
      if (!name.endsWith('.json') || name.startsWith('.')) continue;
      const f = path.join(this.archsDir, name);
      const id = name.slice(0, -'.json'.length);
      let s: unknown;
      try {
        s = JSON.parse(fs.readFileSync(f, 'utf8'));
      } catch (e) {
        specs.set(id, `corrupted JSON (${(e as Error).message})`);
        continue;
      }
      const o = s as Record<string, unknown>;
      const bad =
        o?.['format'] !== 'llm-nas-spec-v1' ? 'not an LLM-NAS architecture spec' : checkRecord(o, costs);
      if (bad) specs.set(id, bad);
      else if (o['id'] !== id)
        specs.set(id, `its id ${JSON.stringify(o['id'])} does not match its file name`);
      else specs.set(id, recordOf(o));
    }
    const rebuiltSpecs: string[] = [];
    for (const [id, s] of specs) {
      const f = path.join(this.archsDir, `${id}.json`);
      const ev = evaluated.get(id);
      if (typeof s === 'string') {
        if (!ev)
          throw new RunFolderError(
            f,
            `${s}; events.jsonl holds no copy to rebuild it from — fix the file, or delete it to re-evaluate that architecture`,
          );
        const { t, ...rec } = ev;
        writes.push(() => writeJsonAtomic(f, this.specOf(rec, config, t ?? new Date().toISOString())));
        onRepair(f, `${s} — rebuilt from events.jsonl line ${lineOf.get(id)}`);
        records.set(id, rec);
        continue;
      }
      if (ev) {
        const { t: _t, ...rec } = ev;
        const diff = sameRecord(s, rec);
        if (diff)
          throw new RunFolderError(
            f,
            `disagrees with events.jsonl line ${lineOf.get(id)} (${diff}); delete the spec file to rebuild it from the event`,
          );
      }
      records.set(id, s);
    }
    // events without their spec file: the spec is rewritten from the event
    for (const [id, ev] of evaluated) {
      if (specs.has(id)) continue;
      const { t, ...rec } = ev;
      const f = path.join(this.archsDir, `${id}.json`);
      writes.push(() => writeJsonAtomic(f, this.specOf(rec, config, t ?? new Date().toISOString())));
      records.set(id, rec);
      rebuiltSpecs.push(id);
    }
    if (rebuiltSpecs.length)
      onRepair(
        archsMissing ? this.archsDir : path.join(this.archsDir, `${rebuiltSpecs[0]}.json`),
        archsMissing
          ? `archs/ was missing: rebuilt ${rebuiltSpecs.length} spec file(s) from events.jsonl`
          : `${rebuiltSpecs.length} spec file(s) were missing (${rebuiltSpecs.slice(0, 3).join(', ')}${rebuiltSpecs.length > 3 ? ', …' : ''}): rebuilt from events.jsonl`,
      );
    // spec files without their event (killed between the spec's rename and the append): the event is appended
    const appended: string[] = [];
    for (const [id, rec] of records) {
      if (evaluated.has(id)) continue;
      writes.push(() =>
        this.append({ type: 'arch/evaluated', ...rec, t: new Date().toISOString(), repaired: true }),
      );
      appended.push(id);
    }
    if (appended.length)
      onRepair(
        evFile,
        hadEvents
          ? `${appended.length} evaluation(s) had a spec file but no event (${appended
              .slice(0, 3)
              .map((id) => `archs/${id}.json`)
              .join(', ')}${appended.length > 3 ? ', …' : ''}): events appended`
          : `events.jsonl was missing: rebuilt ${appended.length} arch/evaluated event(s) from archs/; the generations are replayed from these evaluations (none is evaluated again)`,
      );

    const completed: RestoreState['completed'] = new Map();
    const plans: RestoreState['plans'] = new Map();
    for (const e of events) {
      if (e.type === 'generation/completed') {
        const gone = [...e.population, ...e.archive].find((id) => !records.has(id));
        if (gone !== undefined)
          throw new RunFolderError(
            evFile,
            `generation ${e.generation} of N${e.niche} names ${gone}, which has neither a spec file (archs/${gone}.json) nor an arch/evaluated event`,
          );
        completed.set(e.niche, {
          generation: e.generation,
          population: e.population,
          archive: e.archive,
          exhausted: e.exhausted,
        });
      }
      if (e.type === 'generation/planned') plans.set(e.generation, e.children);
    }
    // front.json is rewritten from the records as the run goes on; a broken one is reported now
    const front = this.file('front.json');
    if (fs.existsSync(front)) {
      let why: string | undefined;
      try {
        why = checkFront(JSON.parse(fs.readFileSync(front, 'utf8')));
      } catch (e) {
        why = `corrupted JSON (${(e as Error).message})`;
      }
      if (why) onRepair(front, `${why} — rewritten from the spec files`);
    }
    for (const w of writes) w();
    for (const id of records.keys()) this.logged.add(id);
    for (const [f, m] of repairs) report(f, m);
    const sorted = [...records.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    return {
      records: sorted,
      completed,
      plans,
      finished: events.some((e) => e.type === 'search/completed'),
    };
  }

  isCompleted(): boolean {
    return this.readEvents().some((e) => e.type === 'search/completed');
  }
}
