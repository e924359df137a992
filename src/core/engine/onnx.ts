// ONNX emission of a Net (net.ts) for the three forward passes the proxies need, built as plain protobuf objects
// with onnx-proto (opset 17) and run by onnxruntime-node:
//  - 'data':    data batch, BatchNorm with batch statistics (train mode, as the proxies' papers run it); outputs
//               NASWOT's Hamming-kernel parts, SWAP's per-neuron sample patterns and MeCo's first-sample taps.
//  - 'synflow': one all-ones input, |θ| weights, BN removed (synflow's bn=False); a primal and a tangent stream
//               (forward-mode derivative along θ, so synflow = Σ θ·∂R/∂θ = dR/dt of R((1+t)θ) at t=0), rescaled
//               at chain points to stay inside float32, the scales returned for exact log-space recombination.
//               With `trainability`, also a forward-mode tangent per block (AZ-NAS's trainability, see below).
//               With `jacov`, also the reverse-mode gradient of Σ logits with respect to the input (see below).
//  - 'zen':     Gaussian weights, batch-statistics BN; outputs the pre-GAP features and each BN's mean unbiased
//               batch variance (Zen-NAS's BN scaling uses the running variance these updates produce).

import { onnx } from 'onnx-proto';
import { inferShapes, type Layer, type Net, type TensorShape } from './net.js';
import type { WeightSource } from './weights.js';

const FLOAT = onnx.TensorProto.DataType.FLOAT;
const INT64 = onnx.TensorProto.DataType.INT64;
const A = onnx.AttributeProto.AttributeType;
export const BN_EPS = 1e-5;

type AttrValue = number | number[] | { f: number };

/** Minimal graph builder over onnx-proto; reusable by every space's emitter. */
export class GraphBuilder {
  private readonly nodes: onnx.INodeProto[] = [];
  private readonly inits: onnx.ITensorProto[] = [];
  private readonly inputs: onnx.IValueInfoProto[] = [];
  private readonly outputs: onnx.IValueInfoProto[] = [];
  private counter = 0;
  private readonly consts = new Map<string, string>();

  fresh(hint: string): string {
    return `${hint}__${this.counter++}`;
  }

  input(name: string, dims: (number | string)[]): string {
    this.inputs.push(valueInfo(name, dims));
    return name;
  }

  output(name: string): void {
    this.outputs.push({ name, type: { tensorType: { elemType: FLOAT } } });
  }

  initializer(name: string, dims: number[], data: Float32Array): string {
    this.inits.push({
      name,
      dims,
      dataType: FLOAT,
      rawData: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
    });
    return name;
  }

  scalar(v: number): string {
    const key = `f${v}`;
    let n = this.consts.get(key);
    if (!n) {
      n = this.initializer(this.fresh('const'), [], Float32Array.of(v));
      this.consts.set(key, n);
    }
    return n;
  }

  ints(v: number[]): string {
    const key = `i${v.join(',')}`;
    let n = this.consts.get(key);
    if (!n) {
      n = this.fresh('ints');
      const data = new BigInt64Array(v.map((x) => BigInt(x)));
      this.inits.push({ name: n, dims: [v.length], dataType: INT64, rawData: new Uint8Array(data.buffer) });
      this.consts.set(key, n);
    }
    return n;
  }

  op(type: string, inputs: string[], attrs: Record<string, AttrValue> = {}, output?: string): string {
    const out = output ?? this.fresh(type);
    const attribute: onnx.IAttributeProto[] = Object.entries(attrs).map(([name, v]) =>
      Array.isArray(v)
        ? { name, type: A.INTS, ints: v }
        : typeof v === 'number'
          ? { name, type: A.INT, i: v }
          : { name, type: A.FLOAT, f: v.f },
    );
    this.nodes.push({ opType: type, input: inputs, output: [out], attribute, name: out });
    return out;
  }

  encode(): Uint8Array {
    const model: onnx.IModelProto = {
      irVersion: 8,
      producerName: 'llm-nas-live',
      opsetImport: [{ domain: '', version: 17 }],
      graph: {
        name: 'net',
        node: this.nodes,
        initializer: this.inits,
        input: this.inputs,
        output: this.outputs,
      },
    };
    return onnx.ModelProto.encode(model).finish();
  }
}

