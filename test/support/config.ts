// The one NB201 run configuration the tests start from; each test overrides what it is about.
import { RUN_FORMAT, type RunConfig } from '../../src/core/runstore';

export function nb201TestConfig(over: Partial<RunConfig> = {}): RunConfig {
  return {
    format: RUN_FORMAT,
    id: 'test',
    createdAt: '2026-01-01T00:00:00.000Z',
    space: 'nb201',
    dataset: 'cifar10',
    devices: ['edgegpu'],
    metric: 'latency',
    costMetrics: ['edgegpu_latency'],
    predictor: 'rank-avg',
    operator: 'builtin',
    partition: true,
    generations: 10,
    budget: 300,
    adaptive: true,
    seed: 1,
    ...over,
  };
}
