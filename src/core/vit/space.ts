// AutoFormer ViT search spaces (Tiny / Small / Base), exactly as data/autoformer-space.json (converted from
// microsoft/Cream's AutoFormer yaml files): one embedding dim shared by all blocks, a depth, and per block an MLP
// ratio and a head count. Text notation: "embed=192 depth=13 mlp=3.5,4,... heads=3,4,..." (lists have `depth`
// entries). Niches are the paper's: embedding dim x depth (3 x 3 = 9 per space).

import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { dataDir } from '../data.js';
import type { Niche, Partition } from '../partition.js';
import type { Rng } from '../rng.js';
import { SpaceError, type SearchSpace, type SpaceIssue } from '../space.js';
import { vitCost } from './net.js';

export interface VitArch {
  embed: number;
  depth: number;
  mlp: number[];
  heads: number[];
}

export interface VitChoices {
  embed: number[];
  depth: number[];
  mlp: number[];
  heads: number[];
}

export interface AutoformerData {
  supernet: Record<
    string,
    { SEARCH_SPACE: { EMBED_DIM: number[]; DEPTH: number[]; MLP_RATIO: number[]; NUM_HEADS: number[] } }
  >;
  subnets: Record<
    string,
    { RETRAIN: { EMBED_DIM: number; DEPTH: number; MLP_RATIO: number[]; NUM_HEADS: number[] } }
  >;
  modelZoo: { model: string; params_m: number; top1: number; top5: number }[];
}

let cached: AutoformerData | undefined;
export function loadAutoformer(dir = dataDir()): AutoformerData {
  cached ??= JSON.parse(
    zlib.gunzipSync(fs.readFileSync(path.join(dir, 'autoformer-space.json.gz'))).toString('utf8'),
  ) as AutoformerData;
  return cached;
}

export const VIT_VARIANTS = ['T', 'S', 'B'] as const;
export type VitVariant = (typeof VIT_VARIANTS)[number];

const listOf = (v: unknown): unknown[] | undefined =>
  Array.isArray(v) ? v : typeof v === 'string' ? v.split(',').map((x) => x.trim()) : undefined;

export class VitSpace implements SearchSpace<VitArch> {
  readonly id: string;
  readonly label: string;
  readonly size: number;

  constructor(
    readonly variant: VitVariant,
    readonly choices: VitChoices,
  ) {
    this.id = `autoformer-${variant.toLowerCase()}`;
    this.label = `AutoFormer-${variant} ViT space (ImageNet 224x224)`;
    const perBlock = choices.mlp.length * choices.heads.length;
    this.size = choices.depth.reduce((n, d) => n + choices.embed.length * perBlock ** d, 0);
  }

  parse(input: unknown): VitArch {
    const issues: SpaceIssue[] = [];
    let o: Record<string, unknown>;
    if (typeof input === 'string') {
      const t = input.trim();
      if (t.startsWith('{')) {
        try {
          return this.parse(JSON.parse(t));
        } catch (e) {
          if (e instanceof SpaceError) throw e;
          throw new SpaceError([{ path: '$', message: `invalid JSON: ${(e as Error).message}` }], t);
        }
      }
      o = {};
      for (const tok of t.split(/\s+/).filter(Boolean)) {
        const [k, ...v] = tok.split('=');
        if (!v.length) issues.push({ path: '$', message: `cannot read "${tok}" (expected key=value)` });
        else o[k!] = v.join('=');
      }
    } else if (input && typeof input === 'object' && !Array.isArray(input)) {
      o = input as Record<string, unknown>;
      if (typeof o['arch'] === 'string' && o['embed'] === undefined) return this.parse(o['arch']);
    } else
      throw new SpaceError([
        { path: '$', message: 'expected "embed=.. depth=.. mlp=.. heads=.." or an object' },
      ]);
    const pick = (...keys: string[]): [string, unknown] => {
      for (const k of keys) if (o[k] !== undefined) return [k, o[k]];
      return [keys[0]!, undefined];
    };
    const [ek, ev] = pick('embed', 'embed_dim', 'EMBED_DIM');
    const [dk, dv] = pick('depth', 'DEPTH');
    const [mk, mv] = pick('mlp', 'mlp_ratio', 'MLP_RATIO');
    const [hk, hv] = pick('heads', 'num_heads', 'NUM_HEADS');
    const num = (k: string, v: unknown, allowed: number[]): number => {
      const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
      if (v === undefined) issues.push({ path: `$.${k}`, message: 'missing' });
      else if (!allowed.includes(n))
        issues.push({
          path: `$.${k}`,
          message: `${JSON.stringify(v)} is not allowed; valid: ${allowed.join(', ')}`,
        });
      return n;
    };
    const embed = num(ek, ev, this.choices.embed);
    const depth = num(dk, dv, this.choices.depth);
    const list = (k: string, v: unknown, allowed: number[]): number[] => {
      const l = listOf(v);
      if (!l) {
        issues.push({ path: `$.${k}`, message: v === undefined ? 'missing' : 'expected a list' });
        return [];
      }
      if (Number.isInteger(depth) && this.choices.depth.includes(depth) && l.length !== depth)
        issues.push({ path: `$.${k}`, message: `needs one value per block: ${depth}, got ${l.length}` });
      return l.map((x, i) => num(`${k}[${i}]`, x, allowed));
    };
    const mlp = list(mk, mv, this.choices.mlp);
    const heads = list(hk, hv, this.choices.heads);
    const known = new Set([ek, dk, mk, hk, 'arch']);
    for (const k of Object.keys(o))
      if (!known.has(k))
        issues.push({ path: `$.${k}`, message: 'unknown field; fields: embed, depth, mlp, heads' });
    if (issues.length) throw new SpaceError(issues, typeof input === 'string' ? input : undefined);
    return { embed, depth, mlp, heads };
  }

