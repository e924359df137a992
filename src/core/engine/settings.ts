// Proxy names and settings of the live evaluator, free of any engine import so the extension host's thread can
// use them (and the score cache and tables) without loading onnxruntime.

export const LIVE_PROXIES = [
  'naswot',
  'swap',
  'meco',
  'logsynflow',
  'zen',
  'params',
  'flops',
  'expressivity',
  'progressivity',
  'trainability',
  'jacov',
] as const;
/** The proxies of the shipped full-space tables (expressivity/progressivity/trainability came later: not tabulated). */
export const TABLE_PROXIES = ['naswot', 'swap', 'meco', 'logsynflow', 'zen', 'params', 'flops'] as const;
/**
 * What the live evaluator computes by default: the default rank ensemble's proxies (nb201/live-ensemble.ts
 * ENSEMBLE_PROXIES) and FLOPs (analytic, free). SWAP and MeCo share the data pass, but their decoding and
 * outputs cost the worker pool a sixth of its throughput (294–301 against 344–354 archs/min on 2 cores,
 * bench/live-pool.md), so they are computed on request only, like AZ-NAS's terms; the shipped tables have them.
 */
export const DEFAULT_PROXIES = ['naswot', 'logsynflow', 'zen', 'params', 'flops'] as const;
export type LiveProxy = (typeof LIVE_PROXIES)[number];
/** AZ-NAS's three data terms (with FLOPs, its rule): the tables' `az` and `azN` parts hold these. */
export const AZ_TERMS = [
  'expressivity',
  'progressivity',
  'trainability',
] as const satisfies readonly LiveProxy[];
export type ProxyScores = Partial<Record<LiveProxy, number>>;

export interface ProxySettings {
  /** Images per batch for NASWOT, SWAP and MeCo (one shared forward pass). */
  batch: number;
  /** Gaussian inputs per Zen-NAS forward pass. */
  zenBatch: number;
  /** Zen-NAS mixup coefficient α in f(x) − f(x + α ε). */
  zenAlpha: number;
  seed: number;
  /**
   * First image of the data pass's batch in the shipped image file (default 0: images 0 … batch − 1); another
   * offset is another input batch, to measure (and average out) the data proxies' batch noise.
   */
  imageOffset?: number;
  /**
   * AZ-NAS's terms (expressivity, progressivity, trainability) as its paper computes them on NB201, in a pass of
   * their own: this many Gaussian-noise inputs (the paper: 64), Kaiming-normal fan-in weights, and the stem's
   * output as the first feature map (an 18th expressivity term, and cell 0 − stem in progressivity). Unset: the
   * terms come from the data pass (its image batch, PyTorch-default weights, the 17 cell outputs).
   */
  azBatch?: number;
  proxies: readonly LiveProxy[];
}

/** Batch sizes chosen for speed on CPU (2 cores: the full NB201 table in about an hour); see the README. */
export const DEFAULT_SETTINGS: ProxySettings = {
  batch: 32,
  zenBatch: 8,
  zenAlpha: 0.01,
  seed: 0,
  // SWAP, MeCo, AZ-NAS's expressivity/progressivity/trainability and jacov are computed on request only: the default
  // ensemble does not use them
  proxies: DEFAULT_PROXIES,
};

/** Canonical string of the settings that change scores (the cache key's second half). */
export function settingsKey(dataset: string, s: ProxySettings): string {
  // the image offset is written only when set, so the keys (and tables) of the default batch stay as they were
  const io = s.imageOffset ? `;io${s.imageOffset}` : '';
  const az = s.azBatch ? `;az${s.azBatch}` : '';
  return `${dataset};b${s.batch};zb${s.zenBatch};za${s.zenAlpha};s${s.seed}${io}${az}`;
}
