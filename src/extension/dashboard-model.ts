// The dashboard's view of one run, folded from search events: niche cards, plot points, the global front,
// per-generation HV/IGD history and latency-range coverage. Pure TypeScript (no `vscode`), so the same fold
// serves a live run (events as they happen) and a folder opened from disk (events.jsonl replayed).
// It hands out full snapshots and throttled deltas; the host decides when to flush.

import { frontOf, hvRatioAgainst, type KnownFront } from '../core/knownfront.js';
import type { JobEvent, JobSummary } from '../core/batch/contract.js';
import type { EvaluatedRecord, RunLifecycleEvent, SearchEvent } from '../core/events.js';
import { frontOfArchives, objectiveVector } from '../core/front.js';
import { nonDominated } from '../core/pareto.js';
import type { RunConfig } from '../core/runstore.js';
import { costUnit } from '../protocol.js';
import { editorWording, isEndpointError } from './endpoint.js';
import type {
  AppendPayload,
  CoverageInfo,
  DashboardState,
  HistoryRow,
  NicheCard,
  PlotPoint,
  RunPhase,
  RunSummary,
  TrueFront,
} from '../protocol.js';

/** What the benchmark knows about a run's task (absent for spaces without ground truth). */
export interface RunTruth {
  trueFronts: TrueFront[];
  /** HV ratio / IGD / coverage of the records' protocol front against the true front. */
  score(records: readonly EvaluatedRecord[]): { hvRatio: number; igd: number; coverage: number };
}

export interface NicheInfo {
  id: number;
  name: string;
  constraint: string;
}

/** Notices the run appends (knowledge-base edits, LLM problems, budget), as they appear in events.jsonl. */
interface NoticeEvent {
  type: string;
  niche?: number;
  generation?: number;
  message?: string;
  file?: string;
  positive?: number;
  negative?: number;
}

/** The fields of an llm.jsonl record the cards use. */
export interface LlmUsage {
  niche: number;
  usage?: { total_tokens?: number };
  cost?: number;
}

export type ModelEvent = SearchEvent | RunLifecycleEvent | NoticeEvent;

const LOG_LIMIT = 200;
const COVERAGE_BINS = 10;

export class DashboardModel {
  private readonly niches = new Map<number, NicheCard>();
  private readonly records = new Map<string, EvaluatedRecord>();
  private readonly points: PlotPoint[] = [];
  private readonly archives = new Map<number, string[]>();
  private readonly history = new Map<number, HistoryRow>();
  private front: string[] = [];
  private coverage: CoverageInfo[] = [];
  private readonly log: string[] = [];
  private phase: RunPhase;
  private error: string | undefined;
  private endpointError = false;
  /** Time of the event being applied (from events.jsonl when replayed), for the log's timestamps. */
  private eventTime: string | undefined;
  /** Wall time and evaluations since this model went live, for seconds per evaluation (the ETA). */
  private liveSince: { ms: number; evaluations: number } | undefined;
  stepping = false;
  /** The run's jobs at a scheduler (SLURM), when its evaluator submits them: for the status bar. */
  cluster: JobSummary | undefined;
  live: boolean;
  /** Per niche: each candidate's latest job state (from job/state events that name the niche). */
  private readonly jobStates = new Map<number, Map<string, JobEvent['state']>>();
  /** The niche each job event named, for a later event that names none (a job reattached on resume). */
  private readonly jobNiche = new Map<string, number>();

  // pending delta
  private seq = 0;
  private newPoints: PlotPoint[] = [];
  private readonly changedNiches = new Set<number>();
  private readonly dirtyGenerations = new Set<number>();
  private newLog: string[] = [];
  private frontDirty = false;
  private dirty = false;
  private completedGeneration = -1;
  /** Without a true front: the best front earlier runs of this task left (Quality tab's HV against it). */
  private readonly known: KnownFront | undefined;

  constructor(
    readonly config: RunConfig,
    readonly dir: string,
    niches: readonly NicheInfo[],
    private readonly predictorUnit: string,
    private readonly truth: RunTruth | undefined,
    opts: { live: boolean; known?: KnownFront },
  ) {
    this.live = opts.live;
    this.known = truth ? undefined : opts.known;
    this.phase = opts.live ? 'running' : 'interrupted';
    for (const n of niches) this.niches.set(n.id, emptyCard(n.id, n.name, n.constraint));
  }

