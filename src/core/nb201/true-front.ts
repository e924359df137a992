// NB201's true fronts: the benchmark table's non-dominated (cost, test accuracy %) points per cost metric of a
// run, for the dashboard's plot and coverage. The space provider hands them out (SpaceProvider.trueFronts), so
// hosts need no NB201 knowledge.

import type { TrueFront } from '../provider.js';
import type { RunConfig } from '../runstore.js';
import { trueFrontIndices } from './benchmark.js';
import { loadNb201Table, type HwMetric, type Nb201Dataset } from './table.js';

/** The true 2-D front (cost, test accuracy %) of each of the run's cost metrics. */
export function nb201TrueFronts(config: Pick<RunConfig, 'dataset' | 'costMetrics'>): TrueFront[] {
  return config.costMetrics.map((metric) => {
    const task = {
      id: `${config.dataset}/${metric}`,
      dataset: config.dataset as Nb201Dataset,
      metrics: [metric as HwMetric],
    };
    const t = loadNb201Table();
    const acc = t.testAccuracy(task.dataset);
    const cost = t.hw(task.dataset, task.metrics[0]!);
    const points = trueFrontIndices(task)
      .map((i) => [cost[i]!, acc[i]!] as [number, number])
      .sort((a, b) => a[0] - b[0]);
    return { metric, points };
  });
}