function valueInfo(name: string, dims: (number | string)[]): onnx.IValueInfoProto {
  return {
    name,
    type: {
      tensorType: {
        elemType: FLOAT,
        shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) },
      },
    },
  };
}

export type Mode = 'data' | 'synflow' | 'zen';

export interface EmitOptions {
  mode: Mode;
  weights: WeightSource;
  /** data and zen modes: the (static) batch size. */
  batch?: number;
  /**
   * data mode: which of the shared pass's outputs to emit (default all three): NASWOT's Gram and row sums, SWAP's
   * packed patterns, MeCo's first-sample taps. An output nobody reads costs its ops and its copy out.
   */
  naswot?: boolean;
  swap?: boolean;
  meco?: boolean;
  /** data mode: also output the cells' channel covariances (AZ-NAS expressivity/progressivity). */
  expressivity?: boolean;
  /**
   * with expressivity: the stem's output is the first covariance (AZ-NAS's `extract_cell_features` returns the
   * stem's output and every cell's), so expressivity has one more term and progressivity a cell 0 − stem step.
   */
  expressivityStem?: boolean;
  /**
   * data mode: also push a Rademacher tangent through each block between consecutive chain points (forward-mode
   * Jacobian-vector products, AZ-NAS trainability); the tangents are graph inputs (DataLayout.trainInputs).
   */
  trainability?: boolean;
  /**
   * data mode: also back-propagate ones from the logits to the input batch (reverse mode, built as an adjoint
   * graph: ONNX Runtime has no autograd) and output the input gradient (B, C·H·W), jacov's per-sample Jacobian.
   */
  jacov?: boolean;
}

/** One block of the trainability tangents: the input tangent it reads and the outputs to decode. */
export interface TrainBlock {
  /** (C_in·s², C_out) cross-moment of the (pixel-unshuffled) input tangent u and the output tangent J·u. */
  mat: string;
  /** max |J·u − u| when the block keeps its shape (0: the block is the identity), else undefined. */
  same?: string;
}

/** Layout of a data-mode graph's outputs, needed to decode them. */
export interface DataLayout {
  /** Σ multiplicity × code length over ReLU sites (NASWOT's K = D − S_i − S_j + 2G). */
  naswotD: number;
  /** SWAP pattern outputs, one per distinct ReLU input, each (D_t × chunks). */
  swapOutputs: string[];
  swapChunks: number;
  mecoOutputs: string[];
  /** AZ-NAS expressivity: one centred channel covariance (C × C) per cell output (net.chainPoints but the stem). */
  exprOutputs: string[];
  /** trainability: the Rademacher tangent inputs to feed (one per distinct block-input shape) and the blocks. */
  trainInputs: { name: string; dims: [number, number, number, number] }[];
  trainBlocks: TrainBlock[];
}

export interface Emitted {
  bytes: Uint8Array;
  layout?: DataLayout;
  /** zen: number of BN layers (length of the bnvar output). */
  bnCount?: number;
}

/** Samples per SWAP pattern chunk: 16 bits keep every packed value an exact float32 integer. */
export const SWAP_CHUNK = 16;

function weightTensor(opts: EmitOptions, l: Layer & { kind: 'conv' | 'linear' }, abs: boolean): Float32Array {
  const g = l.kind === 'conv' ? (l.group ?? 1) : 1;
  const shape = l.kind === 'conv' ? [l.cout, l.cin / g, l.k, l.k] : [l.cout, l.cin];
  const fanIn = l.kind === 'conv' ? (l.cin / g) * l.k * l.k : l.cin;
  const w = opts.weights.tensor({
    name: `${l.name}.weight`,
    kind: l.kind === 'conv' ? 'conv' : 'linear-weight',
    shape,
    fanIn,
  });
  return abs ? w.map(Math.abs) : w;
}

function biasTensor(opts: EmitOptions, l: Layer & { kind: 'linear' }, abs: boolean): Float32Array {
  const b = opts.weights.tensor({
    name: `${l.name}.bias`,
    kind: 'linear-bias',
    shape: [l.cout],
    fanIn: l.cin,
  });
  return abs ? b.map(Math.abs) : b;
}

