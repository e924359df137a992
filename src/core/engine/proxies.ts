// Scores one network with the live zero-cost proxies: builds the ONNX graphs (onnx.ts), runs them on
// onnxruntime-node (CPU, one intra-op thread: parallelism comes from worker threads), and reduces the outputs to
// proxy values in float64 (linalg.ts). Deterministic: weights and noise are functions of the settings' seed.

import * as ort from 'onnxruntime-node';
import { corrcoefRows, logAbsDet, symmetricEigenvalues, symmetricMinEigenvalue } from './linalg.js';
import { analyticCost, type Net } from './net.js';
import { emitOnnx, SWAP_CHUNK, type DataLayout } from './onnx.js';
import { BATCHES, gaussianInput, imageBatch, rademacherInput } from './inputs.js';
import {
  DEFAULT_SETTINGS,
  LIVE_PROXIES,
  settingsKey,
  type LiveProxy,
  type ProxyScores,
  type ProxySettings,
} from './settings.js';
import { WeightSource } from './weights.js';

export { DEFAULT_SETTINGS, LIVE_PROXIES, settingsKey, type LiveProxy, type ProxyScores, type ProxySettings };

export interface ScoreInputs {
  /** (batch, 3, R, R) normalised images. */
  images: Float32Array;
  /** Two (zenBatch, 3, R, R) Gaussian tensors: x and ε. */
  zenX: Float32Array;
  zenEps: Float32Array;
  /** (azBatch, 3, R, R) Gaussian noise of AZ-NAS's own pass (ProxySettings.azBatch), when set. */
  azX?: Float32Array;
}

const SESSION_OPTIONS: ort.InferenceSession.SessionOptions = {
  intraOpNumThreads: 1,
  interOpNumThreads: 1,
  executionMode: 'sequential',
  graphOptimizationLevel: 'extended',
};

async function run(
  bytes: Uint8Array,
  feeds: Record<string, ort.Tensor>,
): Promise<ort.InferenceSession.ReturnType> {
  const session = await ort.InferenceSession.create(bytes, SESSION_OPTIONS);
  try {
    return await session.run(feeds);
  } finally {
    await session.release();
  }
}

function f32(t: ort.Tensor | undefined, name: string): Float32Array {
  if (!t) throw new Error(`onnx output ${name} missing`);
  return t.data as Float32Array;
}

/** NASWOT: log|det K|, K_ij = Σ_sites (D − S_i − S_j + 2 G_ij) (Hamming-kernel identity of binary codes). */
export function naswotFromGram(gram: Float32Array, rows: Float32Array, d: number, n: number): number {
  const k = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) k[i * n + j] = d - rows[i]! - rows[j]! + 2 * gram[i * n + j]!;
  return logAbsDet(k, n);
}

/** SWAP: number of distinct sample-wise activation patterns over all ReLU neurons. */
export function swapFromPatterns(outputs: Float32Array[], chunks: number): number {
  const words = Math.ceil(chunks / 2);
  let total = 0;
  for (const o of outputs) total += o.length / chunks;
  let cap = 1024;
  while (cap < total * 2) cap *= 2;
  const table = new Uint32Array(cap * words);
  const used = new Uint8Array(cap);
  const key = new Uint32Array(words);
  let distinct = 0;
  for (const o of outputs) {
    const neurons = o.length / chunks;
    for (let r = 0; r < neurons; r++) {
      key.fill(0);
      for (let c = 0; c < chunks; c++) key[c >> 1]! |= o[r * chunks + c]! << ((c & 1) * 16);
      let h = 0x811c9dc5;
      for (let w = 0; w < words; w++) h = Math.imul(h ^ key[w]!, 0x01000193) ^ (h >>> 15);
      let slot = (h >>> 0) & (cap - 1);
      for (;;) {
        if (!used[slot]) {
          used[slot] = 1;
          for (let w = 0; w < words; w++) table[slot * words + w] = key[w]!;
          distinct++;
          break;
        }
        let same = true;
        for (let w = 0; w < words && same; w++) same = table[slot * words + w] === key[w];
        if (same) break;
        slot = (slot + 1) & (cap - 1);
      }
    }
  }
  return distinct;
}

