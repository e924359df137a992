// The precomputed live-proxy table for NAS-Bench-201 (data/live-nb201-<dataset>.jsonl, written by
// scripts/live-table.ts with this evaluator): a settings header line, then one line per isomorphism class
// {i, key, naswot, swap, meco, logsynflow, zen, params, flops} (-Infinity stored as null). Expanded to all
// 15,625 indices through the space's canonical key; classes not computed yet are NaN. Params and FLOPs are each
// cell's OWN (isomorphic cells differ in dead edges, which the network still builds and counts): they are read
// from the NAS-Bench-201 table, which counts exactly as the live network does (test/unit/live-evaluator.test.ts).

import fs from 'node:fs';
import path from 'node:path';
import { nb201Space } from './space.js';
import { dataDir } from '../data.js';
import { loadNb201Table, NB201_DATASETS, type Nb201Dataset } from './table.js';
import { LIVE_PROXIES, type LiveProxy, type ProxyScores } from '../engine/settings.js';

export function liveTableFile(dataset: string, dir = dataDir(), part = ''): string {
  return path.join(dir, `live-nb201-${dataset}${part ? `.${part}` : ''}.jsonl`);
}

/**
 * Column files computed after the main table, merged into it by class key: `az` holds AZ-NAS's expressivity,
 * progressivity and trainability (scripts/live-table.ts --part az), `jacov` jacov (--part jacov), same settings as
 * the main table.
 */
export const LIVE_TABLE_PARTS = ['az', 'jacov'] as const;

export interface LiveTableRows {
  settings: string;
  rows: Map<string, ProxyScores>;
}

/** Reads a table file; rows of other settings than `expectSettings` are an error (the file is stale). */
export function readLiveTable(file: string, expectSettings?: string): LiveTableRows {
  const rows = new Map<string, ProxyScores>();
  const lines = fs.readFileSync(file, 'utf8').split('\n');
  const header = JSON.parse(lines[0]!) as { settings: string };
  if (expectSettings && header.settings !== expectSettings)
    throw new Error(`${file} was computed with settings ${header.settings}, expected ${expectSettings}`);
  for (const line of lines.slice(1)) {
    if (!line.trim()) continue;
    let r: Record<string, number | string | null>;
    try {
      r = JSON.parse(line) as typeof r;
    } catch {
      continue; // a torn last line from an interrupted run
    }
    const s: ProxyScores = {};
    for (const p of LIVE_PROXIES) if (p in r) s[p] = r[p] === null ? -Infinity : (r[p] as number);
    rows.set(r['key'] as string, s);
  }
  return { settings: header.settings, rows };
}

export interface LiveTable {
  settings: string;
  /** Number of isomorphism classes present. */
  classes: number;
  /** Indices (of 15,625) with a value. */
  covered: number;
  column(p: LiveProxy): Float64Array;
}

let firstOfClass: Map<string, number> | undefined;

/**
 * The representative of a cell's isomorphism class: its first member in benchmark order. The live evaluator and
 * the table both score representatives, so a cell's scores never depend on which member was seen first.
 */
export function nb201Representative(arch: readonly number[]): number[] {
  if (!firstOfClass) {
    firstOfClass = new Map();
    for (let i = nb201Space.size - 1; i >= 0; i--)
      firstOfClass.set(nb201Space.canonicalKey(nb201Space.fromIndex(i)), i);
  }
  const i = firstOfClass.get(nb201Space.canonicalKey(arch));
  return i === undefined ? [...arch] : [...nb201Space.fromIndex(i)];
}

const cache = new Map<string, LiveTable | null>();

/**
 * The full-space table for a dataset, or null when none is shipped: the main table with its column parts merged
 * in, or with `part` one standalone part alone — `seedS`, the default proxy set at weight seed S
 * (`scripts/live-table.ts --seed S`, the further repeats that `loadLiveTableRepeats` averages), or `ioN`, the data
 * pass's proxies on the image batch from image N on (`--image-offset N`).
 */