export function emitOnnx(net: Net, opts: EmitOptions): Emitted {
  const shapes = inferShapes(net);
  const g = new GraphBuilder();
  const res = net.inputShape;
  const fixedBatch = opts.mode === 'synflow' ? 1 : (opts.batch ?? 0);
  if (!(fixedBatch >= 2 || opts.mode === 'synflow'))
    throw new Error(`${opts.mode} mode needs a batch of at least 2`);
  g.input('x', [fixedBatch, res.c, res.h, res.w]);
  const name = new Map<string, string>([[net.input, 'x']]);
  const tangent = new Map<string, string>();
  // the input does not depend on θ: zero tangent
  if (opts.mode === 'synflow') tangent.set(net.input, g.op('Mul', ['x', g.scalar(0)]));
  const t = (s: string): string => name.get(s)!;
  const q = (s: string): string => tangent.get(s)!;

  // ReLU sites (distinct inputs, with how many ReLU modules read each)
  const reluMult = new Map<string, number>();
  for (const l of net.layers) if (l.kind === 'relu') reluMult.set(l.input, (reluMult.get(l.input) ?? 0) + 1);
  const reluDone = new Map<string, string>();
  const bnVars: string[] = [];
  const synScales: string[] = [];
  const chain = new Set(net.chainPoints);

  // AZ-NAS trainability, forward mode. AZ-NAS (compute_az_nas_score.py) draws a Rademacher g at each block's
  // output, back-propagates it to the block's input (g_in = Jᵀg, reverse mode) and takes σ = the largest
  // singular value of M = Σ_positions g_in g_outᵀ / N (C_in × C_out; the input pixel-unshuffled where the block
  // halves the resolution). ONNX Runtime has no reverse mode, so here a Rademacher u enters each block's input and
  // its forward-mode tangent J·u is pushed through that block alone (one tangent stream per block, alongside the
  // primal), and M = Σ_positions u (J·u)ᵀ / N. Both have the same expectation (E[u_i (Ju)_j] = J_ji =
  // E[(Jᵀg)_i g_j] for independent ±1 entries), but they are different random estimates: this is the
  // forward-mode estimate, not AZ-NAS's backward one (scripts/gen-proxy-fixtures.py computes both). Tangent
  // rules: conv / linear with the same weights and no bias, ReLU masks by (primal > 0), pooling / sums / shuffles
  // / zero as themselves, and batch-statistics BN exactly, including its statistics' dependence on the input
  // (train mode, as AZ-NAS's autograd sees it): ẏ = (u − E[u] − x̂ E[x̂ u]) / √(var + ε), x̂ = the BN output.
  const train = opts.mode === 'data' && opts.trainability === true;
  const jvp = new Map<string, { stream: number; name: string }>();
  let stream = -1;
  const jt = (s: string): string | undefined => {
    const e = jvp.get(s);
    // a tensor of an earlier block does not depend on this block's input: zero tangent
    return e && e.stream === stream ? e.name : undefined;
  };
  const setJ = (s: string, v: string): void => {
    jvp.set(s, { stream, name: v });
  };
  const bnVarOf = new Map<string, string>();
  const reluMask = new Map<string, string>();
  const trainInputs: DataLayout['trainInputs'] = [];
  const trainBlocks: TrainBlock[] = [];
  let blockIn: { tensor: string; u: string } | undefined;

  const emitBn = (x: string, shape: TensorShape): string => {
    // batch statistics in two passes, E[x] then E[(x − E[x])²]: the one-pass E[x²] − E[x]² loses float32 digits
    // when a channel's mean is large against its spread (up to 3 % of jacov's gradient norms on a deep skip
    // chain, test/unit/live-jacov.test.ts); the batch is static, so the per-channel count n = N·H·W is a constant
    const n = fixedBatch * shape.h * shape.w;
    const xc = g.op('Sub', [x, g.op('ReduceMean', [x], { axes: [0, 2, 3], keepdims: 1 })]);
    const v = g.op('Mul', [g.op('ReduceSumSquare', [xc], { axes: [0, 2, 3], keepdims: 0 }), g.scalar(1 / n)]);
    if (opts.mode === 'zen') {
      // mean over channels of the unbiased batch variance n/(n-1) * v (what BN's running_var update uses)
      const vm = g.op('ReduceMean', [v], { axes: [0], keepdims: 1 });
      bnVars.push(g.op('Mul', [vm, g.scalar(n / (n - 1))]));
    }
    // scale 1, shift 0 (BN at initialisation): y = (x − E[x]) / √(var + ε)
    const y = g.op('Div', [
      xc,
      g.op('Reshape', [g.op('Sqrt', [g.op('Add', [v, g.scalar(BN_EPS)])]), g.ints([shape.c, 1, 1])]),
    ]);
    bnVarOf.set(y, v);
    return y;
  };
  // tangent of batch-statistics BN (scale 1, shift 0, so its output is x̂)
  const bnJvp = (u: string, y: string, c: number): string => {
    const m1 = g.op('ReduceMean', [u], { axes: [0, 2, 3], keepdims: 1 });
    const m2 = g.op('ReduceMean', [g.op('Mul', [y, u])], { axes: [0, 2, 3], keepdims: 1 });
    const sd = g.op('Reshape', [
      g.op('Sqrt', [g.op('Add', [bnVarOf.get(y)!, g.scalar(BN_EPS)])]),
      g.ints([c, 1, 1]),
    ]);
    return g.op('Div', [g.op('Sub', [g.op('Sub', [u, m1]), g.op('Mul', [y, m2])]), sd]);
  };
  // the block tangent of a layer's output from its input's, J·u = f(u) (none while the input carries none)
  const pushJ = (input: string, output: string, f: (u: string) => string): void => {
    const u = train ? jt(input) : undefined;
    if (u) setJ(output, f(u));
  };
  // a layer linear in its input: the same op on the value, on synflow's tangent and on the block tangent
  const linearLayer = (input: string, output: string, f: (x: string) => string): void => {
    name.set(output, f(t(input)));
    if (opts.mode === 'synflow') tangent.set(output, f(q(input)));
    pushJ(input, output, f);
  };
  const rowsOf = (x: string, c: number): string =>
    g.op('Reshape', [g.op('Transpose', [x], { perm: [0, 2, 3, 1] }), g.ints([-1, c])]);

  for (const l of net.layers) {
    switch (l.kind) {
      case 'conv': {
        const group = l.group ?? 1;
        const w = g.initializer(
          `${l.name}.weight`,
          [l.cout, l.cin / group, l.k, l.k],
          weightTensor(opts, l, opts.mode === 'synflow'),
        );
        const attrs = {
          kernel_shape: [l.k, l.k],
          strides: [l.stride, l.stride],
          pads: [l.pad, l.pad, l.pad, l.pad],
          ...(group > 1 ? { group } : {}),
        };
        const p = g.op('Conv', [t(l.input), w], attrs);
        name.set(l.output, p);
        if (opts.mode === 'synflow')
          tangent.set(l.output, g.op('Add', [g.op('Conv', [q(l.input), w], attrs), p]));
        pushJ(l.input, l.output, (u) => g.op('Conv', [u, w], attrs));
        break;
      }
      case 'bn': {
        if (opts.mode === 'synflow') {
          name.set(l.output, t(l.input));
          tangent.set(l.output, q(l.input));
        } else name.set(l.output, emitBn(t(l.input), shapes.get(l.input)!));
        pushJ(l.input, l.output, (u) => bnJvp(u, t(l.output), shapes.get(l.input)!.c));
        break;
      }
      case 'relu': {
        if (opts.mode === 'synflow') {
          // exact: with |θ| and a positive input every pre-activation is ≥ 0
          name.set(l.output, t(l.input));
          tangent.set(l.output, q(l.input));
          break;
        }
        let r = reluDone.get(l.input);
        if (!r) {
          r = g.op('Relu', [t(l.input)]);
          reluDone.set(l.input, r);
        }
        name.set(l.output, r);
        const u = train ? jt(l.input) : undefined;
        if (u) {
          let m = reluMask.get(l.input);
          if (!m) {
            m = g.op('Cast', [g.op('Greater', [t(l.input), g.scalar(0)])], { to: FLOAT });
            reluMask.set(l.input, m);
          }
          setJ(l.output, g.op('Mul', [u, m]));
        }
        break;
      }
      case 'avgpool': {
        const attrs = {
          kernel_shape: [l.k, l.k],
          strides: [l.stride, l.stride],
          pads: [l.pad, l.pad, l.pad, l.pad],
          count_include_pad: l.countIncludePad ? 1 : 0,
        };
        linearLayer(l.input, l.output, (x) => g.op('AveragePool', [x], attrs));
        break;
      }
      case 'add': {
        name.set(l.output, g.op('Sum', l.inputs.map(t)));
        if (opts.mode === 'synflow') tangent.set(l.output, g.op('Sum', l.inputs.map(q)));
        const us = train ? l.inputs.map(jt).filter((u): u is string => u !== undefined) : [];
        if (us.length > 0) setJ(l.output, g.op('Sum', us));
        break;
      }
      case 'shuffle': {
        const s = shapes.get(l.input)!;
        const shuffle = (x: string): string =>
          g.op('Reshape', [
            g.op('Transpose', [g.op('Reshape', [x, g.ints([0, l.groups, s.c / l.groups, s.h, s.w])])], {
              perm: [0, 2, 1, 3, 4],
            }),
            g.ints([0, s.c, s.h, s.w]),
          ]);
        linearLayer(l.input, l.output, shuffle);
        break;
      }
      case 'zero': {
        linearLayer(l.input, l.output, (x) => g.op('Mul', [x, g.scalar(0)]));
        break;
      }
      case 'gap': {
        const f = (x: string): string => g.op('Flatten', [g.op('GlobalAveragePool', [x])], { axis: 1 });
        linearLayer(l.input, l.output, f);
        break;
      }
      case 'linear': {
        const abs = opts.mode === 'synflow';
        const w = g.initializer(`${l.name}.weight`, [l.cout, l.cin], weightTensor(opts, l, abs));
        const b = g.initializer(`${l.name}.bias`, [l.cout], biasTensor(opts, l, abs));
        name.set(l.output, g.op('Gemm', [t(l.input), w, b], { transB: 1 }));
        // tangent of W x + b along (W, b excluded): W (x + ẋ)
        if (opts.mode === 'synflow')
          tangent.set(l.output, g.op('Gemm', [g.op('Add', [t(l.input), q(l.input)]), w], { transB: 1 }));
        pushJ(l.input, l.output, (u) => g.op('Gemm', [u, w], { transB: 1 }));
        break;
      }
    }
    if (train && chain.has(l.output)) {
      const sh = shapes.get(l.output)!;
      if (blockIn) {
        // close the block: M = Σ_positions u (J·u)ᵀ / N, u pixel-unshuffled to the output's resolution
        const ish = shapes.get(blockIn.tensor)!;
        const v = jt(l.output) ?? g.op('Mul', [t(l.output), g.scalar(0)]);
        const k = trainBlocks.length;
        let u = blockIn.u;
        let same: string | undefined;
        if (ish.c === sh.c && ish.h === sh.h && ish.w === sh.w) {
          same = `train_same_${k}`;
          g.op('ReduceMax', [g.op('Abs', [g.op('Sub', [v, u])])], { keepdims: 0 }, same);
          g.output(same);
        } else if (ish.h !== sh.h) {
          // SpaceToDepth orders the unshuffled channels unlike PyTorch's pixel_unshuffle: a row permutation
          // of M, which leaves its singular values unchanged
          u = g.op('SpaceToDepth', [u], { blocksize: Math.trunc(ish.h / sh.h) });
        }
        const cin = ish.c * Math.trunc(ish.h / sh.h) ** 2;
        const mat = `train_mat_${k}`;
        g.op(
          'Mul',
          [
            g.op('Gemm', [rowsOf(u, cin), rowsOf(v, sh.c)], { transA: 1 }),
            g.scalar(1 / (fixedBatch * sh.h * sh.w)),
          ],
          {},
          mat,
        );
        g.output(mat);
        trainBlocks.push(same ? { mat, same } : { mat });
      }
      if (l.output !== net.chainPoints[net.chainPoints.length - 1]) {
        // open the next block: a fresh stream whose tangent at this chain point is the Rademacher input
        stream++;
        const dims: [number, number, number, number] = [fixedBatch, sh.c, sh.h, sh.w];
        const u = `train_u_${dims.join('x')}`;
        if (!trainInputs.some((i) => i.name === u)) {
          g.input(u, dims);
          trainInputs.push({ name: u, dims });
        }
        setJ(l.output, u);
        blockIn = { tensor: l.output, u };
      } else {
        stream = -2;
        blockIn = undefined;
      }
    }
    if (opts.mode === 'synflow' && chain.has(l.output)) {
      const m = g.op('Max', [g.op('ReduceMax', [t(l.output)], { keepdims: 0 }), g.scalar(1e-30)]);
      synScales.push(g.op('Reshape', [m, g.ints([1])]));
      name.set(l.output, g.op('Div', [t(l.output), m]));
      tangent.set(l.output, g.op('Div', [q(l.output), m]));
    }
  }

  if (opts.mode === 'synflow') {
    g.op('ReduceSum', [q(net.output)], { keepdims: 0 }, 'synflow_tangent_sum');
    g.output('synflow_tangent_sum');
    g.op('Concat', synScales, { axis: 0 }, 'synflow_scales');
    g.output('synflow_scales');
    return { bytes: g.encode() };
  }
  if (opts.mode === 'zen') {
    g.op('Identity', [t(net.preGap)], {}, 'pregap');
    g.output('pregap');
    g.op('Concat', bnVars, { axis: 0 }, 'bnvar');
    g.output('bnvar');
    return { bytes: g.encode(), bnCount: bnVars.length };
  }

  // data mode
  const batch = opts.batch ?? 0;
  if (!(batch >= 2)) throw new Error('data mode needs a batch of at least 2');
  if (opts.jacov) {
    const dx = emitInputGradient(g, net, shapes, {
      primal: t,
      bnVar: (y) => bnVarOf.get(y)!,
      mask: (input) => {
        let m = reluMask.get(input);
        if (!m) {
          m = g.op('Cast', [g.op('Greater', [t(input), g.scalar(0)])], { to: FLOAT });
          reluMask.set(input, m);
        }
        return m;
      },
      batch: fixedBatch,
    });
    g.op('Reshape', [dx ?? g.op('Mul', ['x', g.scalar(0)]), g.ints([fixedBatch, -1])], {}, 'jacov_grad');
    g.output('jacov_grad');
    // what jacov_grad is the gradient of (Σ logits over the batch), so a finite difference can check it
    g.op('ReduceSum', [t(net.output)], { keepdims: 0 }, 'jacov_logit_sum');
    g.output('jacov_logit_sum');
  }
  const chunks = Math.ceil(batch / SWAP_CHUNK);
  let naswotD = 0;
  const gTerms: string[] = [];
  const sTerms: string[] = [];
  const swapOutputs: string[] = [];
  let site = 0;
  const wantNaswot = opts.naswot ?? true;
  const wantSwap = opts.swap ?? true;
  let powName = '';
  if (wantSwap) {
    const pow = new Float32Array(batch * chunks);
    for (let i = 0; i < batch; i++) pow[i * chunks + Math.floor(i / SWAP_CHUNK)] = 2 ** (i % SWAP_CHUNK);
    powName = g.initializer('swap_pow2', [batch, chunks], pow);
  }
  for (const [input, mult] of wantNaswot || wantSwap ? reluMult : []) {
    const s = shapes.get(input)!;
    const dim = s.c * s.h * s.w;
    naswotD += mult * dim;
    const code = g.op('Reshape', [
      g.op('Cast', [g.op('Greater', [t(input), g.scalar(0)])], { to: FLOAT }),
      g.ints([0, -1]),
    ]);
    if (wantNaswot) {
      const gram = g.op('Gemm', [code, code], { transB: 1 });
      const rows = g.op('ReduceSum', [code, g.ints([1])], { keepdims: 0 });
      gTerms.push(mult === 1 ? gram : g.op('Mul', [gram, g.scalar(mult)]));
      sTerms.push(mult === 1 ? rows : g.op('Mul', [rows, g.scalar(mult)]));
    }
    if (wantSwap) {
      const out = `swap_${site++}`;
      g.op('Gemm', [code, powName], { transA: 1 }, out);
      g.output(out);
      swapOutputs.push(out);
    }
  }
  if (gTerms.length > 0) {
    g.op('Sum', gTerms, {}, 'naswot_gram');
    g.output('naswot_gram');
    g.op('Sum', sTerms, {}, 'naswot_rows');
    g.output('naswot_rows');
  }
  const mecoOutputs: string[] = [];
  ((opts.meco ?? true) ? net.mecoTaps : []).forEach((tap, i) => {
    const out = `meco_${i}`;
    g.op('Slice', [t(tap), g.ints([0]), g.ints([1]), g.ints([0])], {}, out);
    g.output(out);
    mecoOutputs.push(out);
  });
  // AZ-NAS expressivity: each cell output (B, C, H, W) as B·H·W samples of C channels, centred, covariance / N
  const exprOutputs: string[] = [];
  // the cells' outputs (AZ-NAS hooks every cell), and the stem's first when asked (as AZ-NAS's own code)
  const exprTaps = opts.expressivity
    ? net.chainPoints.filter((p) => opts.expressivityStem || p !== 'stem')
    : [];
  exprTaps.forEach((tap, i) => {
    const sh = shapes.get(tap)!;
    const n = (opts.batch ?? 1) * sh.h * sh.w;
    const rows = g.op('Reshape', [g.op('Transpose', [t(tap)], { perm: [0, 2, 3, 1] }), g.ints([-1, sh.c])]);
    const mean = g.op('Mul', [g.op('ReduceSum', [rows, g.ints([0])], { keepdims: 1 }), g.scalar(1 / n)]);
    const xc = g.op('Sub', [rows, mean]);
    const out = `expr_${i}`;
    g.op('Mul', [g.op('Gemm', [xc, xc], { transA: 1 }), g.scalar(1 / n)], {}, out);
    g.output(out);
    exprOutputs.push(out);
  });
  return {
    bytes: g.encode(),
    layout: { naswotD, swapOutputs, swapChunks: chunks, mecoOutputs, exprOutputs, trainInputs, trainBlocks },
  };
}