  format(a: VitArch): string {
    return `embed=${a.embed} depth=${a.depth} mlp=${a.mlp.join(',')} heads=${a.heads.join(',')}`;
  }

  toJSON(a: VitArch): Record<string, unknown> {
    return { arch: this.format(a), embed: a.embed, depth: a.depth, mlp: [...a.mlp], heads: [...a.heads] };
  }

  canonicalKey(a: VitArch): string {
    return this.format(a);
  }

  fileId(a: VitArch): string {
    const h = crypto.createHash('sha1').update(this.format(a)).digest('hex').slice(0, 10);
    return `${this.id}-e${a.embed}-d${a.depth}-${h}`;
  }

  sample(rng: Rng): VitArch {
    const depth = rng.pick(this.choices.depth);
    return {
      embed: rng.pick(this.choices.embed),
      depth,
      mlp: Array.from({ length: depth }, () => rng.pick(this.choices.mlp)),
      heads: Array.from({ length: depth }, () => rng.pick(this.choices.heads)),
    };
  }

  /** Depth changes drop the last block or repeat it. */
  private withDepth(a: VitArch, d: number): VitArch {
    const ext = <T>(l: T[]): T[] =>
      d <= l.length ? l.slice(0, d) : [...l, ...Array<T>(d - l.length).fill(l[l.length - 1]!)];
    return { embed: a.embed, depth: d, mlp: ext(a.mlp), heads: ext(a.heads) };
  }

  neighbours(a: VitArch): VitArch[] {
    const out: VitArch[] = [];
    for (const e of this.choices.embed)
      if (e !== a.embed) out.push({ ...a, embed: e, mlp: [...a.mlp], heads: [...a.heads] });
    for (const d of this.choices.depth) if (d !== a.depth) out.push(this.withDepth(a, d));
    for (let i = 0; i < a.depth; i++) {
      for (const m of this.choices.mlp)
        if (m !== a.mlp[i])
          out.push({ ...a, mlp: a.mlp.map((x, j) => (j === i ? m : x)), heads: [...a.heads] });
      for (const h of this.choices.heads)
        if (h !== a.heads[i])
          out.push({ ...a, heads: a.heads.map((x, j) => (j === i ? h : x)), mlp: [...a.mlp] });
    }
    return out;
  }

  mutate(a: VitArch, rng: Rng, rate: number): VitArch {
    const other = (xs: number[], v: number): number => {
      const rest = xs.filter((x) => x !== v);
      return rest.length ? rng.pick(rest) : v;
    };
    for (let t = 0; t < 20; t++) {
      let out: VitArch = { ...a, mlp: [...a.mlp], heads: [...a.heads] };
      if (rng.next() < rate) out.embed = other(this.choices.embed, out.embed);
      if (rng.next() < rate) out = this.withDepth(out, other(this.choices.depth, out.depth));
      for (let i = 0; i < out.depth; i++) {
        if (rng.next() < rate) out.mlp[i] = other(this.choices.mlp, out.mlp[i]!);
        if (rng.next() < rate) out.heads[i] = other(this.choices.heads, out.heads[i]!);
      }
      if (this.format(out) !== this.format(a)) return out;
    }
    return rng.pick(this.neighbours(a));
  }

