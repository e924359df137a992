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
  /** Pause asked for; the generation in progress is still being evaluated. */
  | 'pausing'
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
  /** Unit of each cost metric ('ms', 'mJ', ...), same order as costMetrics. */
  costUnits: string[];
  operator: string;
  predictor: string;
  /** What predicted accuracy means (the predictor's unit), for the axis title. */
  predictorUnit: string;
  generations: number;
  budget: number;
  evaluations: number;
  /**
   * Highest generation any niche has completed (-1 before generation 0 completes). Generations are numbered from
   * 0 everywhere (UI, spec files, events, kb/gen-NN.md, prompts, CLI); counts say "k of G done".
   */
  generation: number;
  phase: RunPhase;
  /** Pause at every generation boundary (step mode); the run controls offer "Next generation". */
  stepping: boolean;
  /** True when this window owns the run (controls enabled); false for a folder opened for viewing. */
  live: boolean;
  error?: string;
  /** The error is the LLM endpoint's (unreachable, key rejected, no such model): the panel offers its fixes. */
  endpointError?: boolean;
  /** Seconds per evaluation measured so far in this session (for the ETA), when known. */
  secondsPerEvaluation?: number;
  /** Spaces without a true front: earlier runs of the same task in the runs folder, and their best front's size. */
  knownFront?: { runs: number; size: number };
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
  /** Lowest value of the first cost metric in the niche (unit: RunSummary.costUnits[0]). */
  lowestCost?: number;
  rejections: number;
  fallbacks: number;
  llmCalls: number;
  tokens: number;
  costUsd: number;
  exhausted: boolean;
  message?: string;
  /** This niche's candidates at a scheduler (SLURM), only when the run's evaluator submits jobs. */
  jobs?: NicheJobs;
}

/** Candidates of a niche by the state of their latest job (requeued ones count as queued). */
export interface NicheJobs {
  queued: number;
  running: number;
  done: number;
  failed: number;
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
  /**
   * Spaces without a true front: HV of the run's front up to this generation over HV of the best front known
   * then (earlier runs of the same task in the runs folder ∪ this run so far); ≤ 1, 1 = matches the best known.
   */
  knownHvRatio?: number;
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
  /** Why the panel may not edit it (a completed run applies no more generations). */
  readOnly?: string;
  /** The run's operator does not read the knowledge base (the built-in operator). */
  unusedByOperator?: boolean;
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
  /** Recent notable events (rejections, fallbacks, errors, one line per generation per niche), timestamped. */
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
  /** The reply to request `id`: its result has the type of that request's reply (ResultOf). */
  | { type: 'reply'; id: number; ok: true; result: ResponseOf<RequestType> }
  | { type: 'reply'; id: number; ok: false; error: string };

export type RunAction = 'pause' | 'resume' | 'stop' | 'step';

/** Another run's front in the shown run's axes (hw follows the shown run's costMetrics). */
export interface OverlayRun {
  name: string;
  dir: string;
  front: { id: string; predicted: number; hw: number[]; truth?: number }[];
}

export type ModelFormat = 'pytorch' | 'onnx';
export type PictureFormat = 'svg' | 'png';

/** A latency measured on this machine (never a lookup-table figure): always shown as "measured here". */
export interface MeasuredHere {
  archId: string;
  medianMs: number;
  label: 'measured here';
  /** The machine, runtime, batch, threads, warm-up and runs the figure belongs to. */
  context: string;
  batch: number;
  threads: number;
  runs: number;
}

/** What the endpoint check found (New Search, the command, the panel). */
export interface ConnectionResult {
  ok: boolean;
  endpoint: string;
  /** One line for the user: what was reached, or what failed and what to change. */
  message: string;
  ms: number;
  /** The configured model is among those the endpoint lists (undefined: it lists none). */
  modelListed?: boolean;
}

/**
 * A request the webview makes (`Params`, sent with its `type`) and the reply it gets (`Response`): GitLens-style
 * `IpcRequest<Params, Response>`, so both sides name the reply type through the request.
 */
export interface IpcRequest<Params extends object, Response> {
  params: Params;
  response: Response;
}

/** The empty reply (the request was carried out; nothing to report). */
export type NoReply = Record<string, never>;

/** Every request the webview makes, each with its typed reply; each gets exactly one reply. */
export interface Requests {
  'run/control': IpcRequest<{ action: RunAction }, { phase?: RunPhase }>;
  'run/resumeFolder': IpcRequest<object, NoReply>;
  /** Continue a run whose LLM endpoint failed with the built-in operator. */
  'run/fallbackBuiltin': IpcRequest<object, NoReply>;
  'settings/open': IpcRequest<{ query: string }, NoReply>;
  'llm/testConnection': IpcRequest<object, ConnectionResult>;
  'run/new': IpcRequest<object, NoReply>;
  'spec/open': IpcRequest<{ archId: string }, NoReply>;
  'kb/save': IpcRequest<{ sections: KbSection[]; baseHash: string }, { merged: boolean; hash: string }>;
  'kb/openFile': IpcRequest<object, NoReply>;
  export: IpcRequest<{ format: 'csv' | 'json' }, NoReply>;
  /**
   * An architecture of the shown run as a network file (through llmNas.exportModel): 'dialog' asks where,
   * 'run' writes <run>/models/<id>.py|.onnx. path: where the file went (absent: the dialog was cancelled).
   */
  'model/export': IpcRequest<
    { archId: string; format: ModelFormat; where: 'dialog' | 'run' },
    { path?: string }
  >;
  /** Times an architecture on this machine's CPU (through llmNas.measureModel). */
  'model/measure': IpcRequest<{ archId: string }, MeasuredHere>;
  /**
   * The run's Pareto plot and HV history as a picture, rendered by the host with the CLI's renderer
   * (`llm-nas plot`): to <run>/plots/ or a save dialog; without format/where the host asks.
   */
  'plot/save': IpcRequest<{ format?: PictureFormat; where?: 'dialog' | 'run' }, { path?: string }>;
  /**
   * Other runs of the same task whose fronts the plot overlays: the folders given ([] clears), or, without
   * dirs, the host asks which of the runs beside the shown one. runs: the overlay now shown (absent: the pick
   * was cancelled, keep the overlay as it is).
   */
  'plot/overlay': IpcRequest<{ dirs?: string[] }, { runs?: OverlayRun[] }>;
}

export type RequestType = keyof Requests;
/** The message of one request: its type and its params. */
export type RequestOf<K extends RequestType> = { type: K } & Requests[K]['params'];
/** Any request the webview makes. */
export type WebviewRequest = { [K in RequestType]: RequestOf<K> }[RequestType];
/** The reply type of a request type. */
export type ResponseOf<K extends RequestType> = Requests[K]['response'];
/** The reply type of a request message. */
export type ResultOf<R extends WebviewRequest> = ResponseOf<R['type']>;

/** Unit of a cost metric by its name (`<device>_latency` in ms, `<device>_energy` in mJ). */
export function costUnit(metric: string): string {
  if (/_latency$/.test(metric) || metric === 'latency') return 'ms';
  if (/_energy$/.test(metric) || metric === 'energy') return 'mJ';
  return '';
}

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
  /** Plot tools: log-scale x axis, niches hidden by the filter, pinned point ids. */
  logX?: boolean;
  hiddenNiches?: number[];
  pinned?: string[];
}

export function assertNever(x: never): never {
  throw new Error(`unexpected message: ${JSON.stringify(x)}`);
}
