// AZ-NAS's terms over the whole NB201 space, from the shipped live tables' `az` part (scripts/live-table.ts --part
// az): how many classes are computed, Spearman ρ of each term and of the aggregates against NB201 test accuracy
// (all cells with a value), next to AZ-NAS's published aggregate ρ. Markdown on stdout.
//   npx tsx scripts/az-report.ts [--part az64]
// --part az64: the terms in the paper's own settings (scripts/live-table.ts --az-batch 64) and their rule
// (`live-az-paper`), for the datasets whose part is complete.
import { liveTableScores } from '../src/core/nb201/live-scores.js';
import { loadLiveTable } from '../src/core/nb201/live-table.js';
import { loadNb201Table, NB201_DATASETS } from '../src/core/nb201/table.js';
import { spearman } from '../src/core/predictor.js';

// AZ-NAS (Lee & Ham, CVPR 2024): its published Spearman ρ on NAS-Bench-201
const PUBLISHED: Record<string, number> = { cifar10: 0.913, cifar100: 0.9, 'ImageNet16-120': 0.886 };
const TERMS = ['expressivity', 'progressivity', 'trainability', 'flops'] as const;
const pi = process.argv.indexOf('--part');
const part = pi >= 0 ? process.argv[pi + 1]! : '';
const variant = part ? 'live-az-paper' : 'live-az';
if (part && part !== 'az64') throw new Error(`--part ${part}: only az64 has a bench variant (live-az-paper)`);

console.log(
  `| dataset | cells with AZ terms | ${TERMS.map((t) => `ρ ${t}`).join(' | ')} | ρ AZ rule (${variant}) | ρ AZ-NAS published | ρ live default | mean test acc. of the top 100, AZ rule / default (%) |`,
);
console.log(`|---|---|${TERMS.map(() => '---|').join('')}---|---|---|---|`);
/** Mean test accuracy of the 100 cells a score ranks highest (the top of the ranking, which ρ does not single out). */
function top100(score: Float64Array, acc: Float64Array): string {
  const idx = [...score.keys()].sort((a, b) => score[b]! - score[a]!).slice(0, 100);
  return (idx.reduce((a, i) => a + acc[i]!, 0) / idx.length).toFixed(1);
}

for (const ds of NB201_DATASETS) {
  const main = loadLiveTable(ds);
  const t = part ? loadLiveTable(ds, part) : main;
  if (!t || !main || t.classes < main.classes) continue;
  const column = (p: (typeof TERMS)[number]): Float64Array => (p === 'flops' ? main : t).column(p);
  const acc = loadNb201Table().testAccuracy(ds);
  const have: number[] = [];
  const col = t.column('trainability');
  for (let i = 0; i < acc.length; i++) if (Number.isFinite(col[i]!) || col[i] === -Infinity) have.push(i);
  const rho = (c: ArrayLike<number>): string =>
    spearman(
      have.map((i) => c[i]!),
      have.map((i) => acc[i]!),
    ).toFixed(3);
  console.log(
    `| ${ds} | ${have.length === acc.length ? 'all' : `${have.length} of ${acc.length}`} | ${TERMS.map((p) => rho(column(p))).join(' | ')} | ${rho(liveTableScores(ds, variant))} | ${PUBLISHED[ds]} | ${rho(liveTableScores(ds, 'live'))} | ${top100(liveTableScores(ds, variant), acc)} / ${top100(liveTableScores(ds, 'live'), acc)} |`,
  );
}
