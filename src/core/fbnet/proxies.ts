// FBNet proxy names and the worker-pool job, free of any engine import (the extension host's thread uses them
// without loading onnxruntime; score.ts computes the scores on a worker thread).

import type { FbnetArch } from './space.js';

/** Proxies computed for FBNet (MeCo is left out: its eigen-decompositions of 184/352-channel maps cost ~10 s). */
export const FBNET_PROXIES = ['naswot', 'swap', 'logsynflow', 'zen', 'params', 'flops'] as const;
/** The rank-average ensemble of the NB201 benchmark protocol (naswot, logsynflow, zen, params). */
export const FBNET_RANK_PROXIES = ['naswot', 'logsynflow', 'zen', 'params'] as const;

/** A worker-pool job: score one FBNet architecture. */
export interface FbnetScoreJob {
  space: 'fbnet';
  dataset: string;
  arch: FbnetArch;
  proxies: readonly string[];
}