  crossover(a: VitArch, b: VitArch, rng: Rng): VitArch {
    const embed = rng.next() < 0.5 ? a.embed : b.embed;
    const depth = rng.next() < 0.5 ? a.depth : b.depth;
    const at = (p: VitArch, l: number[], i: number): number => l[Math.min(i, p.depth - 1)]!;
    return {
      embed,
      depth,
      mlp: Array.from({ length: depth }, (_, i) => (rng.next() < 0.5 ? at(a, a.mlp, i) : at(b, b.mlp, i))),
      heads: Array.from({ length: depth }, (_, i) =>
        rng.next() < 0.5 ? at(a, a.heads, i) : at(b, b.heads, i),
      ),
    };
  }

  features(a: VitArch): Record<string, number> {
    const c = vitCost(a, AUTOFORMER_NET);
    const mean = (l: number[]): number => l.reduce((s, x) => s + x, 0) / l.length;
    return {
      params_m: c.paramsM,
      flops_m: c.flopsM,
      embed_dim: a.embed,
      depth: a.depth,
      mean_mlp_ratio: mean(a.mlp),
      mean_heads: mean(a.heads),
    };
  }

  describe(a: VitArch): string {
    const f = this.features(a);
    return (
      `${this.format(a)} — ${f.params_m!.toFixed(2)} M params, ${(f.flops_m! / 1000).toFixed(2)} GFLOPs (224x224), ` +
      `mean MLP ratio ${f.mean_mlp_ratio!.toFixed(2)}, mean heads ${f.mean_heads!.toFixed(2)}`
    );
  }

  grammar(): string {
    const c = this.choices;
    return (
      `AutoFormer-${this.variant} ViT: patch 16 on 224x224 (196 tokens + class token); one embedding dim for all ` +
      `blocks; each block is pre-norm multi-head self-attention (64 dims per head) and an MLP (GELU) with its own ` +
      `ratio. Written "embed=E depth=D mlp=r1,...,rD heads=h1,...,hD". Choices: embed ∈ {${c.embed.join(', ')}}, ` +
      `depth ∈ {${c.depth.join(', ')}}, each mlp ratio ∈ {${c.mlp.join(', ')}}, each head count ∈ {${c.heads.join(', ')}}.`
    );
  }

  encode(a: VitArch): number[] {
    const c = this.choices;
    const maxD = Math.max(...c.depth);
    const x: number[] = [...c.embed.map((e) => +(e === a.embed)), ...c.depth.map((d) => +(d === a.depth))];
    for (let i = 0; i < maxD; i++) {
      for (const m of c.mlp) x.push(+(a.mlp[i] === m));
      for (const h of c.heads) x.push(+(a.heads[i] === h));
    }
    return x;
  }
}

/** ImageNet setting of AutoFormer: 224x224, patch 16, 1000 classes. */
export const AUTOFORMER_NET = { resolution: 224, patch: 16, numClasses: 1000 } as const;

const spaces = new Map<VitVariant, VitSpace>();
export function vitSpace(v: VitVariant): VitSpace {
  let s = spaces.get(v);
  if (!s) {
    const ss = loadAutoformer().supernet[v]!.SEARCH_SPACE;
    s = new VitSpace(v, { embed: ss.EMBED_DIM, depth: ss.DEPTH, mlp: ss.MLP_RATIO, heads: ss.NUM_HEADS });
    spaces.set(v, s);
  }
  return s;
}

/** The paper's partition of an AutoFormer space: one niche per (embedding dim, depth). */
export function vitPartition(space: VitSpace): Partition<VitArch> {
  const { embed, depth } = space.choices;
  const niches: Niche<VitArch>[] = [];
  for (const e of embed)
    for (const d of depth) {
      const id = niches.length;
      niches.push({
        id,
        name: `N${id}`,
        constraint: `embed = ${e} and depth = ${d}`,
        contains: (a) => a.embed === e && a.depth === d,
        distance: (a) => Math.abs(embed.indexOf(a.embed) - embed.indexOf(e)) + Math.abs(a.depth - d),
      });
    }
  return {
    kind: 'autoformer:embed-x-depth',
    niches,
    nicheOf: (a) => embed.indexOf(a.embed) * depth.length + depth.indexOf(a.depth),
  };
}
