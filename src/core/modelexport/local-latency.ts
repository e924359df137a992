// `--device local` for NB201 and FBNet: the hardware metric local_latency is the CPU latency of the candidate's
// ONNX network measured here (measure.ts: batch 1, one intra-op thread, warm-up, median), added to whatever the
// space's evaluator reports (predicted accuracy, lookup-table metrics). One measurement at a time, so
// measurements do not disturb each other; kept on disk per machine context in the live evaluator's cache folder,
// so an architecture is timed once per machine. onnxruntime is loaded on the first measurement only.

import path from 'node:path';
import type { Evaluation, EvaluationContext, Evaluator } from '../evaluator.js';
import { cacheDir, LatencyCache } from '../engine/cache.js';
import type { SearchSpace } from '../space.js';
import { resolveTarget, type ExportTarget, type SpaceExporter } from './contract.js';

export const LOCAL_DEVICE = 'local';
export const LOCAL_LATENCY = 'local_latency';
export const LOCAL_LATENCY_UNIT =
  'ms, CPU latency measured here (onnxruntime, batch 1, 1 thread, median of 20)';

/** The metrics the space's own tables provide, and whether local_latency is asked for. */
export function splitLocal<M extends string>(metrics: readonly string[]): { table: M[]; local: boolean } {
  return {
    table: metrics.filter((m) => m !== LOCAL_LATENCY) as M[],
    local: metrics.includes(LOCAL_LATENCY),
  };
}

/** The export target of a candidate, by its space's exporter (what local_latency times). */
export function targetOfArch<A>(
  exporter: SpaceExporter,
  space: SearchSpace<A>,
  spaceId: string,
  dataset: string,
  a: A,
): ExportTarget {
  const arch = space.format(a);
  return resolveTarget(exporter, {
    space: spaceId,
    dataset,
    id: space.fileId(a),
    arch,
    spec: space.toJSON(a),
  });
}

type Measure = (t: ExportTarget) => Promise<number>;

let chain: Promise<unknown> = Promise.resolve();
let cache: { get(k: string): number | undefined; set(k: string, v: number): void } | undefined;

/** Default measurement: measure.ts's defaults, serialised, cached on disk per machine context. */
async function measureCached(t: ExportTarget): Promise<number> {
  const m = await import('./measure.js');
  if (!cache) {
    cache = new LatencyCache(
      path.join(cacheDir(), 'local-cpu-latency.json'),
      m.measureContext(m.MEASURE_DEFAULTS),
    );
  }
  const key = `${t.source.space}/${t.source.dataset}/${t.source.arch}`;
  const hit = cache.get(key);
  if (hit !== undefined) return hit;
  const run = chain.then(() => m.measureTarget(t));
  chain = run.catch(() => undefined);
  const ms = (await run).medianMs;
  cache.set(key, ms);
  return ms;
}

/**
 * `--device local` for a space with its own hardware tables: builds the space's evaluator for the table metrics
 * (all but local_latency) and, when local_latency is asked for, adds the CPU latency measured here.
 */
export function withLocalDevice<A>(
  metrics: readonly string[],
  build: (tableMetrics: string[]) => Evaluator<A>,
  target: (a: A) => ExportTarget,
): { evaluator: Evaluator<A>; local: boolean } {
  const { table, local } = splitLocal<string>(metrics);
  const base = build(table);
  return { evaluator: local ? withLocalLatency(base, target) : base, local };
}

/** The evaluator with local_latency added to its hardware metrics. */
export function withLocalLatency<A>(
  inner: Evaluator<A>,
  target: (a: A) => ExportTarget,
  measure: Measure = measureCached,
): Evaluator<A> {
  return {
    id: `${inner.id}+${LOCAL_LATENCY}`,
    predictor: inner.predictor,
    metrics: [...inner.metrics, LOCAL_LATENCY],
    ...(inner.admissible ? { admissible: (a: A) => inner.admissible!(a) } : {}),
    ...(inner.cacheKey ? { cacheKey: (a: A) => inner.cacheKey!(a) } : {}),
    // the table metrics stay free; local_latency has to be measured
    ...(inner.knownCosts ? { knownCosts: (a: A) => inner.knownCosts!(a) } : {}),
    async evaluate(a: A, signal?: AbortSignal, context?: EvaluationContext): Promise<Evaluation> {
      const [e, ms] = await Promise.all([inner.evaluate(a, signal, context), measure(target(a))]);
      signal?.throwIfAborted();
      return { ...e, hw: { ...e.hw, [LOCAL_LATENCY]: ms } };
    },
  };
}