  get evaluations(): number {
    return this.records.size;
  }

  get runPhase(): RunPhase {
    return this.phase;
  }

  /** Highest generation a niche has completed (generations run in lock-step), -1 before the first. */
  get generation(): number {
    return this.completedGeneration;
  }

  record(id: string): EvaluatedRecord | undefined {
    return this.records.get(id);
  }

  nicheCards(): NicheCard[] {
    return [...this.niches.values()];
  }

  /** Every evaluated point (read-only view; does not touch the pending delta). */
  allPoints(): readonly PlotPoint[] {
    return this.points;
  }

  frontIds(): readonly string[] {
    if (this.frontDirty) this.recomputeFront();
    return this.front;
  }

  setPhase(phase: RunPhase, error?: string, opts: { endpoint?: boolean } = {}): void {
    if (error) error = editorWording(error);
    if (this.phase === phase && this.error === error) return;
    this.phase = phase;
    this.error = error;
    this.endpointError = opts.endpoint ?? isEndpointError(error);
    if (phase === 'running' && this.live && !this.liveSince)
      this.liveSince = { ms: Date.now(), evaluations: this.records.size };
    if (phase === 'paused' || phase === 'completed')
      for (const c of this.niches.values())
        if (c.phase !== 'done' && c.phase !== 'error')
          this.cardPhase(c, phase === 'paused' ? 'paused' : 'done');
    if (phase === 'running')
      for (const c of this.niches.values()) if (c.phase === 'paused') this.cardPhase(c, 'waiting');
    // a run that ended early leaves no niche busy; a failure shows on every niche it stopped
    if (phase === 'stopped' || phase === 'interrupted')
      for (const c of this.niches.values())
        if (c.phase === 'paused' || c.phase === 'proposing' || c.phase === 'evaluating')
          this.cardPhase(c, 'waiting');
    if (phase === 'failed' && error) this.note(`run failed: ${error}`);
    if (phase === 'failed')
      for (const c of this.niches.values())
        if (c.phase !== 'done') {
          if (error) c.message = error;
          this.cardPhase(c, 'error');
        }
    this.dirty = true;
  }

  private cardPhase(c: NicheCard, p: NicheCard['phase']): void {
    c.phase = p;
    this.changedNiches.add(c.id);
  }

  private card(niche: number): NicheCard {
    let c = this.niches.get(niche);
    if (!c) {
      c = emptyCard(niche, `N${niche}`, '');
      this.niches.set(niche, c);
    }
    this.changedNiches.add(niche);
    return c;
  }

  /** True while some niche is proposing or evaluating (a pause waits for them). */
  get busy(): boolean {
    for (const c of this.niches.values())
      if (c.phase === 'proposing' || c.phase === 'evaluating') return true;
    return false;
  }

  private note(text: string): void {
    const line = `${clock(this.eventTime)}  ${text}`;
    this.log.push(line);
    if (this.log.length > LOG_LIMIT) this.log.splice(0, this.log.length - LOG_LIMIT);
    this.newLog.push(line);
  }

  /** Folds a scheduler's job event into its niche's card (queued / running / done / failed). */
  applyJob(e: JobEvent | JobSummary): void {
    if (e.type === 'job/summary') {
      this.cluster = e;
      return;
    }
    const niche = e.niche ?? this.jobNiche.get(e.id);
    if (niche === undefined) return;
    this.jobNiche.set(e.id, niche);
    let states = this.jobStates.get(niche);
    if (!states) this.jobStates.set(niche, (states = new Map()));
    // a job cancelled by this run (Stop) no longer counts; one cancelled outside it comes as 'failed'
    if (e.state === 'cancelled') states.delete(e.id);
    else states.set(e.id, e.state);
    const jobs = { queued: 0, running: 0, done: 0, failed: 0 };
    for (const s of states.values())
      if (s === 'running' || s === 'done' || s === 'failed') jobs[s]++;
      else jobs.queued++;
    this.card(niche).jobs = jobs;
    this.dirty = true;
  }

