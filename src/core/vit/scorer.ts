// Zero-cost proxies and CPU latency of ViT subnets on onnxruntime-node.
// Proxies (forward only; ONNX Runtime has no autograd):
//  - naswot: log|det K| of the Hamming kernel of binary codes, here the signs of every MLP's GELU input over all
//    tokens (Mellor et al., "Neural Architecture Search without Training", ICML 2021; evaluated on ViT spaces as a
//    baseline in Zhou et al., "Training-free Transformer Architecture Search", CVPR 2022);
//  - params: parameter count, the training-free proxy of Javaheripi et al., "LiteTransformerSearch" (NeurIPS
//    2022), which ranks transformer subnets of one supernet about as well as training-based ones;
//  - flops: multiply-adds (reported, not ranked).
// Latency: measured here — batch 1, one intra-op thread, warm-up runs, then the median of repeated runs — and
// cached on disk per architecture and machine, so a number is measured once.

import os from 'node:os';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { cacheDir } from '../engine/cache.js';
import { imageBatch } from '../engine/inputs.js';
import { naswotFromGram } from '../engine/proxies.js';
import { gaussianInput } from '../engine/inputs.js';
import { medianForwardMs } from '../engine/timing.js';
import { emitVit, vitCost, type VitNetConfig, type VitShape } from './net.js';
import { VIT_PROXIES, VIT_PROXY_DEFAULTS, type VitProxyOptions } from './proxies.js';

const SESSION: ort.InferenceSession.SessionOptions = {
  intraOpNumThreads: 1,
  interOpNumThreads: 1,
  executionMode: 'sequential',
  graphOptimizationLevel: 'all',
};

export { VIT_PROXIES, VIT_PROXY_DEFAULTS, VIT_RANK_PROXIES, type VitProxyOptions } from './proxies.js';

/** CIFAR-100 images (no ImageNet images ship), nearest-neighbour upsampled to the ViT's resolution. */
export function vitImages(n: number, resolution: number): Float32Array {
  const src = imageBatch('cifar100', n);
  if (resolution === 32) return src;
  const f = resolution / 32;
  if (!Number.isInteger(f)) throw new Error(`ViT images: resolution ${resolution} is not a multiple of 32`);
  const out = new Float32Array(n * 3 * resolution * resolution);
  for (let i = 0; i < n * 3; i++)
    for (let y = 0; y < resolution; y++)
      for (let x = 0; x < resolution; x++)
        out[(i * resolution + y) * resolution + x] =
          src[(i * 32 + Math.floor(y / f)) * 32 + Math.floor(x / f)]!;
  return out;
}

const imagesCache = new Map<string, Float32Array>();

export async function scoreVit(
  a: VitShape,
  cfg: VitNetConfig,
  o: VitProxyOptions = VIT_PROXY_DEFAULTS,
  proxies: readonly string[] = VIT_PROXIES,
): Promise<Record<string, number>> {
  const c = vitCost(a, cfg);
  if (!proxies.includes('naswot')) return { params: c.paramsM, flops: c.flopsM };
  const key = `${o.batch}:${cfg.resolution}`;
  let images = imagesCache.get(key);
  if (!images) imagesCache.set(key, (images = vitImages(o.batch, cfg.resolution)));
  const e = emitVit(a, cfg, 'data', o.seed);
  const session = await ort.InferenceSession.create(e.bytes, SESSION);
  try {
    const r = await session.run({
      x: new ort.Tensor('float32', images, [o.batch, 3, cfg.resolution, cfg.resolution]),
    });
    const naswot = naswotFromGram(
      r['naswot_gram']!.data as Float32Array,
      r['naswot_rows']!.data as Float32Array,
      e.naswotD,
      o.batch,
    );
    return { naswot, params: c.paramsM, flops: c.flopsM };
  } finally {
    await session.release();
  }
}

export interface LatencyOptions {
  warmup: number;
  runs: number;
  threads: number;
}
export const LATENCY_DEFAULTS: LatencyOptions = { warmup: 3, runs: 10, threads: 1 };

/** Median wall time (ms) of a batch-1 forward on this CPU. */
export async function measureVitLatency(
  a: VitShape,
  cfg: VitNetConfig,
  o: LatencyOptions = LATENCY_DEFAULTS,
): Promise<number> {
  const e = emitVit(a, cfg, 'latency');
  const session = await ort.InferenceSession.create(e.bytes, { ...SESSION, intraOpNumThreads: o.threads });
  try {
    const x = new ort.Tensor('float32', gaussianInput(0, 'latency', 3 * cfg.resolution ** 2), [
      1,
      3,
      cfg.resolution,
      cfg.resolution,
    ]);
    return await medianForwardMs(session, { x }, o.warmup, o.runs);
  } finally {
    await session.release();
  }
}

/** Where measured latencies are kept: the inference engine's cache folder (engine/cache.ts). */
export function latencyCacheFile(): string {
  const dir = cacheDir();
  return path.join(dir, 'vit-cpu-latency.json');
}

/** The machine a latency belongs to (CPU model, cores) and how it was measured. */
export function latencyContext(o: LatencyOptions = LATENCY_DEFAULTS): string {
  const cpu = os.cpus()[0]?.model ?? 'unknown cpu';
  return `${cpu} x${os.cpus().length}; onnxruntime-node ${ort.env.versions.node ?? ''}; threads ${o.threads}; batch 1; warmup ${o.warmup}; median of ${o.runs}`;
}
