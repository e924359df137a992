// The bundled NAS-Bench-201 + HW-NAS-Bench table (data/nb201.bin.gz, built by scripts/convert-data.mjs):
// all 15,625 cells with ops, params, FLOPs, 200-epoch test accuracy, the 10 hardware metrics and the published
// zero-cost proxies, per dataset. Loaded once per process (lazily) and shared.

import fs from 'node:fs';
import path from 'node:path';
import { dataDir } from '../data.js';
import zlib from 'node:zlib';

export const NB201_DATASETS = ['cifar10', 'cifar100', 'ImageNet16-120'] as const;
export type Nb201Dataset = (typeof NB201_DATASETS)[number];

export const HW_DEVICES = ['edgegpu', 'raspi4', 'edgetpu', 'pixel3', 'eyeriss', 'fpga'] as const;
export type HwDevice = (typeof HW_DEVICES)[number];

export const HW_METRICS = [
  'edgegpu_latency',
  'edgegpu_energy',
  'raspi4_latency',
  'edgetpu_latency',
  'pixel3_latency',
  'eyeriss_latency',
  'eyeriss_energy',
  'eyeriss_arithmetic_intensity',
  'fpga_latency',
  'fpga_energy',
] as const;
export type HwMetric = (typeof HW_METRICS)[number];

interface ColumnInfo {
  name: string;
  dtype: 'u8' | 'f64';
  width: number;
  offset: number;
  bytes: number;
}
interface Header {
  format: string;
  n: number;
  ops_vocab: string[];
  datasets: string[];
  hw_metrics: string[];
  columns: ColumnInfo[];
}

export class Nb201Table {
  readonly n: number;
  readonly opsVocab: readonly string[];
  /** ops of arch i are ops[6i .. 6i+5], as indices into opsVocab, in arch-string edge order. */
  readonly ops: Uint8Array;
  private readonly cols = new Map<string, Float64Array>();

  constructor(buf: Buffer) {
    const headerLen = buf.readUInt32LE(0);
    const header = JSON.parse(buf.subarray(4, 4 + headerLen).toString('utf8')) as Header;
    if (header.format !== 'llm-nas-nb201-v1') throw new Error(`nb201 table: unknown format ${header.format}`);
    const base = 4 + headerLen;
    this.n = header.n;
    this.opsVocab = header.ops_vocab;
    let ops: Uint8Array | undefined;
    for (const c of header.columns) {
      // copy into aligned buffers (the gzip payload has arbitrary alignment)
      const slice = buf.subarray(base + c.offset, base + c.offset + c.bytes);
      if (c.dtype === 'u8') {
        if (c.name === 'ops') ops = new Uint8Array(slice);
      } else {
        const ab = new ArrayBuffer(c.bytes);
        new Uint8Array(ab).set(slice);
        this.cols.set(c.name, new Float64Array(ab));
      }
    }
    if (!ops) throw new Error('nb201 table: ops column missing');
    this.ops = ops;
  }

  column(name: string): Float64Array {
    const c = this.cols.get(name);
    if (!c) throw new Error(`nb201 table: no column "${name}" (have: ${[...this.cols.keys()].join(', ')})`);
    return c;
  }

  hasColumn(name: string): boolean {
    return this.cols.has(name);
  }

  columnNames(): string[] {
    return [...this.cols.keys()];
  }

  testAccuracy(ds: Nb201Dataset): Float64Array {
    return this.column(`test_acc/${ds}`);
  }

  hw(ds: Nb201Dataset, metric: HwMetric): Float64Array {
    return this.column(`hw/${ds}/${metric}`);
  }

  params(ds: Nb201Dataset): Float64Array {
    return this.column(`params_m/${ds}`);
  }

  flops(ds: Nb201Dataset): Float64Array {
    return this.column(`flops_m/${ds}`);
  }

  /** Published proxy columns for a dataset, by short name (e.g. freerea_naswot, nbsz_zen). */
  proxyNames(ds: Nb201Dataset): string[] {
    const prefix = `proxy/${ds}/`;
    return this.columnNames()
      .filter((c) => c.startsWith(prefix))
      .map((c) => c.slice(prefix.length));
  }

  proxy(ds: Nb201Dataset, name: string): Float64Array {
    return this.column(`proxy/${ds}/${name}`);
  }
}

let cached: Nb201Table | undefined;

export function loadNb201Table(): Nb201Table {
  if (!cached) {
    const file = path.join(dataDir(), 'nb201.bin.gz');
    cached = new Nb201Table(zlib.gunzipSync(fs.readFileSync(file)));
  }
  return cached;
}
