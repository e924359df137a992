// "Measured here": the CPU latency of an exported network on this machine with onnxruntime-node — the deployable
// ONNX graph of onnx.ts, warm-up runs, then the median of N timed runs at a stated batch and thread count — or
// the space's own measurement where its exporter has one for these options (AutoFormer subnets at batch 1: the
// ViT path's measurement, src/core/vit/scorer.ts, the same one its searches use). Always labelled as measured on
// this machine, never mixed up with the lookup tables' devices.

import os from 'node:os';
import * as ort from 'onnxruntime-node';
import { gaussianInput } from '../engine/inputs.js';
import { medianForwardMs } from '../engine/timing.js';
import type { ExportTarget, MeasureOptions } from './contract.js';
import { exportOnnx } from './onnx.js';

export type { MeasureOptions } from './contract.js';

export const MEASURED_HERE = 'measured here';

export const MEASURE_DEFAULTS: MeasureOptions = { warmup: 5, runs: 20, threads: 1, batch: 1 };

export interface Measured {
  /** Median wall time of one forward pass of the whole batch, in ms. */
  medianMs: number;
  label: typeof MEASURED_HERE;
  options: MeasureOptions;
  /** The machine and runtime the figure belongs to. */
  context: string;
}

export function measureContext(o: MeasureOptions): string {
  const cpu = os.cpus()[0]?.model?.trim() ?? 'unknown CPU';
  return (
    `${MEASURED_HERE}: ${cpu} (${os.cpus().length} logical cores), onnxruntime-node ${ort.env.versions.node ?? ''}, ` +
    `batch ${o.batch}, ${o.threads} intra-op thread${o.threads === 1 ? '' : 's'}, ${o.warmup} warm-up runs, median of ${o.runs}`
  );
}

export async function measureTarget(t: ExportTarget, opts: Partial<MeasureOptions> = {}): Promise<Measured> {
  const o: MeasureOptions = { ...MEASURE_DEFAULTS, ...opts };
  if (!(o.runs >= 1 && o.warmup >= 0 && o.threads >= 1 && o.batch >= 1))
    throw new Error('measure: runs, threads and batch must be at least 1, warm-up at least 0');
  const context = measureContext(o);
  const own = t.exporter.measure?.(t, o);
  if (own) {
    const ms = await own;
    return { medianMs: ms, label: MEASURED_HERE, options: o, context };
  }
  const e = exportOnnx(t);
  const [, c, h, w] = e.inputShape;
  const session = await ort.InferenceSession.create(e.bytes, {
    intraOpNumThreads: o.threads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
  });
  try {
    const x = new ort.Tensor('float32', gaussianInput(0, 'latency', o.batch * c * h * w), [o.batch, c, h, w]);
    const medianMs = await medianForwardMs(session, { x }, o.warmup, o.runs);
    return { medianMs, label: MEASURED_HERE, options: o, context };
  } finally {
    await session.release();
  }
}
