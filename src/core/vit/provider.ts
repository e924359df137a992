// AutoFormer ViT spaces (T/S/B) as run providers: dataset "imagenet" (224x224, 1000 classes), device "cpu" =
// this machine, whose latency is MEASURED with the inference engine (cached); accuracy is PREDICTED by the
// transformer zero-cost proxies (scorer.ts); niches are embedding dim x depth as in the paper.

import type { Evaluator } from '../evaluator.js';
import { externalEvaluatorFor } from '../external/provider.js';
import { loadReference, proxiesFor } from '../fbnet/provider.js';
import { ZcEvaluator } from '../fbnet/zc.js';
import { dataDir } from '../nb201/table.js';
import { singleNiche, type Partition } from '../partition.js';
import type { SpaceProvider } from '../registry.js';
import type { SearchSpace } from '../space.js';
import fs from 'node:fs';
import path from 'node:path';
import {
  LatencyCache,
  measureVitLatency,
  scoreVit,
  VIT_PROXIES,
  VIT_PROXY_DEFAULTS,
  VIT_RANK_PROXIES,
} from './scorer.js';
import {
  AUTOFORMER_NET,
  VIT_VARIANTS,
  vitPartition,
  vitSpace,
  type VitArch,
  type VitVariant,
} from './space.js';

export function vitReferenceFile(variant: VitVariant, dir = dataDir()): string {
  return path.join(dir, `fbnet-zcref-autoformer-${variant.toLowerCase()}.json`);
}

let latencyCache: LatencyCache | undefined;

/** Measured (or cached) CPU latency of a subnet in ms. */
export async function vitCpuLatency(space: SearchSpace<VitArch>, a: VitArch): Promise<number> {
  latencyCache ??= new LatencyCache();
  const key = space.canonicalKey(a);
  const hit = latencyCache.get(key);
  if (hit !== undefined) return hit;
  const ms = await measureVitLatency(a, AUTOFORMER_NET);
  latencyCache.set(key, ms);
  return ms;
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
    predictors: () => [
      ...(fs.existsSync(vitReferenceFile(variant)) ? ['rank-avg'] : []),
      ...VIT_PROXIES,
      'external',
    ],
    defaults: { dataset: 'imagenet', devices: ['cpu'], metric: 'latency', predictor: 'rank-avg' },
    build(c) {
      const space = vitSpace(variant);
      const hw = async (a: VitArch): Promise<Record<string, number>> => ({
        cpu_latency: await vitCpuLatency(space, a),
      });
      const evaluator: Evaluator<VitArch> =
        c.predictor === 'external'
          ? externalEvaluatorFor(space, c, hw, ['cpu_latency'])
          : new ZcEvaluator<VitArch>({
              id: `${id}-live`,
              predictor: c.predictor,
              rankProxies: VIT_RANK_PROXIES,
              reference: loadReference(vitReferenceFile(variant)),
              metrics: c.costMetrics,
              score: (a) =>
                scoreVit(a, AUTOFORMER_NET, VIT_PROXY_DEFAULTS, proxiesFor(c.predictor, VIT_RANK_PROXIES)),
              hw,
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
