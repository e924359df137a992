// Plugs the live evaluator into the NB201 provider (predictor id `live`) and the benchmark's score lookup (the
// precomputed full-space live table's rank ensemble). Imported once by src/core/registry.ts.

import { registerScoreSource } from '../nb201/evaluator.js';
import { registerNb201Evaluator } from '../nb201/provider.js';
import { rankAverage } from '../predictor.js';
import { ENSEMBLE_PROXIES } from './ensemble.js';
import { LiveNb201Evaluator } from './nb201-evaluator.js';
import { loadLiveTable } from './table.js';

registerNb201Evaluator(
  'live',
  ({ dataset, metrics }) => new LiveNb201Evaluator({ dataset, metrics, required: metrics }),
);

/** Rank-ensemble score of every NB201 index from the shipped live table (what `bench --predictor live` uses). */
export function liveTableScores(dataset: string): Float64Array {
  const t = loadLiveTable(dataset);
  if (!t || t.classes === 0)
    throw new Error(
      `no live proxy table for ${dataset} (compute it with scripts/live-table.ts --dataset ${dataset})`,
    );
  return rankAverage(ENSEMBLE_PROXIES.map((p) => t.column(p)));
}

registerScoreSource('live', (ds) => liveTableScores(ds));