/** MeCo: Σ over taps of the smallest eigenvalue of the channel correlation matrix of the first sample. */
export function mecoFromTaps(taps: { data: Float32Array; c: number; hw: number }[]): number {
  let s = 0;
  for (const t of taps) s += symmetricMinEigenvalue(corrcoefRows(t.data, t.c, t.hw), t.c);
  return s;
}

/**
 * AZ-NAS expressivity of one feature map: the entropy Σ −p log(p + 1e-8) of its channel covariance's
 * eigenvalues normalised to sum 1 (Lee & Ham, CVPR 2024, `compute_az_nas_score.py`). Eigenvalues a rounding
 * below zero are clamped at 0 and a zero covariance (a cell fed only zeros) has entropy 0 (NaN in that code).
 */
export function eigenEntropy(cov: Float64Array, c: number): number {
  const ev = symmetricEigenvalues(cov, c);
  let sum = 0;
  // float32 covariances of rank-deficient features have eigenvalues a rounding below zero: clamped at 0
  for (let i = 0; i < ev.length; i++) ev[i] = Math.max(0, ev[i]!);
  for (const v of ev) sum += v;
  if (!(sum > 0)) return 0;
  let h = 0;
  for (const v of ev) {
    const p = v / sum;
    h -= p * Math.log(p + 1e-8);
  }
  return h;
}

/**
 * AZ-NAS trainability from the blocks' tangent cross-moments M (rows × cols, float32): the mean over blocks of
 * −σ − 1/(σ + 1e-6) + 2, σ = the largest singular value of M (√ of the largest eigenvalue of the smaller Gram
 * matrix, float64); −∞ when a block is the identity (J·u = u exactly; AZ-NAS's g_in = g_out check) or the mean
 * is NaN, as in `compute_az_nas_score.py`. M here is the forward-mode estimate (onnx.ts), not AZ-NAS's backward one.
 */
export function trainabilityFromBlocks(
  blocks: { mat: Float32Array; rows: number; cols: number; identity: boolean }[],
): number {
  let sum = 0;
  for (const b of blocks) {
    if (b.identity) return -Infinity;
    const k = Math.min(b.rows, b.cols);
    const gram = new Float64Array(k * k);
    for (let i = 0; i < k; i++)
      for (let j = i; j < k; j++) {
        let acc = 0;
        if (b.rows >= b.cols)
          for (let r = 0; r < b.rows; r++) acc += b.mat[r * b.cols + i]! * b.mat[r * b.cols + j]!;
        else for (let c = 0; c < b.cols; c++) acc += b.mat[i * b.cols + c]! * b.mat[j * b.cols + c]!;
        gram[i * k + j] = acc;
        gram[j * k + i] = acc;
      }
    let top = 0;
    for (const v of symmetricEigenvalues(gram, k)) top = Math.max(top, v);
    const sigma = Math.sqrt(top);
    sum += -sigma - 1 / (sigma + 1e-6) + 2;
  }
  const mean = sum / blocks.length;
  return Number.isNaN(mean) ? -Infinity : mean;
}

/**
 * jacov (Mellor et al., NASWOT v1; zero-cost-nas `jacob_cov`): from the per-sample input gradients J (batch rows),
 * −Σ (log(λ + k) + 1/(λ + k)), k = 1e-5, over the eigenvalues λ of their correlation matrix. −∞ when a row has no
 * variance (no gradient reaches the input, or it is constant: NaN in that code) or an eigenvalue is below −k.
 */
