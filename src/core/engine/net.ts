// A small, framework-free description of a convolutional network (the live evaluator's IR): named tensors and
// layers in topological order. Space-specific builders (NB201 here; FBNet and ViT builders follow the same
// pattern) emit a Net; the ONNX emitter (onnx.ts) turns a Net into one graph per proxy mode, and analytic
// params/FLOPs are read off the same description, so they can never disagree with what is executed.

export type Layer =
  | {
      kind: 'conv';
      name: string;
      input: string;
      output: string;
      cin: number;
      cout: number;
      k: number;
      stride: number;
      pad: number;
      /** Grouped convolution (FBNet's group variants, depthwise when group = cin); default 1. */
      group?: number;
    }
  /** ShuffleNet's channel shuffle: (N, g, C/g, H, W) -> transpose(1, 2) -> (N, C, H, W). */
  | { kind: 'shuffle'; input: string; output: string; groups: number }
  /** BatchNorm2d at initialisation (gamma 1, beta 0); the mode (batch statistics or identity) is the emitter's. */
  | { kind: 'bn'; name: string; input: string; output: string; c: number }
  | { kind: 'relu'; input: string; output: string }
  | {
      kind: 'avgpool';
      input: string;
      output: string;
      k: number;
      stride: number;
      pad: number;
      countIncludePad: boolean;
    }
  | { kind: 'add'; inputs: string[]; output: string }
  /** NB201's `none`: x * 0 (keeps the shape, contributes nothing). */
  | { kind: 'zero'; input: string; output: string }
  /** Global average pool + flatten: (N, C, H, W) -> (N, C). */
  | { kind: 'gap'; input: string; output: string }
  | { kind: 'linear'; name: string; input: string; output: string; cin: number; cout: number };

export interface TensorShape {
  c: number;
  h: number;
  w: number;
}

export interface Net {
  /** Input tensor name and shape (without the batch dimension). */
  input: string;
  inputShape: TensorShape;
  layers: Layer[];
  /** Logits tensor. */
  output: string;
  /** The feature map before global pooling (Zen-NAS's f(x)). */
  preGap: string;
  /** Block outputs whose channel correlation MeCo measures. */
  mecoTaps: string[];
  /**
   * Tensors that separate the network into a chain (every later layer depends on earlier ones only through this
   * tensor): synflow's forward rescales there to stay inside float32's range.
   */
  chainPoints: string[];
}

export class NetBuildError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
    this.name = 'NetBuildError';
  }
}

/** Shapes of every tensor; throws NetBuildError naming the layer when channels or inputs do not match. */
export function inferShapes(net: Net): Map<string, TensorShape> {
  const shapes = new Map<string, TensorShape>([[net.input, net.inputShape]]);
  const get = (t: string, where: string): TensorShape => {
    const s = shapes.get(t);
    if (!s) throw new NetBuildError(where, `input tensor "${t}" is not produced by an earlier layer`);
    return s;
  };
  const put = (t: string, s: TensorShape, where: string): void => {
    if (shapes.has(t)) throw new NetBuildError(where, `tensor "${t}" is produced twice`);
    shapes.set(t, s);
  };
  const out = (k: number, h: number, stride: number, pad: number): number =>
    Math.floor((h + 2 * pad - k) / stride) + 1;
  for (const l of net.layers) {
    const where = 'name' in l ? l.name : l.output;
    switch (l.kind) {
      case 'conv': {
        const s = get(l.input, where);
        if (s.c !== l.cin)
          throw new NetBuildError(where, `conv expects ${l.cin} input channels, "${l.input}" has ${s.c}`);
        const g = l.group ?? 1;
        if (l.cin % g !== 0 || l.cout % g !== 0)
          throw new NetBuildError(where, `group ${g} does not divide ${l.cin} -> ${l.cout} channels`);
        put(
          l.output,
          { c: l.cout, h: out(l.k, s.h, l.stride, l.pad), w: out(l.k, s.w, l.stride, l.pad) },
          where,
        );
        break;
      }
      case 'bn': {
        const s = get(l.input, where);
        if (s.c !== l.c)
          throw new NetBuildError(where, `batch norm over ${l.c} channels, "${l.input}" has ${s.c}`);
        put(l.output, s, where);
        break;
      }
      case 'relu':
      case 'zero':
        put(l.output, get(l.input, where), where);
        break;
      case 'shuffle': {
        const s = get(l.input, where);
        if (s.c % l.groups !== 0)
          throw new NetBuildError(where, `cannot shuffle ${s.c} channels in ${l.groups} groups`);
        put(l.output, s, where);
        break;
      }
      case 'avgpool': {
        const s = get(l.input, where);
        put(
          l.output,
          { c: s.c, h: out(l.k, s.h, l.stride, l.pad), w: out(l.k, s.w, l.stride, l.pad) },
          where,
        );
        break;
      }
      case 'add': {
        if (l.inputs.length === 0) throw new NetBuildError(where, 'sum of no inputs');
        const s0 = get(l.inputs[0]!, where);
        for (const t of l.inputs.slice(1)) {
          const s = get(t, where);
          if (s.c !== s0.c || s.h !== s0.h || s.w !== s0.w)
            throw new NetBuildError(
              where,
              `cannot add "${t}" (${s.c}x${s.h}x${s.w}) to "${l.inputs[0]}" (${s0.c}x${s0.h}x${s0.w})`,
            );
        }
        put(l.output, s0, where);
        break;
      }
      case 'gap': {
        const s = get(l.input, where);
        put(l.output, { c: s.c, h: 1, w: 1 }, where);
        break;
      }
      case 'linear': {
        const s = get(l.input, where);
        if (s.c !== l.cin)
          throw new NetBuildError(where, `linear expects ${l.cin} inputs, "${l.input}" has ${s.c}`);
        put(l.output, { c: l.cout, h: 1, w: 1 }, where);
        break;
      }
    }
  }
  for (const t of [net.output, net.preGap, ...net.mecoTaps, ...net.chainPoints])
    if (!shapes.has(t)) throw new NetBuildError('net', `tensor "${t}" is not produced by any layer`);
  return shapes;
}

/**
 * Analytic size and cost with NAS-Bench-201's counting convention: params = conv + BN affine + linear weights and
 * bias; FLOPs = multiply-adds of conv and linear layers (linear bias counted), pooling and BN not counted.
 * Both in millions.
 */
export function analyticCost(net: Net): { paramsM: number; flopsM: number } {
  const shapes = inferShapes(net);
  let params = 0;
  let flops = 0;
  for (const l of net.layers) {
    if (l.kind === 'conv') {
      const o = shapes.get(l.output)!;
      const g = l.group ?? 1;
      params += (l.cout * l.cin * l.k * l.k) / g;
      flops += (l.cout * l.cin * l.k * l.k * o.h * o.w) / g;
    } else if (l.kind === 'bn') {
      params += 2 * l.c;
    } else if (l.kind === 'linear') {
      params += l.cin * l.cout + l.cout;
      flops += l.cin * l.cout + l.cout;
    }
  }
  return { paramsM: params / 1e6, flopsM: flops / 1e6 };
}
