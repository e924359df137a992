// HW-NAS-Bench's FBNet lookup tables (data/fbnet-lut.json.gz, converted by scripts/convert-fbnet-data.mjs) and
// their summation rule: an architecture's cost on a device is the sum of its blocks' table entries — stem, the
// 22 searchable layers, head, average pool and classifier — added in that order (the order HW-NAS-Bench's API
// sums them in; it reproduces HELP's published FBNet latencies bit for bit).

import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { dataDir } from '../data.js';

export const FBNET_METRICS = [
  'edgegpu_latency',
  'edgegpu_energy',
  'raspi4_latency',
  'pixel3_latency',
  'eyeriss_latency',
  'eyeriss_energy',
  'fpga_latency',
  'fpga_energy',
] as const;
export type FbnetMetric = (typeof FBNET_METRICS)[number];

export const FBNET_DEVICES = ['edgegpu', 'raspi4', 'pixel3', 'eyeriss', 'fpga'] as const;

/** One searchable block: an inverted residual (1x1 expand, kxk depthwise, 1x1 project) or a skip. */
export interface FbnetOp {
  name: string;
  exp: number;
  kernel: number;
  group: number;
  skip: boolean;
}

/** Op order of HW-NAS-Bench and HELP (op index = position). */
export const FBNET_OPS: readonly FbnetOp[] = [
  { name: 'k3_e1', exp: 1, kernel: 3, group: 1, skip: false },
  { name: 'k3_e1_g2', exp: 1, kernel: 3, group: 2, skip: false },
  { name: 'k3_e3', exp: 3, kernel: 3, group: 1, skip: false },
  { name: 'k3_e6', exp: 6, kernel: 3, group: 1, skip: false },
  { name: 'k5_e1', exp: 1, kernel: 5, group: 1, skip: false },
  { name: 'k5_e1_g2', exp: 1, kernel: 5, group: 2, skip: false },
  { name: 'k5_e3', exp: 3, kernel: 5, group: 1, skip: false },
  { name: 'k5_e6', exp: 6, kernel: 5, group: 1, skip: false },
  { name: 'skip', exp: 0, kernel: 0, group: 1, skip: true },
];

export const FBNET_LAYERS = 22;
export const STAGE_LAYERS = [1, 4, 4, 4, 4, 4, 1] as const;
export const STAGE_CHANNELS = [16, 24, 32, 64, 112, 184, 352] as const;

/** Input setting of HW-NAS-Bench's FBNet definition. */
export interface FbnetSetting {
  inputHw: number;
  stemStride: number;
  stageStrides: readonly number[];
  headChannels: number;
  numClasses: number;
}

export const FBNET_SETTINGS: Record<string, FbnetSetting> = {
  cifar100: {
    inputHw: 32,
    stemStride: 1,
    stageStrides: [1, 1, 2, 2, 1, 2, 1],
    headChannels: 1504,
    numClasses: 100,
  },
  // HW-NAS-Bench documents cifar100 and ImageNet; its tables also hold the CIFAR-10 classifier (FC 1504 -> 10)
  cifar10: {
    inputHw: 32,
    stemStride: 1,
    stageStrides: [1, 1, 2, 2, 1, 2, 1],
    headChannels: 1504,
    numClasses: 10,
  },
  ImageNet: {
    inputHw: 224,
    stemStride: 2,
    stageStrides: [1, 2, 2, 2, 1, 2, 1],
    headChannels: 1984,
    numClasses: 1000,
  },
};
export const FBNET_DATASETS = Object.keys(FBNET_SETTINGS);

/** Shape of searchable layer i: input resolution, channels and stride. */
export interface LayerShape {
  h: number;
  cin: number;
  cout: number;
  stride: number;
}

export function layerShapes(s: FbnetSetting): LayerShape[] {
  const out: LayerShape[] = [];
  let h = s.inputHw / s.stemStride;
  let cin = 16;
  STAGE_LAYERS.forEach((n, stage) => {
    const cout = STAGE_CHANNELS[stage]!;
    for (let j = 0; j < n; j++) {
      const stride = j === 0 ? s.stageStrides[stage]! : 1;
      out.push({ h, cin, cout, stride });
      if (j === 0) h = h / stride;
      cin = cout;
    }
  });
  return out;
}

/** The table keys an architecture's cost sums over, in summation order. */
export function lutKeys(ops: readonly number[], s: FbnetSetting): string[] {
  const keys = [`ConvNorm_H${s.inputHw}_W${s.inputHw}_Cin3_Cout16_kernel3_stride${s.stemStride}_group1`];
  const shapes = layerShapes(s);
  ops.forEach((o, i) => {
    const { h, cin, cout, stride } = shapes[i]!;
    const op = FBNET_OPS[o]!;
    keys.push(
      op.skip
        ? `Skip_H${h}_W${h}_Cin${cin}_Cout${cout}_stride${stride}`
        : `ConvBlock_H${h}_W${h}_Cin${cin}_Cout${cout}_exp${op.exp}_kernel${op.kernel}_stride${stride}_group${op.group}`,
    );
  });
  const last = shapes[shapes.length - 1]!;
  const h = last.h / last.stride;
  const hc = s.headChannels;
  keys.push(`ConvNorm_H${h}_W${h}_Cin352_Cout${hc}_kernel1_stride1_group1`);
  keys.push(`AvgP_H${h}_W${h}_Cin${hc}_Cout${hc}_kernel${h}_stride1`);
  keys.push(`FC_Cin${hc}_Cout${s.numClasses}`);
  return keys;
}

export interface FbnetLutFile {
  format: string;
  source: string;
  summationRule: string;
  metrics: FbnetMetric[];
  lut: Record<FbnetMetric, Record<string, number>>;
}

let cached: FbnetLutFile | undefined;

export function loadFbnetLut(dir = dataDir()): FbnetLutFile {
  if (!cached) {
    const f = path.join(dir, 'fbnet-lut.json.gz');
    cached = JSON.parse(zlib.gunzipSync(fs.readFileSync(f)).toString('utf8')) as FbnetLutFile;
  }
  return cached;
}

/** Sum of the table along the architecture; throws naming the missing key (a shape outside the tables). */
export function lutCost(ops: readonly number[], s: FbnetSetting, metric: FbnetMetric): number {
  const table = loadFbnetLut().lut[metric];
  let sum = 0;
  for (const k of lutKeys(ops, s)) {
    const v = table[k];
    if (v === undefined) throw new Error(`FBNet ${metric} table has no entry ${k}`);
    sum += v;
  }
  return sum;
}
