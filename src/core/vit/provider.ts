// AutoFormer ViT spaces (T/S/B) as run providers: dataset "imagenet" (224x224, 1000 classes), device "cpu" =
// this machine, whose latency is MEASURED with the inference engine (cached); accuracy is PREDICTED by the
// transformer zero-cost proxies (scorer.ts); niches are embedding dim x depth as in the paper.

import type { Evaluator } from '../evaluator.js';
import { externalEvaluatorFor } from '../external/provider.js';
import { loadReference, proxiesFor, RANK_PREDICTORS, ZcEvaluator } from '../zc.js';
import { dataDir } from '../data.js';
import { singleNiche, type Partition } from '../partition.js';
import type { SpaceProvider } from '../provider.js';
import type { SearchSpace } from '../space.js';
import fs from 'node:fs';
import path from 'node:path';
import { livePool } from '../engine/pool.js';
import { vitExporter } from './export.js';
import { VIT_PROXIES, VIT_RANK_PROXIES, type VitJob } from './proxies.js';
import { VIT_VARIANTS, vitPartition, vitSpace, type VitArch, type VitVariant } from './space.js';

export function vitReferenceFile(variant: VitVariant, dir = dataDir()): string {
  return path.join(dir, `zcref-autoformer-${variant.toLowerCase()}.json`);
}

const latencies = new Map<string, Promise<number>>();
/** Measurements run one at a time in the whole process: two timed at once would slow each other down. */
let measuring: Promise<unknown> = Promise.resolve();

/** `p`, or an AbortError as soon as `signal` aborts (p itself keeps running). */
function untilAborted<T>(p: Promise<T>, signal?: AbortSignal): Promise<T> {
  if (!signal) return p;
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void =>
      reject(signal.reason instanceof Error ? signal.reason : new Error('cancelled'));
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/**
 * Measured CPU latency of a subnet in ms, on a worker thread (which keeps the on-disk cache of measurements);
 * one measurement per architecture and process, one at a time. A caller's cancellation ends its own wait; the
 * measurement finishes for the others (and the cache).
 */
export function vitCpuLatency(
  space: SearchSpace<VitArch>,
  a: VitArch,
  signal?: AbortSignal,
  pool = livePool(),
): Promise<number> {
  const key = space.canonicalKey(a);
  let p = latencies.get(key);
  if (!p) {
    p = measuring.then(() =>
      pool
        .score({ space: 'vit', task: 'latency', arch: a, key } satisfies VitJob)
        .then((r) => r['cpu_latency']!),
    );
    measuring = p.catch(() => undefined);
    // a failed measurement is not remembered
    p.catch(() => latencies.delete(key));
    latencies.set(key, p);
  }
  return untilAborted(p, signal);
}

function vitProvider(variant: VitVariant): SpaceProvider {
  const id = `autoformer-${variant.toLowerCase()}`;
  return {
    id,
    label: `AutoFormer-${variant} (ViT; cpu_latency measured on this machine, accuracy predicted by zero-cost proxies)`,
    datasets: ['imagenet'],
    devices: ['cpu'],
    metrics: ['latency'],
    hwMetrics: ['cpu_latency'],
    hwUnits: { cpu_latency: 'ms' },
    predictors: () => [
      ...(fs.existsSync(vitReferenceFile(variant)) ? Object.keys(RANK_PREDICTORS) : []),
      ...VIT_PROXIES,
      'external',
    ],
    defaults: { dataset: 'imagenet', devices: ['cpu'], metric: 'latency', predictor: 'rank-avg' },
    exporter: vitExporter(variant),
    build(c, env = {}) {
      const space = vitSpace(variant);
      const pool = livePool(env.cacheDir);
      const hw = async (a: VitArch, signal?: AbortSignal): Promise<Record<string, number>> => ({
        cpu_latency: await vitCpuLatency(space, a, signal, pool),
      });
      const evaluator: Evaluator<VitArch> =
        c.predictor === 'external'
          ? externalEvaluatorFor(space, c, hw, ['cpu_latency'], env)
          : new ZcEvaluator<VitArch>({
              id: `${id}-live`,
              predictor: c.predictor,
              rankProxies: VIT_RANK_PROXIES,
              reference: loadReference(vitReferenceFile(variant)),
              metrics: c.costMetrics,
              // on a worker thread: building and running the subnet never blocks the host's event loop
              score: (a, signal) =>
                pool.score(
                  {
                    space: 'vit',
                    task: 'score',
                    arch: a,
                    proxies: proxiesFor(c.predictor, VIT_RANK_PROXIES),
                  } satisfies VitJob,
                  signal,
                ) as Promise<Record<string, number>>,
              hw,
              // one subnet at a time: a latency is measured while no other scoring job of the run competes
              concurrency: 1,
            });
      return {
        space: space as SearchSpace<unknown>,
        partition: (c.partition ? vitPartition(space) : singleNiche()) as Partition<unknown>,
        evaluator: evaluator as Evaluator<unknown>,
        costMetrics: c.costMetrics,
      };
    },
  };
}

export const vitProviders: SpaceProvider[] = VIT_VARIANTS.map(vitProvider);