export function jacovFromGradient(grad: Float32Array, batch: number): number {
  const d = grad.length / batch;
  for (let r = 0; r < batch; r++) {
    let lo = Infinity;
    let hi = -Infinity;
    for (let c = 0; c < d; c++) {
      const v = grad[r * d + c]!;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    if (!(hi > lo)) return -Infinity;
  }
  const k = 1e-5;
  let score = 0;
  for (const v of symmetricEigenvalues(corrcoefRows(grad, batch, d), batch))
    score -= Math.log(v + k) + 1 / (v + k);
  return Number.isNaN(score) ? -Infinity : score;
}

const rademacherCache = new Map<string, Float32Array>();

/** The Rademacher tangent of one block-input shape (cached: the same for every network of these settings). */
function trainTangent(seed: number, name: string, count: number): Float32Array {
  const key = `${seed}:${name}`;
  let v = rademacherCache.get(key);
  if (!v) {
    v = rademacherInput(seed, name, count);
    rademacherCache.set(key, v);
  }
  return v;
}

/** Zen-NAS: log E_b Σ|f(x) − f(x + αε)| + Σ_BN log sqrt(mean running_var after the two passes). */
export function zenFromOutputs(
  f1: Float32Array,
  f2: Float32Array,
  batch: number,
  v1: Float32Array,
  v2: Float32Array,
): number {
  let diff = 0;
  for (let i = 0; i < f1.length; i++) diff += Math.abs(f1[i]! - f2[i]!);
  let bn = 0;
  // BN running_var starts at 1 and is updated twice with momentum 0.1 (unbiased batch variance)
  for (let i = 0; i < v1.length; i++) bn += 0.5 * Math.log(0.81 + 0.09 * v1[i]! + 0.1 * v2[i]!);
  return Math.log(diff / batch) + bn;
}

export async function scoreNet(net: Net, s: ProxySettings, inputs: ScoreInputs): Promise<ProxyScores> {
  const want = new Set(s.proxies);
  const out: ProxyScores = {};
  const res = net.inputShape;
  const px = res.c * res.h * res.w;
  if (want.has('params') || want.has('flops')) {
    const c = analyticCost(net);
    if (want.has('params')) out.params = c.paramsM;
    if (want.has('flops')) out.flops = c.flopsM;
  }
  // AZ-NAS's terms come from the data pass, or from a pass of their own in the paper's settings (azBatch)
  const azOwn = !!s.azBatch;
  const azWant = {
    expressivity: want.has('expressivity') || want.has('progressivity'),
    trainability: want.has('trainability'),
  };
  const inData = (x: boolean): boolean => x && !azOwn;
  if (
    want.has('naswot') ||
    want.has('swap') ||
    want.has('meco') ||
    inData(azWant.expressivity) ||
    inData(azWant.trainability) ||
    want.has('jacov')
  ) {
    const e = emitOnnx(net, {
      mode: 'data',
      weights: new WeightSource(s.seed, 'torch-default'),
      batch: s.batch,
      naswot: want.has('naswot'),
      swap: want.has('swap'),
      meco: want.has('meco'),
      expressivity: inData(azWant.expressivity),
      trainability: inData(azWant.trainability),
      jacov: want.has('jacov'),
    });
    const layout = e.layout as DataLayout;
    const r = await run(e.bytes, dataFeeds(layout, inputs.images, s.batch, s.seed, res));
    if (!azOwn) azTerms(want, layout, r, out);
    if (want.has('jacov')) out.jacov = jacovFromGradient(f32(r['jacov_grad'], 'jacov_grad'), s.batch);
    if (want.has('naswot'))
      out.naswot = naswotFromGram(
        f32(r['naswot_gram'], 'naswot_gram'),
        f32(r['naswot_rows'], 'naswot_rows'),
        layout.naswotD,
        s.batch,
      );
    if (want.has('swap'))
      out.swap = swapFromPatterns(
        layout.swapOutputs.map((o) => f32(r[o], o)),
        layout.swapChunks,
      );
    if (want.has('meco'))
      out.meco = mecoFromTaps(
        layout.mecoOutputs.map((o) => {
          const t = r[o]!;
          const dims = t.dims as number[];
          return { data: t.data as Float32Array, c: dims[1]!, hw: dims[2]! * dims[3]! };
        }),
      );
  }
  if (azOwn && (azWant.expressivity || azWant.trainability)) {
    if (!inputs.azX)
      throw new Error('live evaluator: azBatch is set but the inputs hold no AZ-NAS noise batch');
    const e = emitOnnx(net, {
      mode: 'data',
      weights: new WeightSource(s.seed, 'kaiming-normal'),
      batch: s.azBatch,
      naswot: false,
      swap: false,
      meco: false,
      expressivity: azWant.expressivity,
      expressivityStem: true,
      trainability: azWant.trainability,
    });
    const layout = e.layout as DataLayout;
    azTerms(want, layout, await run(e.bytes, dataFeeds(layout, inputs.azX, s.azBatch!, s.seed, res)), out);
  }
  if (want.has('logsynflow')) {
    const e = emitOnnx(net, { mode: 'synflow', weights: new WeightSource(s.seed, 'torch-default') });
    const r = await run(e.bytes, {
      x: new ort.Tensor('float32', new Float32Array(px).fill(1), [1, res.c, res.h, res.w]),
    });
    const tsum = f32(r['synflow_tangent_sum'], 'synflow_tangent_sum')[0]!;
    let log = Math.log(tsum);
    for (const m of f32(r['synflow_scales'], 'synflow_scales')) log += Math.log(m);
    out.logsynflow = tsum > 0 ? log : -Infinity;
  }
  if (want.has('zen')) {
    const e = emitOnnx(net, {
      mode: 'zen',
      weights: new WeightSource(s.seed, 'gaussian'),
      batch: s.zenBatch,
    });
    const session = await ort.InferenceSession.create(e.bytes, SESSION_OPTIONS);
    try {
      const dims = [s.zenBatch, res.c, res.h, res.w];
      const mixed = new Float32Array(inputs.zenX.length);
      for (let i = 0; i < mixed.length; i++) mixed[i] = inputs.zenX[i]! + s.zenAlpha * inputs.zenEps[i]!;
      const r1 = await session.run({ x: new ort.Tensor('float32', inputs.zenX, dims) });
      const r2 = await session.run({ x: new ort.Tensor('float32', mixed, dims) });
      out.zen = zenFromOutputs(
        f32(r1['pregap'], 'pregap'),
        f32(r2['pregap'], 'pregap'),
        s.zenBatch,
        f32(r1['bnvar'], 'bnvar'),
        f32(r2['bnvar'], 'bnvar'),
      );
    } finally {
      await session.release();
    }
  }
  return out;
}

/** A data-mode graph's feeds: the input batch and, for trainability, the seeded Rademacher tangents. */
function dataFeeds(
  layout: DataLayout,
  x: Float32Array,
  batch: number,
  seed: number,
  res: { c: number; h: number; w: number },
): Record<string, ort.Tensor> {
  const feeds: Record<string, ort.Tensor> = { x: new ort.Tensor('float32', x, [batch, res.c, res.h, res.w]) };
  for (const u of layout.trainInputs)
    feeds[u.name] = new ort.Tensor(
      'float32',
      trainTangent(
        seed,
        u.name,
        u.dims.reduce((a, b) => a * b),
      ),
      u.dims,
    );
  return feeds;
}

/** AZ-NAS's expressivity, progressivity and trainability (those wanted) from a data-mode graph's outputs. */
function azTerms(
  want: ReadonlySet<LiveProxy>,
  layout: DataLayout,
  r: Record<string, ort.Tensor>,
  out: ProxyScores,
): void {
  if (want.has('trainability'))
    out.trainability = trainabilityFromBlocks(
      layout.trainBlocks.map((b) => {
        const t = r[b.mat]!;
        const dims = t.dims as number[];
        return {
          mat: t.data as Float32Array,
          rows: dims[0]!,
          cols: dims[1]!,
          identity: b.same !== undefined && f32(r[b.same], b.same)[0] === 0,
        };
      }),
    );
  if (want.has('expressivity') || want.has('progressivity')) {
    const e = layout.exprOutputs.map((o) => {
      const t = r[o]!;
      return eigenEntropy(Float64Array.from(t.data as Float32Array), (t.dims as number[])[0]!);
    });
    if (want.has('expressivity')) out.expressivity = e.reduce((a, b) => a + b, 0);
    if (want.has('progressivity')) out.progressivity = Math.min(...e.slice(1).map((v, i) => v - e[i]!));
  }
}

export { SWAP_CHUNK };

/** The inputs every proxy of these settings reads: the dataset's image batch and the seeded Zen-NAS noise. */
export function makeInputs(dataset: string, s: ProxySettings, imagesDir?: string): ScoreInputs {
  const res = BATCHES[dataset]?.resolution ?? 32;
  const n = s.zenBatch * 3 * res * res;
  return {
    images: imageBatch(dataset, s.batch, imagesDir, s.imageOffset ?? 0),
    zenX: gaussianInput(s.seed, 'zen-x', n),
    zenEps: gaussianInput(s.seed, 'zen-eps', n),
    ...(s.azBatch ? { azX: gaussianInput(s.seed, 'az-x', s.azBatch * 3 * res * res) } : {}),
  };
}
