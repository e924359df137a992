// ViT subnet builder on the inference engine: an AutoFormer subnet (patch embedding conv, class token, learned
// position embedding, pre-norm blocks of multi-head self-attention with 64 dims per head and a GELU MLP with a
// per-block ratio, final LayerNorm, linear head on the class token) emitted as an ONNX graph with the live
// evaluator's GraphBuilder (src/core/engine/onnx.ts) and its deterministic weights (src/core/engine/weights.ts).
// Two modes: 'data' (a batch of images -> NASWOT's Hamming-kernel parts over the MLP's GELU inputs) and
// 'latency' (a plain forward at batch 1). Params/FLOPs are counted analytically from the same description.
// AutoFormer's relative position tables are not built (a few thousand parameters per block; see docs/spaces.md).

import { GraphBuilder } from '../engine/onnx.js';
import { normalTensor, tensorKey, WeightSource } from '../engine/weights.js';

export interface VitShape {
  embed: number;
  depth: number;
  mlp: readonly number[];
  heads: readonly number[];
}

export interface VitNetConfig {
  resolution: number;
  patch: number;
  numClasses: number;
}

export const HEAD_DIM = 64;
export const LN_EPS = 1e-6;

/** Hidden width of a block's MLP (AutoFormer: int(embed * ratio)). */
export const mlpHidden = (embed: number, ratio: number): number => Math.floor(embed * ratio);

/** Parameters (weights + biases + LN affine + tokens) and multiply-adds of linear layers and the attention products. */
export function vitCost(a: VitShape, cfg: VitNetConfig): { paramsM: number; flopsM: number } {
  const e = a.embed;
  const t0 = (cfg.resolution / cfg.patch) ** 2;
  const t = t0 + 1;
  let params = 3 * cfg.patch * cfg.patch * e + e + e + t * e; // patch conv + bias, cls token, pos embed
  let flops = t0 * 3 * cfg.patch * cfg.patch * e;
  for (let i = 0; i < a.depth; i++) {
    const hd = a.heads[i]! * HEAD_DIM;
    const hid = mlpHidden(e, a.mlp[i]!);
    params += 2 * e + 3 * (e * hd + hd) + (hd * e + e) + 2 * e + (e * hid + hid) + (hid * e + e);
    flops += t * (3 * e * hd + hd * e + 2 * e * hid) + 2 * t * t * hd;
  }
  params += 2 * e + e * cfg.numClasses + cfg.numClasses;
  flops += e * cfg.numClasses;
  return { paramsM: params / 1e6, flopsM: flops / 1e6 };
}

export type VitMode = 'data' | 'latency';

export interface VitEmitted {
  bytes: Uint8Array;
  /** data mode: NASWOT's D (total code length over the MLP sites). */
  naswotD: number;
}

