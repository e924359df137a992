// VKDNW (Tybl & Neumann, CVPR 2025) on a random sample of NB201 cells, from the PyTorch reference
// (scripts/vkdnw-reference.py): Spearman ρ against NB201 test accuracy of VKDNW alone (cells ranked by the number of
// parameter tensors, then by the entropy of the Fisher's eigenvalue deciles), of its parts, and of VKDNW's
// aggregate (sum of log ranks of VKDNW, jacov, expressivity, trainability and FLOPs; the live tables' columns),
// next to the published figures and to the live rules on the same cells. Markdown on stdout.
//   npx tsx scripts/vkdnw-report.ts --dataset cifar10 --rows bench/vkdnw-sample-cifar10.jsonl
import fs from 'node:fs';
import { aggregateColumns } from '../src/core/aggregate.js';
import { liveTableScores } from '../src/core/nb201/live-scores.js';
import { loadLiveTable } from '../src/core/nb201/live-table.js';
import { loadNb201Table, type Nb201Dataset } from '../src/core/nb201/table.js';
import { spearman } from '../src/core/predictor.js';

function arg(name: string, def: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1]! : def;
}

// the VKDNW repository's table 1 (NB201): VKDNW alone and its aggregate
const PUBLISHED: Record<string, [number, number]> = {
  cifar10: [0.815, 0.919],
  cifar100: [0.829, 0.919],
  'ImageNet16-120': [0.814, 0.906],
};

interface Row {
  i: number;
  dim: number;
  entropy: number;
}

function main(): void {
  const dataset = arg('dataset', 'cifar10') as Nb201Dataset;
  const rows = fs
    .readFileSync(arg('rows', `bench/vkdnw-sample-${dataset}.jsonl`), 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as Row);
  const t = loadLiveTable(dataset);
  if (!t) throw new Error(`no live table for ${dataset}`);
  const nb = loadNb201Table();
  const acc = nb.testAccuracy(dataset);
  const at = (c: ArrayLike<number>): number[] => rows.map((r) => c[r.i]!);
  const a = at(acc);
  // VKDNW's own ranking: lexicographic (dim, entropy), as tss_utils.py's dense rank of the tuple
  const order = rows
    .map((r, k) => k)
    .sort((x, y) => rows[x]!.dim - rows[y]!.dim || rows[x]!.entropy - rows[y]!.entropy);
  const vk = new Float64Array(rows.length);
  order.forEach((k, rank) => (vk[k] = rank + 1));
  const col = (p: 'jacov' | 'expressivity' | 'progressivity' | 'trainability'): number[] => at(t.column(p));
  const flops = at(nb.flops(dataset));
  const agg = aggregateColumns(
    [vk, col('jacov'), col('expressivity'), col('trainability'), flops].map((c) => Float64Array.from(c)),
    'geometric',
  );
  const az = aggregateColumns(
    [col('expressivity'), col('progressivity'), col('trainability'), flops].map((c) => Float64Array.from(c)),
    'geometric',
  );
  const r = (c: ArrayLike<number>): string => spearman(Array.from(c), a).toFixed(3);
  const [pubOne, pubAgg] = PUBLISHED[dataset]!;
  const out = [
    `${dataset}: ${rows.length} random cells (PyTorch reference, Gaussian batch of 32, Kaiming-normal weights, BN over each sample)`,
    '',
    '| on these cells | ρ vs test accuracy | published (all cells) |',
    '|---|---|---|',
    `| VKDNW: (number of parameter tensors, entropy) | ${r(vk)} | ${pubOne} |`,
    `| its entropy alone | ${r(rows.map((x) => x.entropy))} | |`,
    `| its number of parameter tensors alone | ${r(rows.map((x) => x.dim))} | |`,
    `| VKDNW aggregate (VKDNW, jacov, expressivity, trainability, FLOPs; log ranks; live columns) | ${r(agg)} | ${pubAgg} |`,
    `| AZ-NAS rule (live columns, data pass) | ${r(az)} | |`,
    `| default ensemble (\`live\`) | ${r(at(liveTableScores(dataset, 'live')))} | |`,
  ];
  console.log(out.join('\n'));
}

main();
