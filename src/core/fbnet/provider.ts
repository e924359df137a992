// FBNet (HW-NAS-Bench) as a run provider: CIFAR-100 / CIFAR-10 / ImageNet input settings, the five devices of
// HW-NAS-Bench's FBNet lookup tables (no Edge TPU table exists), live zero-cost accuracy prediction on the
// inference engine, and niches by quantiles of a complexity feature (FLOPs by default, K = 4 by default).

import fs from 'node:fs';
import path from 'node:path';
import type { Evaluator } from '../evaluator.js';
import { externalEvaluatorFor } from '../external/provider.js';
import { livePool } from '../engine/pool.js';
import { dataDir } from '../data.js';
import { featurePartition, type Partition } from '../partition.js';
import type { SpaceProvider } from '../provider.js';
import { standardHwUnits } from '../units.js';
import type { SearchSpace } from '../space.js';
import {
  FBNET_DATASETS,
  FBNET_DEVICES,
  FBNET_METRICS,
  FBNET_SETTINGS,
  lutCost,
  type FbnetMetric,
} from './lut.js';
import { FBNET_PROXIES, FBNET_RANK_PROXIES, type FbnetScoreJob } from './proxies.js';
import { fbnetSpace, type FbnetArch } from './space.js';
import { loadReference, proxiesFor, RANK_PREDICTORS, ZcEvaluator, type Scores } from '../zc.js';
import { LOCAL_DEVICE, LOCAL_LATENCY, targetOfArch, withLocalDevice } from '../modelexport/local-latency.js';
import { fbnetExporter } from './export.js';

export function fbnetReferenceFile(dataset: string, dir = dataDir()): string {
  return path.join(dir, `zcref-fbnet-${dataset}.json`);
}

export const fbnetProvider: SpaceProvider = {
  id: 'fbnet',
  label:
    'FBNet (HW-NAS-Bench; hardware metrics from its lookup tables, accuracy predicted by zero-cost proxies)',
  datasets: FBNET_DATASETS,
  devices: [...FBNET_DEVICES, LOCAL_DEVICE],
  metrics: ['latency', 'energy'],
  hwMetrics: [...FBNET_METRICS, LOCAL_LATENCY],
  hwUnits: standardHwUnits([...FBNET_METRICS, LOCAL_LATENCY]),
  predictors: (ds) => [
    ...(fs.existsSync(fbnetReferenceFile(ds)) ? Object.keys(RANK_PREDICTORS) : []),
    ...FBNET_PROXIES,
    'external',
  ],
  defaults: { dataset: 'cifar100', devices: ['pixel3'], metric: 'latency', predictor: 'rank-avg' },
  exporter: fbnetExporter,
  build(c, env = {}) {
    const space = fbnetSpace(c.dataset);
    const setting = FBNET_SETTINGS[c.dataset]!;
    const pool = livePool(env.cacheDir);
    // --device local: CPU latency measured here on top of the lookup-table metrics
    const { evaluator } = withLocalDevice<FbnetArch>(
      c.costMetrics,
      (tableMetrics) => {
        const metrics = tableMetrics as FbnetMetric[];
        const lut = (a: FbnetArch): Record<string, number> =>
          Object.fromEntries(metrics.map((m) => [m, lutCost(a, setting, m)]));
        const hw = (a: FbnetArch): Promise<Record<string, number>> => Promise.resolve(lut(a));
        if (c.predictor === 'external') return externalEvaluatorFor(space, c, hw, metrics, env);
        return new ZcEvaluator<FbnetArch>({
          id: `fbnet-live-${c.dataset}`,
          predictor: c.predictor,
          rankProxies: FBNET_RANK_PROXIES,
          reference: loadReference(fbnetReferenceFile(c.dataset)),
          metrics,
          // on a worker thread: building and running the network never blocks the host's event loop
          score: (a, signal) =>
            pool.score(
              {
                space: 'fbnet',
                dataset: c.dataset,
                arch: a,
                proxies: proxiesFor(c.predictor, FBNET_RANK_PROXIES),
              } satisfies FbnetScoreJob,
              signal,
            ) as Promise<Scores>,
          hw,
          knownCosts: lut,
          // one job per worker thread (the LUT cost is free)
          concurrency: pool.size,
        });
      },
      (a) => targetOfArch(fbnetExporter, space, 'fbnet', c.dataset, a),
    );
    return {
      space: space as SearchSpace<unknown>,
      partition: featurePartition(space, c, { feature: 'flops_m', niches: 4 }) as Partition<unknown>,
      evaluator: evaluator as Evaluator<unknown>,
      costMetrics: c.costMetrics,
    };
  },
};
