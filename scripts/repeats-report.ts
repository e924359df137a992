// How much weight-seed noise the default ensemble carries, over the whole NAS-Bench-201 space: the seed-0 table
// against the seed-1 one (scripts/live-table.ts --seed 1), each proxy's ρ against test accuracy for one seed and
// for the average of two (spaceOptions.liveRepeats 2), and the ensemble's (`live` against `live-r2`).
//   npx tsx scripts/repeats-report.ts --dataset cifar10
import { liveTableScores } from '../src/core/nb201/live-scores.js';
import { loadLiveTable, loadLiveTableRepeats } from '../src/core/nb201/live-table.js';
import { loadNb201Table, type Nb201Dataset } from '../src/core/nb201/table.js';
import { spearman } from '../src/core/predictor.js';
import type { LiveProxy } from '../src/core/engine/settings.js';

function arg(name: string, def: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1]! : def;
}

/** Spearman ρ over the positions where both columns are numbers (−∞ counts as the lowest). */
function rho(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const keep: number[] = [];
  for (let i = 0; i < a.length; i++) if (!Number.isNaN(a[i]!) && !Number.isNaN(b[i]!)) keep.push(i);
  return spearman(
    keep.map((i) => a[i]!),
    keep.map((i) => b[i]!),
  );
}

function main(): void {
  const dataset = arg('dataset', 'cifar10') as Nb201Dataset;
  const s0 = loadLiveTable(dataset);
  const s1 = loadLiveTable(dataset, 'seed1');
  const avg = loadLiveTableRepeats(dataset, 2);
  if (!s0 || !s1 || !avg)
    throw new Error(
      `needs data/live-nb201-${dataset}.jsonl and its seed1 part (scripts/live-table.ts --seed 1)`,
    );
  const acc = loadNb201Table().testAccuracy(dataset);
  const f = (x: number): string => x.toFixed(3);
  const lines = [
    `${dataset}: seed 0 table ${s0.classes} classes, seed 1 table ${s1.classes} classes (${s1.covered} of 15,625 cells)`,
    '',
    '| proxy | ρ seed 0 vs seed 1 | ρ vs test acc., seed 0 | seed 1 | mean of seeds 0, 1 |',
    '|---|---|---|---|---|',
  ];
  for (const p of ['naswot', 'logsynflow', 'zen'] as LiveProxy[])
    lines.push(
      `| ${p} | ${f(rho(s0.column(p), s1.column(p)))} | ${f(rho(s0.column(p), acc))} | ${f(rho(s1.column(p), acc))} | ${f(rho(avg.column(p), acc))} |`,
    );
  lines.push(
    `| **ensemble** (\`live\` / \`live-r2\`) | | **${f(rho(liveTableScores(dataset, 'live'), acc))}** | | **${f(rho(liveTableScores(dataset, 'live-r2'), acc))}** |`,
  );
  // a second input batch (scripts/live-table.ts --image-offset 32): NASWOT on images 32–63
  const io = loadLiveTable(dataset, 'io32');
  if (io && io.classes === s0.classes) {
    const b0 = s0.column('naswot');
    const b1 = io.column('naswot');
    const mean = b0.map((x, i) => (x + b1[i]!) / 2);
    lines.push(
      '',
      '| input batch | ρ batch 0 vs batch 1 | ρ vs test acc., images 0–31 | images 32–63 | mean of both |',
      '|---|---|---|---|---|',
      `| naswot | ${f(rho(b0, b1))} | ${f(rho(b0, acc))} | ${f(rho(b1, acc))} | ${f(rho(mean, acc))} |`,
      `| **ensemble** (\`live\` / \`live-b2\`) | | **${f(rho(liveTableScores(dataset, 'live'), acc))}** | | **${f(rho(liveTableScores(dataset, 'live-b2'), acc))}** |`,
    );
  }
  console.log(lines.join('\n'));
}

main();
