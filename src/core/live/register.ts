// Plugs the live evaluator into the NB201 provider (predictor id `live`) and the benchmark's score lookup (the
// precomputed full-space live table's rank ensemble). Imported once by src/core/registry.ts.

import { registerFeatureSource } from '../nb201/calibrate.js';
import { registerScoreSource } from '../nb201/evaluator.js';
import { registerNb201Evaluator } from '../nb201/provider.js';
import { rankAverage } from '../predictor.js';
import { ENSEMBLE_PROXIES } from './ensemble.js';
import { LiveNb201Evaluator } from './nb201-evaluator.js';
import { LIVE_PROXIES } from './settings.js';
import { loadLiveTable } from './table.js';

registerNb201Evaluator(
  'live',
  ({ dataset, metrics }) => new LiveNb201Evaluator({ dataset, metrics, required: metrics }),
);

const warned = new Set<string>();
const scoresByDataset = new Map<string, Float64Array>();

/**
 * Rank-ensemble score of every NB201 index from the shipped live table (what `bench --predictor live` uses).
 * A dataset without its own table falls back to the CIFAR-10 table (same cells; only the input batch, the
 * classifier width and, for ImageNet16-120, the resolution differ), with a process warning saying so.
 * Cells not computed yet are NaN in every proxy and rank lowest.
 */
export function liveTableScores(dataset: string): Float64Array {
  const hit = scoresByDataset.get(dataset);
  if (hit) return hit;
  const t = liveTable(dataset);
  const scores = rankAverage(ENSEMBLE_PROXIES.map((p) => t.column(p)));
  scoresByDataset.set(dataset, scores);
  return scores;
}

/** The shipped live table of a dataset, or the CIFAR-10 one with a warning (see liveTableScores). */
function liveTable(dataset: string): NonNullable<ReturnType<typeof loadLiveTable>> {
  let t = loadLiveTable(dataset);
  if (!t || t.classes === 0) {
    t = loadLiveTable('cifar10');
    if (!t || t.classes === 0)
      throw new Error(
        `no live proxy table for ${dataset} (compute it with scripts/live-table.ts --dataset ${dataset})`,
      );
    if (!warned.has(dataset)) {
      warned.add(dataset);
      process.emitWarning(
        `no live proxy table for ${dataset}: using the CIFAR-10 live table`,
        'LiveTableFallback',
      );
    }
  }
  return t;
}

registerScoreSource('live', (ds) => liveTableScores(ds));
// calibration with K labels (bench --labels K) fits every live proxy, not only the zero-label ensemble's four
registerFeatureSource('live', (ds) => LIVE_PROXIES.map((p) => liveTable(ds).column(p)));