/**
 * Reverse mode for jacov (Mellor et al., "Neural Architecture Search without Training", v1; zero-cost-nas's
 * `jacob_cov`): the gradient of Σ logits with respect to the input batch, x.grad after `y.backward(ones)`, as an
 * adjoint graph walked from the logits back to the input. Every layer kind of the IR has its transpose: conv →
 * ConvTranspose with the same weights (output_padding restores the input size), linear → W·g, ReLU → mask by
 * (primal > 0), average pooling → the window count's share spread back by a ones-kernel ConvTranspose, global
 * pooling → spread evenly, sums → the gradient to every addend, shuffle → the inverse shuffle, `none` → nothing,
 * batch-statistics BN (scale 1, shift 0) → (g − E[g] − x̂ E[x̂ g]) / √(var + ε) with its statistics'
 * dependence on the input (train mode, as `jacob_cov` runs it, so samples interact only through BN's batch
 * statistics). Returns undefined when no gradient reaches the input (a disconnected cell).
 */
function emitInputGradient(
  g: GraphBuilder,
  net: Net,
  shapes: Map<string, TensorShape>,
  f: {
    primal: (tensor: string) => string;
    bnVar: (bnOutput: string) => string;
    mask: (reluInput: string) => string;
    batch: number;
  },
): string | undefined {
  const parts = new Map<string, string[]>();
  const add = (tensor: string, grad: string): void => {
    const p = parts.get(tensor);
    if (p) p.push(grad);
    else parts.set(tensor, [grad]);
  };
  const gradOf = (tensor: string): string | undefined => {
    const p = parts.get(tensor);
    if (!p) return undefined;
    return p.length === 1 ? p[0]! : g.op('Sum', p);
  };
  const outShape = (x: string): TensorShape => shapes.get(x)!;
  // ConvTranspose's output size is s·(H_out − 1) + k − 2p + output_padding: pad back to the input's size
  const transposeAttrs = (
    l: { k: number; stride: number; pad: number; input: string; output: string },
    group: number,
  ): Record<string, number[] | number> => {
    const hi = outShape(l.input).h;
    const wi = outShape(l.input).w;
    const ho = outShape(l.output).h;
    const wo = outShape(l.output).w;
    return {
      kernel_shape: [l.k, l.k],
      strides: [l.stride, l.stride],
      pads: [l.pad, l.pad, l.pad, l.pad],
      output_padding: [
        hi - (l.stride * (ho - 1) + l.k - 2 * l.pad),
        wi - (l.stride * (wo - 1) + l.k - 2 * l.pad),
      ],
      ...(group > 1 ? { group } : {}),
    };
  };
  const cls = outShape(net.output).c;
  add(
    net.output,
    g.initializer(g.fresh('jacov_seed'), [f.batch, cls], new Float32Array(f.batch * cls).fill(1)),
  );
  for (let i = net.layers.length - 1; i >= 0; i--) {
    const l = net.layers[i]!;
    const gy = gradOf(l.output);
    if (!gy) continue;
    switch (l.kind) {
      case 'conv': {
        const group = l.group ?? 1;
        add(l.input, g.op('ConvTranspose', [gy, `${l.name}.weight`], transposeAttrs(l, group)));
        break;
      }
      case 'linear':
        add(l.input, g.op('MatMul', [gy, `${l.name}.weight`]));
        break;
      case 'bn': {
        const y = f.primal(l.output);
        const c = outShape(l.input).c;
        const m1 = g.op('ReduceMean', [gy], { axes: [0, 2, 3], keepdims: 1 });
        const m2 = g.op('ReduceMean', [g.op('Mul', [y, gy])], { axes: [0, 2, 3], keepdims: 1 });
        const sd = g.op('Reshape', [
          g.op('Sqrt', [g.op('Add', [f.bnVar(y), g.scalar(BN_EPS)])]),
          g.ints([c, 1, 1]),
        ]);
        add(l.input, g.op('Div', [g.op('Sub', [g.op('Sub', [gy, m1]), g.op('Mul', [y, m2])]), sd]));
        break;
      }
      case 'relu':
        add(l.input, g.op('Mul', [gy, f.mask(l.input)]));
        break;
      case 'avgpool': {
        const si = outShape(l.input);
        const so = outShape(l.output);
        // each output's share 1/count, count = the window's positions (inside the image unless padding counts)
        const share = new Float32Array(so.h * so.w);
        for (let oy = 0; oy < so.h; oy++)
          for (let ox = 0; ox < so.w; ox++) {
            const y0 = oy * l.stride - l.pad;
            const x0 = ox * l.stride - l.pad;
            const n = l.countIncludePad
              ? l.k * l.k
              : (Math.min(y0 + l.k, si.h) - Math.max(y0, 0)) * (Math.min(x0 + l.k, si.w) - Math.max(x0, 0));
            share[oy * so.w + ox] = 1 / n;
          }
        const ones = g.initializer(
          g.fresh('pool_ones'),
          [si.c, 1, l.k, l.k],
          new Float32Array(si.c * l.k * l.k).fill(1),
        );
        const scaled = g.op('Mul', [gy, g.initializer(g.fresh('pool_share'), [1, 1, so.h, so.w], share)]);
        add(l.input, g.op('ConvTranspose', [scaled, ones], transposeAttrs(l, si.c)));
        break;
      }
      case 'add':
        for (const input of l.inputs) add(input, gy);
        break;
      case 'zero':
        break;
      case 'gap': {
        const s = outShape(l.input);
        const spread = g.op('Mul', [
          g.op('Reshape', [gy, g.ints([0, s.c, 1, 1])]),
          g.scalar(1 / (s.h * s.w)),
        ]);
        add(l.input, g.op('Expand', [spread, g.ints([f.batch, s.c, s.h, s.w])]));
        break;
      }
      case 'shuffle': {
        // the inverse of (N, g, C/g, H, W) -> transpose(1, 2) is the same with C/g groups
        const s = outShape(l.input);
        const inv = s.c / l.groups;
        add(
          l.input,
          g.op('Reshape', [
            g.op('Transpose', [g.op('Reshape', [gy, g.ints([0, inv, s.c / inv, s.h, s.w])])], {
              perm: [0, 2, 1, 3, 4],
            }),
            g.ints([0, s.c, s.h, s.w]),
          ]),
        );
        break;
      }
    }
  }
  return gradOf(net.input);
}
