// ViT proxy names, settings and worker-pool jobs, free of any engine import (the extension host's thread uses
// them without loading onnxruntime; scorer.ts computes them on a worker thread).

import type { VitArch } from './space.js';

export const VIT_PROXIES = ['naswot', 'params', 'flops'] as const;
export const VIT_RANK_PROXIES = ['naswot', 'params'] as const;

export interface VitProxyOptions {
  batch: number;
  seed: number;
}
export const VIT_PROXY_DEFAULTS: VitProxyOptions = { batch: 16, seed: 0 };

/** Worker-pool jobs: the zero-cost scores of a subnet, or its measured (disk-cached) CPU latency in ms. */
export type VitJob =
  | { space: 'vit'; task: 'score'; arch: VitArch; proxies: readonly string[] }
  | { space: 'vit'; task: 'latency'; arch: VitArch; key: string };