  apply(e: ModelEvent): void {
    if (e.type === 'job/state' || e.type === 'job/summary') {
      // replayed from events.jsonl (a reopened run): the cards fold job states as live; the status bar's totals
      // (`cluster`) come only from the live run's handler
      if (e.type === 'job/state') this.applyJob(e as unknown as JobEvent);
      return;
    }
    this.dirty = true;
    const t = (e as { t?: unknown }).t;
    this.eventTime = typeof t === 'string' ? t : undefined;
    const ev = e as SearchEvent | RunLifecycleEvent;
    switch (ev.type) {
      case 'niche/state': {
        const c = this.card(ev.niche);
        c.phase = ev.state;
        c.generation = ev.generation;
        if (ev.message) c.message = ev.message;
        if (ev.state === 'error' && ev.message) this.note(`N${ev.niche} gen ${ev.generation}: ${ev.message}`);
        return;
      }
      case 'arch/evaluated': {
        if (this.records.has(ev.id)) return;
        const { type: _t, ...rec } = ev;
        this.records.set(rec.id, rec);
        const p: PlotPoint = {
          id: rec.id,
          niche: rec.niche,
          generation: rec.generation,
          arch: rec.arch,
          predicted: rec.evaluation.predictedAccuracy,
          hw: this.config.costMetrics.map((m) => rec.evaluation.hw[m] ?? NaN),
          ...(rec.evaluation.trueAccuracy !== undefined ? { truth: rec.evaluation.trueAccuracy } : {}),
          ...(rec.evaluation.degenerate ? { degenerate: rec.evaluation.degenerate } : {}),
          ...(rec.operator ? { operator: rec.operator } : {}),
          ...(rec.rationale ? { rationale: rec.rationale } : {}),
        };
        this.points.push(p);
        this.newPoints.push(p);
        const c = this.card(rec.niche);
        c.evaluated++;
        c.generation = Math.max(c.generation, rec.generation);
        if (c.bestAccuracy === undefined || p.predicted > c.bestAccuracy) c.bestAccuracy = p.predicted;
        const cost = p.hw[0];
        if (cost !== undefined && !Number.isNaN(cost) && (c.lowestCost === undefined || cost < c.lowestCost))
          c.lowestCost = cost;
        return;
      }
      case 'candidate/rejected': {
        this.card(ev.niche).rejections++;
        this.note(`N${ev.niche} gen ${ev.generation} rejected (${ev.kind}): ${ev.message}`);
        return;
      }
      case 'operator/fallback': {
        this.card(ev.niche).fallbacks += ev.filled;
        this.note(`N${ev.niche} gen ${ev.generation}: built-in operator filled ${ev.filled} (${ev.reason})`);
        return;
      }
      case 'generation/planned': {
        ev.children.forEach((n, i) => (this.card(i).planned += n));
        return;
      }
      case 'generation/completed': {
        const c = this.card(ev.niche);
        c.generation = ev.generation;
        c.evaluated = Math.max(c.evaluated, ev.evaluations);
        c.archive = ev.archive.length;
        c.exhausted = ev.exhausted;
        if (c.phase !== 'done' && c.phase !== 'error') c.phase = 'waiting';
        this.archives.set(ev.niche, ev.archive);
        this.completedGeneration = Math.max(this.completedGeneration, ev.generation);
        {
          const best = c.bestAccuracy !== undefined ? `, best proxy score ${c.bestAccuracy.toFixed(3)}` : '';
          const unit = costUnit(this.config.costMetrics[0] ?? '');
          const low =
            c.lowestCost !== undefined
              ? `, lowest ${shortName(this.config.costMetrics[0])} ${c.lowestCost.toFixed(3)}${unit ? ` ${unit}` : ''}`
              : '';
          this.note(
            `${c.name} generation ${ev.generation} done: ${ev.evaluations} evaluated, archive ${ev.archive.length}${best}${low}${ev.exhausted ? ', exhausted' : ''}`,
          );
        }
        this.frontDirty = true;
        this.dirtyGenerations.add(ev.generation);
        return;
      }
      case 'niche/exhausted': {
        const c = this.card(ev.niche);
        c.exhausted = true;
        this.note(`N${ev.niche} gen ${ev.generation}: ${ev.message}`);
        return;
      }
      case 'search/completed': {
        this.phase = 'completed';
        for (const c of this.niches.values()) this.cardPhase(c, 'done');
        this.note(`search completed: ${ev.evaluations} evaluations in ${(ev.wallMs / 1000).toFixed(1)} s`);
        return;
      }
      case 'run/started':
      case 'run/resumed':
        if (this.phase !== 'completed') this.phase = this.live ? 'running' : 'interrupted';
        return;
      case 'run/resumed-from-folder':
        this.note(`resumed from folder with ${ev.evaluations} recorded evaluations`);
        if (this.phase !== 'completed') this.phase = this.live ? 'running' : 'interrupted';
        return;
      case 'run/paused':
        if (this.live) this.setPhase('paused');
        return;
      case 'run/stopped':
        this.setPhase('stopped');
        this.note(`run stopped: ${ev.reason}`);
        return;
      case 'run/failed': {
        const msg = editorWording(ev.error);
        this.setPhase('failed', msg, { endpoint: isEndpointError(msg) });
        return;
      }
      default: {
        const n = e as NoticeEvent;
        const where =
          `${n.niche !== undefined ? `N${n.niche} ` : ''}${n.generation !== undefined ? `gen ${n.generation}` : ''}`.trim();
        if (n.type === 'kb/updated')
          this.note(
            `${where}: the LLM revised the knowledge base (${n.positive} positive, ${n.negative} negative rules)`,
          );
        else if (n.type === 'kb/edited')
          this.note(
            this.config.operator === 'builtin'
              ? `${where}: your knowledge-base edit was recorded (${n.file}); the built-in operator does not read the knowledge base, so it changes nothing in this run`
              : `${where}: your knowledge-base edit took effect (${n.file})`,
          );
        else if (n.message) this.note(`${where ? `${where}: ` : ''}${n.message}`);
      }
    }
  }

