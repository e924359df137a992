// Deterministic, counter-based weight and input generation for the live evaluator. Every tensor is a pure
// function of (seed, stream, tensor name, element index) through a 32-bit hash, so the TypeScript evaluator, its
// worker threads and the PyTorch reference script (scripts/gen-proxy-fixtures.py mirrors this file) produce the
// same float32 values bit for bit, without shipping weights.

/** FNV-1a over the UTF-16 code units of an ASCII string (names here are ASCII). */
export function fnv1a32(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** murmur3's fmix32 finaliser applied to key + (j + 1) * golden ratio. */
export function hash32(key: number, j: number): number {
  let x = (key + Math.imul(j + 1, 0x9e3779b9)) >>> 0;
  x ^= x >>> 16;
  x = Math.imul(x, 0x85ebca6b) >>> 0;
  x ^= x >>> 13;
  x = Math.imul(x, 0xc2b2ae35) >>> 0;
  x ^= x >>> 16;
  return x >>> 0;
}

const TWO24 = 16777216;

export function tensorKey(seed: number, stream: string, name: string): number {
  return fnv1a32(`${seed}:${stream}:${name}`);
}

/** Uniform in [-bound, bound): bound * (2u - 1), u = 24-bit hash / 2^24, rounded once to float32. */
export function uniformTensor(key: number, n: number, bound: number): Float32Array {
  const out = new Float32Array(n);
  for (let j = 0; j < n; j++) out[j] = bound * ((2 * (hash32(key, j) >>> 8)) / TWO24 - 1);
  return out;
}

/** Standard normal by Box–Muller over element pairs (2j, 2j+1), rounded once to float32. */
export function normalTensor(key: number, n: number, std = 1): Float32Array {
  const out = new Float32Array(n);
  for (let j = 0; j < n; j++) {
    const u1 = ((hash32(key, 2 * j) >>> 8) + 1) / TWO24;
    const u2 = (hash32(key, 2 * j + 1) >>> 8) / TWO24;
    out[j] = std * Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
  }
  return out;
}

// Generated tensors recur across architectures (same layer name and shape), so they are memoised per thread.
const memo = new Map<string, Float32Array>();
let memoBytes = 0;
const MEMO_LIMIT = 256 * 2 ** 20;

/** How a network's weights are initialised for a proxy. */
export type InitScheme =
  /** PyTorch's default Conv2d/Linear init: U(±1/sqrt(fan_in)) (kaiming_uniform with a=sqrt(5)); BN 1/0. */
  | 'torch-default'
  /** Zen-NAS: N(0, 1) for conv and linear weights, zero linear bias; BN 1/0. */
  | 'gaussian'
  /**
   * AZ-NAS's (and VKDNW's) init: Kaiming normal, fan-in, ReLU gain, N(0, 2 / fan_in) for conv and linear weights,
   * zero linear bias; BN 1/0 (`kaiming_normal_fanin_init` in AZ-NAS's `compute_az_nas_score.py`).
   */
  | 'kaiming-normal';

export interface WeightRequest {
  name: string;
  kind: 'conv' | 'linear-weight' | 'linear-bias';
  shape: readonly number[];
  fanIn: number;
}

/** Produces the initial value of every weight tensor of a network from its name. */
export class WeightSource {
  constructor(
    readonly seed: number,
    readonly scheme: InitScheme,
  ) {}

  /** The tensor's values; shared (memoised per process), so callers must not modify them. */
  tensor(req: WeightRequest): Float32Array {
    const n = req.shape.reduce((a, b) => a * b, 1);
    const memoKey = `${this.seed}:${this.scheme}:${req.name}:${req.kind}:${n}:${req.fanIn}`;
    let w = memo.get(memoKey);
    if (!w) {
      const key = tensorKey(this.seed, this.scheme, req.name);
      if (this.scheme === 'gaussian')
        w = req.kind === 'linear-bias' ? new Float32Array(n) : normalTensor(key, n);
      else if (this.scheme === 'kaiming-normal')
        w = req.kind === 'linear-bias' ? new Float32Array(n) : normalTensor(key, n, Math.sqrt(2 / req.fanIn));
      else w = uniformTensor(key, n, 1 / Math.sqrt(req.fanIn));
      memoBytes += w.byteLength;
      if (memoBytes > MEMO_LIMIT) {
        memo.clear();
        memoBytes = w.byteLength;
      }
      memo.set(memoKey, w);
    }
    return w;
  }
}