export function loadLiveTable(dataset: string, part = ''): LiveTable | null {
  const ck = `${dataset}/${part}`;
  if (cache.has(ck)) return cache.get(ck)!;
  const file = liveTableFile(dataset, dataDir(), part);
  let t: LiveTable | null = null;
  if (fs.existsSync(file)) {
    const { settings, rows } = readLiveTable(file);
    const cols = new Map<LiveProxy, Float64Array>(
      LIVE_PROXIES.map((p) => [p, new Float64Array(nb201Space.size).fill(NaN)]),
    );
    const parts =
      part !== ''
        ? []
        : LIVE_TABLE_PARTS.map((part) => liveTableFile(dataset, dataDir(), part))
            .filter((f) => fs.existsSync(f))
            .map((f) => readLiveTable(f, settings).rows);
    let covered = 0;
    for (let i = 0; i < nb201Space.size; i++) {
      const key = nb201Space.canonicalKey(nb201Space.fromIndex(i));
      const r = rows.get(key);
      if (!r) continue;
      covered++;
      for (const p of LIVE_PROXIES) if (r[p] !== undefined) cols.get(p)![i] = r[p]!;
      for (const extra of parts) {
        const x = extra.get(key);
        if (x) for (const p of LIVE_PROXIES) if (x[p] !== undefined) cols.get(p)![i] = x[p]!;
      }
    }
    if ((NB201_DATASETS as readonly string[]).includes(dataset)) {
      const nb = loadNb201Table();
      cols.set('params', Float64Array.from(nb.params(dataset as Nb201Dataset)));
      cols.set('flops', Float64Array.from(nb.flops(dataset as Nb201Dataset)));
    }
    t = { settings, classes: rows.size, covered, column: (p) => cols.get(p)! };
  }
  cache.set(ck, t);
  return t;
}

/** The settings string of a table averaged over `repeats` weight seeds (the seed-0 table's, with `;rR`). */
export function repeatsSettings(settings: string, repeats: number): string {
  return repeats > 1 ? `${settings};r${repeats}` : settings;
}

/**
 * The table averaged over weight seeds 0 … repeats − 1, proxy by proxy, as the live evaluator averages a cell's
 * repeats (`meanScores`): a proxy is averaged where every seed's table has it (params and FLOPs are the same in
 * all), NaN elsewhere. Null when a seed's table is missing or was computed with other base settings.
 */
export function loadLiveTableRepeats(dataset: string, repeats: number): LiveTable | null {
  const base = loadLiveTable(dataset);
  if (!base || repeats <= 1) return base;
  const ck = `${dataset}/r${repeats}`;
  if (cache.has(ck)) return cache.get(ck)!;
  const seeds = [base];
  for (let s = 1; s < repeats; s++) {
    const t = loadLiveTable(dataset, `seed${s}`);
    // the same settings but the seed: `…;s0` against `…;sS`
    if (!t || t.settings !== base.settings.replace(/;s0$/, `;s${s}`)) {
      cache.set(ck, null);
      return null;
    }
    seeds.push(t);
  }
  const cols = new Map<LiveProxy, Float64Array>();
  for (const p of LIVE_PROXIES) {
    const out = new Float64Array(nb201Space.size);
    const cs = seeds.map((t) => t.column(p));
    for (let i = 0; i < out.length; i++) {
      let sum = 0;
      for (const c of cs) sum += c[i]!;
      out[i] = sum / cs.length; // NaN where any seed lacks the value
    }
    cols.set(p, out);
  }
  const t: LiveTable = {
    settings: repeatsSettings(base.settings, repeats),
    classes: Math.min(...seeds.map((x) => x.classes)),
    covered: Math.min(...seeds.map((x) => x.covered)),
    column: (p) => cols.get(p)!,
  };
  cache.set(ck, t);
  return t;
}
