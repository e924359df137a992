// Wall-time measurement of an ONNX Runtime session on this CPU: warm-up runs, then the median of timed runs.
// One implementation for every "measured here" latency (AutoFormer's cpu_latency, export-model's measure).
import type * as ort from 'onnxruntime-node';

/** Median wall time in ms of `runs` forward passes, after `warmup` untimed ones. */
export async function medianForwardMs(
  session: ort.InferenceSession,
  feeds: ort.InferenceSession.FeedsType,
  warmup: number,
  runs: number,
): Promise<number> {
  for (let i = 0; i < warmup; i++) await session.run(feeds);
  const ts: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = process.hrtime.bigint();
    await session.run(feeds);
    ts.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  ts.sort((p, q) => p - q);
  const m = ts.length >> 1;
  return ts.length % 2 ? ts[m]! : (ts[m - 1]! + ts[m]!) / 2;
}
