// Proxy input batches: real images shipped in data/live-<dataset>.bin (built by scripts/make-live-batches.mjs
// from the CIFAR samples; raw CIFAR records: 1 label byte + 3·H·W pixel bytes, CHW), normalised with NB201's
// per-dataset mean/std; and Gaussian noise from the deterministic generator for data-free proxies.

import fs from 'node:fs';
import path from 'node:path';
import { dataDir } from '../data.js';
import { hash32, normalTensor, tensorKey } from './weights.js';

interface BatchInfo {
  file: string;
  resolution: number;
  mean: [number, number, number];
  std: [number, number, number];
}

/** NB201's normalisation constants (its data loaders), per dataset. */
export const BATCHES: Record<string, BatchInfo> = {
  cifar10: { file: 'live-cifar10.bin', resolution: 32, mean: [125.3, 123.0, 113.9], std: [63.0, 62.1, 66.7] },
  cifar100: {
    file: 'live-cifar100.bin',
    resolution: 32,
    mean: [129.3, 124.1, 112.4],
    std: [68.2, 65.4, 70.4],
  },
  'ImageNet16-120': {
    file: 'live-imagenet16.bin',
    resolution: 16,
    mean: [122.68, 116.66, 104.01],
    std: [63.22, 61.26, 65.09],
  },
};

const rawCache = new Map<string, Buffer>();

/** `n` images of a dataset's shipped batch from image `offset` on, normalised, as (n, 3, R, R) float32. */
export function imageBatch(dataset: string, n: number, dir = dataDir(), offset = 0): Float32Array {
  const info = BATCHES[dataset];
  if (!info) throw new Error(`live evaluator: no image batch for dataset "${dataset}"`);
  const file = path.join(dir, info.file);
  let raw = rawCache.get(file);
  if (!raw) {
    raw = fs.readFileSync(file);
    rawCache.set(file, raw);
  }
  const px = info.resolution * info.resolution;
  const rec = 1 + 3 * px;
  if (!Number.isInteger(offset) || offset < 0 || raw.length < (offset + n) * rec)
    throw new Error(
      `live evaluator: ${file} holds ${Math.floor(raw.length / rec)} images, ${n} asked from image ${offset}`,
    );
  const out = new Float32Array(n * 3 * px);
  for (let i = 0; i < n; i++)
    for (let c = 0; c < 3; c++) {
      const m = info.mean[c]! / 255;
      const s = info.std[c]! / 255;
      for (let j = 0; j < px; j++)
        out[(i * 3 + c) * px + j] = (raw[(offset + i) * rec + 1 + c * px + j]! / 255 - m) / s;
    }
  return out;
}

/** Standard Gaussian input of `count` values from (seed, stream). */
export function gaussianInput(seed: number, stream: string, count: number): Float32Array {
  return normalTensor(tensorKey(seed, 'input', stream), count);
}

/** ±1 entries (the top bit of the hash) of `count` values from (seed, stream): the trainability tangents. */
export function rademacherInput(seed: number, stream: string, count: number): Float32Array {
  const key = tensorKey(seed, 'input', stream);
  const out = new Float32Array(count);
  for (let j = 0; j < count; j++) out[j] = hash32(key, j) >>> 31 ? 1 : -1;
  return out;
}
