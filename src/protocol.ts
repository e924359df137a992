// Messages between the extension host and the dashboard webview — the ONLY file both sides import.
// Handshake: the webview posts `ready`; the host answers with a full `snapshot` (domain state lives in the host
// and the run folder). After that the host posts throttled `append` messages numbered by `seq`; a webview that
// sees a gap (or reloads) posts `resync` and gets a fresh snapshot. Requests carry an `id` and always get a
// `reply` with `ok: true` or `ok: false` and an error text, so nothing waits forever.

export const PROTOCOL_VERSION = 1;

/** The webview panel type (also the serializer's key and the `onWebviewPanel:` activation event). */
export const DASHBOARD_VIEW_TYPE = 'llmNas.dashboard';

export type RunPhase =
  | 'running'
  | 'paused'
  | 'stopping'
  | 'completed'
  | 'stopped'
  | 'failed'
  /** The folder's log ends mid-run and no live run owns it (window closed, process killed): resumable. */
  | 'interrupted';

export type NichePhase = 'waiting' | 'proposing' | 'evaluating' | 'paused' | 'done' | 'error';

export interface RunSummary {
  id: string;
  dir: string;
  space: string;
  dataset: string;
  costMetrics: string[];
  operator: string;
  predictor: string;
  /** What predicted accuracy means (the predictor's unit), for the axis title. */
  predictorUnit: string;
  generations: number;
  budget: number;
  evaluations: number;
  /** Highest generation any niche has completed (-1 before generation 0 completes). */
  generation: number;
  phase: RunPhase;
  /** Pause at every generation boundary (step mode); the run controls offer "Next generation". */
  stepping: boolean;
  /** True when this window owns the run (controls enabled); false for a folder opened for viewing. */
  live: boolean;
  error?: string;
}

export interface NicheCard {
  id: number;
  name: string;
  constraint: string;
  generation: number;
  phase: NichePhase;
  evaluated: number;
  /** Children planned for this niche so far (sum over the generation plans). */
  planned: number;
  archive: number;
  bestAccuracy?: number;
  /** Lowest value of the first cost metric in the niche. */
  lowestCost?: number;
  rejections: number;
  fallbacks: number;
  llmCalls: number;
  tokens: number;
  costUsd: number;
  exhausted: boolean;
  message?: string;
}

/** One evaluated architecture, as the plot needs it. `hw` follows RunSummary.costMetrics. */
export interface PlotPoint {
  id: string;
  niche: number;
  generation: number;
  arch: string;
  predicted: number;
  hw: number[];
  /** Benchmark test accuracy (%), when the space has ground truth. */
  truth?: number;
  /** 'disconnected' (output does not depend on the input) or 'identity' (the cell applies no operation). */
  degenerate?: string;
  /** How it was made (mutation, crossover, random, llm, ...) and why: the operator's or the LLM's rationale. */
  operator?: string;
  rationale?: string;
}

/** The benchmark's true front for one cost metric: [cost, test accuracy %] sorted by cost. */
export interface TrueFront {
  metric: string;
  points: [number, number][];
}

export interface HistoryRow {
  generation: number;
  evaluations: number;
  frontSize: number;
  hvRatio?: number;
  igd?: number;
  coverage?: number;
}

export interface CoverageBin {
  lo: number;
  hi: number;
  /** The true front (or, without one, the evaluated set) has a point in this range. */
  wanted: boolean;
  /** The run's global front has a point in this range. */
  hit: boolean;
}

export interface CoverageInfo {
  metric: string;
  /** 'true-front' when bins come from the benchmark's true front, else 'evaluated'. */
  basis: 'true-front' | 'evaluated';
  bins: CoverageBin[];
}

export type RuleKind = 'positive' | 'negative';

export interface KbRule {
  kind: RuleKind;
  text: string;
  /** What supports the rule (ids, numbers), as written by the LLM or the user. */
  evidence?: string;
}

export interface KbSection {
  /** 'global' or the niche name ('N0', 'N1', ...). */
  key: string;
  title: string;
  rules: KbRule[];
}

export interface KbVersion {
  /** File name under kb/, e.g. gen-03.md. */
  name: string;
  generation: number;
  text: string;
}

export interface KbState {
  /** The file the user edits (knowledge-base.md in the run folder). */
  file: string;
  /** Current text of that file, and a hash the panel sends back on save to detect concurrent edits. */
  text: string;
  hash: string;
  sections: KbSection[];
  /** Snapshots taken at generation boundaries; the last one is the version in force. */
  versions: KbVersion[];
  /** The file differs from the version in force: the edit applies at the next generation boundary. */
  pending: boolean;
  /** Problems in the file as it is (line-numbered); the run will reject it and keep the version in force. */
  problems?: string[];
}

export interface DashboardState {
  run?: RunSummary;
  niches: NicheCard[];
  points: PlotPoint[];
  /** Ids on the run's global front (non-dominated union of the niche archives). */
  front: string[];
  trueFronts: TrueFront[];
  history: HistoryRow[];
  coverage: CoverageInfo[];
  kb?: KbState;
  /** Recent notable events (rejections, fallbacks, errors) as plain text. */
  log: string[];
}

export interface AppendPayload {
  run: RunSummary;
  /** Only the cards that changed. */
  niches: NicheCard[];
  /** Only the new points. */
  points: PlotPoint[];
  front: string[];
  /** Rows that are new or recomputed (matched by generation). */
  history: HistoryRow[];
  coverage: CoverageInfo[];
  log: string[];
}

export type HostToWebview =
  | { type: 'snapshot'; protocol: number; seq: number; state: DashboardState }
  | { type: 'append'; seq: number; delta: AppendPayload }
  | { type: 'kb'; kb: KbState }
  | { type: 'reply'; id: number; ok: true; result: unknown }
  | { type: 'reply'; id: number; ok: false; error: string };

export type RunAction = 'pause' | 'resume' | 'stop' | 'step';

/** Requests the webview makes; each gets exactly one reply. */
export type WebviewRequest =
  | { type: 'run/control'; action: RunAction }
  | { type: 'run/resumeFolder' }
  | { type: 'run/new' }
  | { type: 'spec/open'; archId: string }
  | { type: 'kb/save'; sections: KbSection[]; baseHash: string }
  | { type: 'kb/openFile' }
  | { type: 'export'; format: 'csv' | 'json' };

export type WebviewToHost =
  | { type: 'ready'; protocol: number }
  | { type: 'resync'; lastSeq: number }
  | { type: 'request'; id: number; request: WebviewRequest }
  /** Render timings the webview measured (logged by the host; read by the E2E test). */
  | { type: 'perf'; points: number; snapshotMs: number; appendMs?: number };

/** What the webview keeps in `vscode.setState` (UI state only) and the serializer gets back after a reload. */
export interface DashboardUiState {
  runDir?: string;
  tab?: string;
  xMetric?: number;
  yAxis?: 'predicted' | 'truth';
}

export function assertNever(x: never): never {
  throw new Error(`unexpected message: ${JSON.stringify(x)}`);
}