  /** One LLM call from llm.jsonl: counts, tokens and cost on the niche's card. */
  applyLlm(r: LlmUsage): void {
    if (typeof r.niche !== 'number') return;
    const c = this.card(r.niche);
    c.llmCalls++;
    c.tokens += r.usage?.total_tokens ?? 0;
    c.costUsd += r.cost ?? 0;
    this.dirty = true;
  }

  /** Global front: the non-dominated union of the niche archives (predicted accuracy ↑, costs ↓). */
  private recomputeFront(): void {
    const archives = [...this.archives.values()].map((ids) =>
      ids.filter((id) => this.records.has(id)).map((id) => this.records.get(id)!),
    );
    this.front = frontOfArchives(archives, (r) => objectiveVector(r.evaluation, this.config.costMetrics)).map(
      (r) => r.id,
    );
    this.coverage = this.computeCoverage();
    this.frontDirty = false;
  }

  private computeCoverage(): CoverageInfo[] {
    return this.config.costMetrics.map((metric, k) => {
      const tf = this.truth?.trueFronts.find((f) => f.metric === metric);
      const basis: number[] = tf ? tf.points.map((p) => p[0]) : this.points.map((p) => p.hw[k]!);
      const finite = basis.filter((v) => Number.isFinite(v));
      const lo = Math.min(...finite);
      const hi = Math.max(...finite);
      const binOf = (v: number): number =>
        hi === lo ? 0 : Math.min(COVERAGE_BINS - 1, Math.floor(((v - lo) / (hi - lo)) * COVERAGE_BINS));
      const bins = Array.from({ length: COVERAGE_BINS }, (_, b) => ({
        lo: lo + ((hi - lo) * b) / COVERAGE_BINS,
        hi: lo + ((hi - lo) * (b + 1)) / COVERAGE_BINS,
        wanted: false,
        hit: false,
      }));
      if (finite.length === 0) return { metric, basis: tf ? 'true-front' : 'evaluated', bins: [] };
      for (const v of finite) bins[binOf(v)]!.wanted = true;
      for (const id of this.front) {
        const v = this.records.get(id)?.evaluation.hw[metric];
        if (v !== undefined && v >= lo && v <= hi) bins[binOf(v)]!.hit = true;
      }
      return { metric, basis: tf ? 'true-front' : 'evaluated', bins };
    });
  }

  private computeHistory(gen: number): HistoryRow {
    const upTo = [...this.records.values()].filter((r) => r.generation <= gen);
    const row: HistoryRow = { generation: gen, evaluations: upTo.length, frontSize: 0 };
    const vecs = upTo.map((r) => objectiveVector(r.evaluation, this.config.costMetrics));
    row.frontSize = nonDominated(vecs).length;
    if (this.truth && upTo.length > 0) {
      const s = this.truth.score(upTo);
      row.hvRatio = s.hvRatio;
      row.igd = s.igd;
      row.coverage = s.coverage;
    } else if (this.known?.runs && upTo.length > 0) {
      const own = frontOf(vecs);
      const r = hvRatioAgainst(frontOf([...this.known.points, ...own]), own);
      if (r !== undefined) row.knownHvRatio = r;
    }
    return row;
  }