export function emitVit(a: VitShape, cfg: VitNetConfig, mode: VitMode, seed = 0): VitEmitted {
  if (a.mlp.length !== a.depth || a.heads.length !== a.depth)
    throw new Error(`ViT: mlp and heads need ${a.depth} entries`);
  if (cfg.resolution % cfg.patch !== 0) throw new Error('ViT: resolution must be a multiple of the patch');
  const g = new GraphBuilder();
  const ws = new WeightSource(seed, 'torch-default');
  const e = a.embed;
  const r = cfg.resolution;
  const p = cfg.patch;
  const t = (r / p) ** 2 + 1;
  g.input('x', [mode === 'latency' ? 1 : 'N', 3, r, r]);

  const linear = (name: string, x: string, cin: number, cout: number): string => {
    const w = ws.tensor({ name: `${name}.weight`, kind: 'linear-weight', shape: [cout, cin], fanIn: cin });
    const b = ws.tensor({ name: `${name}.bias`, kind: 'linear-bias', shape: [cout], fanIn: cin });
    // stored as torch does (out, in); the transpose of a constant is folded by the engine
    const wt = g.op('Transpose', [g.initializer(`${name}.weight`, [cout, cin], w)], { perm: [1, 0] });
    return g.op('Add', [g.op('MatMul', [x, wt]), g.initializer(`${name}.bias`, [cout], b)]);
  };
  const layerNorm = (name: string, x: string): string =>
    g.op(
      'LayerNormalization',
      [
        x,
        g.initializer(`${name}.weight`, [e], new Float32Array(e).fill(1)),
        g.initializer(`${name}.bias`, [e], new Float32Array(e)),
      ],
      { axis: -1, epsilon: { f: LN_EPS } },
    );

  // patch embedding: Conv(k = s = patch) -> (N, E, T0) -> (N, T0, E)
  const pw = ws.tensor({
    name: 'patch_embed.proj.weight',
    kind: 'conv',
    shape: [e, 3, p, p],
    fanIn: 3 * p * p,
  });
  const pb = ws.tensor({ name: 'patch_embed.proj.bias', kind: 'linear-bias', shape: [e], fanIn: 3 * p * p });
  const conv = g.op(
    'Conv',
    [
      'x',
      g.initializer('patch_embed.proj.weight', [e, 3, p, p], pw),
      g.initializer('patch_embed.proj.bias', [e], pb),
    ],
    { kernel_shape: [p, p], strides: [p, p] },
  );
  const tokens = g.op('Transpose', [g.op('Reshape', [conv, g.ints([0, e, -1])])], { perm: [0, 2, 1] });
  // class token broadcast over the batch: tokens[:, :1] * 0 + cls
  const cls = g.initializer(
    'cls_token',
    [1, 1, e],
    normalTensor(tensorKey(seed, 'trunc-normal', 'cls_token'), e, 0.02),
  );
  const first = g.op('Slice', [tokens, g.ints([0]), g.ints([1]), g.ints([1])]);
  const clsB = g.op('Add', [g.op('Mul', [first, g.scalar(0)]), cls]);
  const pos = g.initializer(
    'pos_embed',
    [1, t, e],
    normalTensor(tensorKey(seed, 'trunc-normal', 'pos_embed'), t * e, 0.02),
  );
  let x = g.op('Add', [g.op('Concat', [clsB, tokens], { axis: 1 }), pos]);

  const gram: string[] = [];
  const rows: string[] = [];
  let naswotD = 0;
  for (let i = 0; i < a.depth; i++) {
    const b = `blocks.${i}`;
    const h = a.heads[i]!;
    const hd = h * HEAD_DIM;
    const n1 = layerNorm(`${b}.norm1`, x);
    const split = (y: string, perm: number[]): string =>
      g.op('Transpose', [g.op('Reshape', [y, g.ints([0, t, h, HEAD_DIM])])], { perm });
    const q = split(linear(`${b}.attn.q`, n1, e, hd), [0, 2, 1, 3]);
    const k = split(linear(`${b}.attn.k`, n1, e, hd), [0, 2, 3, 1]);
    const v = split(linear(`${b}.attn.v`, n1, e, hd), [0, 2, 1, 3]);
    const att = g.op('Softmax', [g.op('Mul', [g.op('MatMul', [q, k]), g.scalar(1 / Math.sqrt(HEAD_DIM))])], {
      axis: -1,
    });
    const o = g.op('Reshape', [
      g.op('Transpose', [g.op('MatMul', [att, v])], { perm: [0, 2, 1, 3] }),
      g.ints([0, t, hd]),
    ]);
    x = g.op('Add', [x, linear(`${b}.attn.proj`, o, hd, e)]);
    const n2 = layerNorm(`${b}.norm2`, x);
    const hid = mlpHidden(e, a.mlp[i]!);
    const pre = linear(`${b}.mlp.fc1`, n2, e, hid);
    if (mode === 'data') {
      const code = g.op('Reshape', [
        g.op('Cast', [g.op('Greater', [pre, g.scalar(0)])], { to: 1 }),
        g.ints([0, -1]),
      ]);
      gram.push(g.op('Gemm', [code, code], { transB: 1 }));
      rows.push(g.op('ReduceSum', [code, g.ints([1])], { keepdims: 0 }));
      naswotD += t * hid;
    }
    // exact GELU: 0.5 x (1 + erf(x / sqrt 2))
    const gelu = g.op('Mul', [
      g.op('Mul', [pre, g.scalar(0.5)]),
      g.op('Add', [g.op('Erf', [g.op('Mul', [pre, g.scalar(Math.SQRT1_2)])]), g.scalar(1)]),
    ]);
    x = g.op('Add', [x, linear(`${b}.mlp.fc2`, gelu, hid, e)]);
  }
  const fin = layerNorm('norm', x);
  const clsOut = g.op('Gather', [fin, g.ints([0])], { axis: 1 });
  const logits = linear('head', g.op('Reshape', [clsOut, g.ints([0, e])]), e, cfg.numClasses);
  if (mode === 'latency') {
    g.op('Identity', [logits], {}, 'logits');
    g.output('logits');
  } else {
    g.op('Sum', gram, {}, 'naswot_gram');
    g.output('naswot_gram');
    g.op('Sum', rows, {}, 'naswot_rows');
    g.output('naswot_rows');
  }
  return { bytes: g.encode(), naswotD };
}