  private settle(): HistoryRow[] {
    if (this.frontDirty) this.recomputeFront();
    const rows: HistoryRow[] = [];
    for (const g of [...this.dirtyGenerations].sort((a, b) => a - b)) {
      const row = this.computeHistory(g);
      this.history.set(g, row);
      rows.push(row);
    }
    this.dirtyGenerations.clear();
    return rows;
  }

  summary(): RunSummary {
    const c = this.config;
    return {
      id: c.id,
      dir: this.dir,
      space: c.space,
      dataset: c.dataset,
      costMetrics: c.costMetrics,
      costUnits: c.costMetrics.map(costUnit),
      operator: c.operator,
      predictor: c.predictor,
      predictorUnit: this.predictorUnit,
      generations: c.generations,
      budget: c.budget,
      evaluations: this.records.size,
      generation: this.generation,
      phase: this.phase,
      stepping: this.stepping,
      live: this.live,
      ...(this.error ? { error: this.error } : {}),
      ...(this.error && this.endpointError ? { endpointError: true } : {}),
      ...(this.known?.runs ? { knownFront: { runs: this.known.runs, size: this.known.points.length } } : {}),
      ...(this.secondsPerEvaluation() !== undefined
        ? { secondsPerEvaluation: this.secondsPerEvaluation()! }
        : {}),
    };
  }

  /** Wall seconds per evaluation since the model went live (at least 5 evaluations), else undefined. */
  secondsPerEvaluation(): number | undefined {
    if (!this.liveSince) return undefined;
    const n = this.records.size - this.liveSince.evaluations;
    if (n < 5) return undefined;
    return (Date.now() - this.liveSince.ms) / 1000 / n;
  }

  /** Full state; resets the pending delta (the snapshot includes it). */
  snapshot(): { seq: number; state: Omit<DashboardState, 'kb'> } {
    this.settle();
    this.newPoints = [];
    this.changedNiches.clear();
    this.newLog = [];
    this.dirty = false;
    return {
      seq: this.seq,
      state: {
        run: this.summary(),
        niches: this.nicheCards(),
        points: this.points,
        front: this.front,
        trueFronts: this.truth?.trueFronts ?? [],
        history: [...this.history.values()].sort((a, b) => a.generation - b.generation),
        coverage: this.coverage,
        log: [...this.log],
      },
    };
  }

  /** Changes since the last snapshot or delta, numbered; undefined when nothing changed. */
  takeDelta(): { seq: number; delta: AppendPayload } | undefined {
    if (!this.dirty) return undefined;
    const history = this.settle();
    const delta: AppendPayload = {
      run: this.summary(),
      niches: [...this.changedNiches].map((id) => this.niches.get(id)!).filter(Boolean),
      points: this.newPoints,
      front: this.front,
      history,
      coverage: this.coverage,
      log: this.newLog,
    };
    this.newPoints = [];
    this.changedNiches.clear();
    this.newLog = [];
    this.dirty = false;
    return { seq: ++this.seq, delta };
  }
}

/** "12:03:07" (local time) of an ISO time, or of now. */
export function clock(iso?: string): string {
  const d = iso ? new Date(iso) : new Date();
  const p = (n: number): string => String(n).padStart(2, '0');
  return Number.isNaN(d.getTime())
    ? '--:--:--'
    : `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

/** "edgegpu_latency" → "latency". */
function shortName(m: string | undefined): string {
  if (!m) return 'cost';
  return m.split('_').slice(1).join(' ') || m;
}

/** A niche card before any event: nothing evaluated, waiting. */
function emptyCard(id: number, name: string, constraint: string): NicheCard {
  return {
    id,
    name,
    constraint,
    generation: 0,
    phase: 'waiting',
    evaluated: 0,
    planned: 0,
    archive: 0,
    rejections: 0,
    fallbacks: 0,
    llmCalls: 0,
    tokens: 0,
    costUsd: 0,
    exhausted: false,
  };
}
