// Per-cell noise vs cost: scores a seeded sample of NB201 cells with several weight seeds on the worker pool and
// reports, for R = 1 … --repeats seeds averaged per cell, Spearman ρ of each proxy and of the default ensemble
// (geometric; own params; the sample itself as reference) with test accuracy, and the HV ratio (protocol v2) of
// the sample treated as a random search of its size on each of the dataset's 6 latency tasks, with the cost
// (scoring time per cell). One sample: HV differences below the seed-to-seed spread of random search (±0.01
// at 300 cells) are noise.
// Usage: nice -n 10 npx tsx scripts/live-repeats.ts [--dataset cifar10] [--cells 120] [--repeats 3] [--json F]
//        [--spec F] (also write the sample's archs and accuracies for gen-proxy-fixtures.py --trainability;
//        with --repeats 0 nothing is scored)
import fs from 'node:fs';
import { aggregateColumns } from '../src/core/aggregate.js';
import { ENSEMBLE_AGGREGATION, ENSEMBLE_PROXIES } from '../src/core/nb201/live-ensemble.js';
import { meanScores } from '../src/core/nb201/live-evaluator.js';
import { WorkerPool } from '../src/core/engine/pool.js';
import { DEFAULT_SETTINGS, LIVE_PROXIES, type ProxyScores } from '../src/core/engine/settings.js';
import { nb201Representative } from '../src/core/nb201/live-table.js';
import { latencyTasks, scoreSearch, taskIndices } from '../src/core/nb201/benchmark.js';
import { nb201Space } from '../src/core/nb201/space.js';
import { loadNb201Table, type Nb201Dataset } from '../src/core/nb201/table.js';
import { spearman } from '../src/core/predictor.js';
import { Rng } from '../src/core/rng.js';

function arg(name: string, def: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1]! : def;
}

async function main(): Promise<void> {
  const dataset = arg('dataset', 'cifar10') as Nb201Dataset;
  const n = Number(arg('cells', '120'));
  const R = Number(arg('repeats', '3'));
  const t = loadNb201Table();
  const idx = new Rng(`live-repeats/${dataset}`).shuffle([...Array(nb201Space.size).keys()]).slice(0, n);
  // --spec F: the sample's networks and accuracies for scripts/gen-proxy-fixtures.py --trainability (PyTorch)
  const spec = arg('spec', '');
  if (spec)
    fs.writeFileSync(
      spec,
      JSON.stringify({
        dataset,
        settings: DEFAULT_SETTINGS,
        archs: idx.map((i) => nb201Representative(nb201Space.fromIndex(i))),
        acc: idx.map((i) => t.testAccuracy(dataset)[i]!),
      }) + '\n',
    );
  const pool = new WorkerPool();
  const perSeed: ProxyScores[][] = [];
  const secPerCell: number[] = [];
  for (let seed = 0; seed < R; seed++) {
    const t0 = performance.now();
    perSeed.push(
      await Promise.all(
        idx.map((i) =>
          pool.score({
            space: 'nb201',
            dataset,
            ops: nb201Representative(nb201Space.fromIndex(i)),
            settings: { ...DEFAULT_SETTINGS, proxies: LIVE_PROXIES, seed: DEFAULT_SETTINGS.seed + seed },
          }),
        ),
      ),
    );
    secPerCell.push((performance.now() - t0) / 1000 / n);
    process.stderr.write(
      `seed ${seed}: ${(secPerCell[seed]! * 1000).toFixed(0)} ms per cell (pool of ${pool.size})\n`,
    );
  }
  await pool.close();
  const acc = idx.map((i) => t.testAccuracy(dataset)[i]!);
  const own = idx.map((i) => t.params(dataset)[i]!);
  const rows: Record<string, unknown>[] = [];
  console.log(`\n### Weight seeds per cell, ${dataset}, ${n} random cells (pool of ${pool.size} workers)\n`);
  console.log(
    `| seeds R | ${LIVE_PROXIES.filter((p) => p !== 'params' && p !== 'flops')
      .map((p) => `ρ ${p}`)
      .join(
        ' | ',
      )} | ρ ensemble | ρ AZ forward-only (expr, prog, FLOPs) | ρ AZ forward-only (expr, prog, train, FLOPs) | mean HV (6 tasks) | s per cell |`,
  );
  console.log(`|---|${'---|'.repeat(LIVE_PROXIES.length - 2 + 5)}`);
  for (let r = 1; r <= R; r++) {
    const avg = idx.map((_, k) => ({
      ...meanScores(perSeed.slice(0, r).map((s) => s[k]!)),
      params: own[k]!,
    }));
    const rho: Record<string, number> = {};
    for (const p of LIVE_PROXIES)
      if (p !== 'params' && p !== 'flops')
        rho[p] = spearman(
          avg.map((s) => s[p] ?? NaN),
          acc,
        );
    const ens = aggregateColumns(
      ENSEMBLE_PROXIES.map((p) => avg.map((s) => s[p] ?? NaN)),
      ENSEMBLE_AGGREGATION,
    );
    rho['ensemble'] = spearman(ens, acc);
    // AZ-NAS's label-free aggregate without its trainability term (needs a backward pass): geometric over
    // expressivity, progressivity and FLOPs, reported only (not a predictor of this project)
    if (avg.every((s) => s.expressivity !== undefined)) {
      const fl = idx.map((i) => t.flops(dataset)[i]!);
      rho['az-forward'] = spearman(
        aggregateColumns(
          [avg.map((s) => s.expressivity!), avg.map((s) => s.progressivity!), fl],
          'geometric',
        ),
        acc,
      );
      // with AZ-NAS's trainability as its forward-mode estimate (onnx.ts): all four AZ-NAS terms
      if (avg.every((s) => s.trainability !== undefined))
        rho['az-forward-train'] = spearman(
          aggregateColumns(
            [
              avg.map((s) => s.expressivity!),
              avg.map((s) => s.progressivity!),
              avg.map((s) => s.trainability!),
              fl,
            ],
            'geometric',
          ),
          acc,
        );
    }
    const full = new Float64Array(nb201Space.size);
    idx.forEach((i, k) => (full[i] = ens[k]!));
    const hv: number[] = [];
    for (const task of latencyTasks().filter((x) => x.dataset === dataset)) {
      const inTask = new Set(taskIndices(task));
      hv.push(
        scoreSearch(
          task,
          idx.filter((i) => inTask.has(i)),
          full,
        ).hvRatio,
      );
    }
    const meanHv = hv.reduce((a, b) => a + b, 0) / hv.length;
    const cost = secPerCell.slice(0, r).reduce((a, b) => a + b, 0);
    console.log(
      `| ${r} | ${Object.entries(rho)
        .filter(([k]) => k !== 'ensemble' && k !== 'az-forward' && k !== 'az-forward-train')
        .map(([, v]) => v.toFixed(3))
        .join(
          ' | ',
        )} | ${rho['ensemble']!.toFixed(3)} | ${rho['az-forward']?.toFixed(3) ?? '—'} | ${rho['az-forward-train']?.toFixed(3) ?? '—'} | ${meanHv.toFixed(4)} | ${cost.toFixed(2)} |`,
    );
    rows.push({ repeats: r, rho, meanHv, hv, secondsPerCell: cost });
  }
  const json = arg('json', '');
  if (json)
    fs.writeFileSync(
      json,
      JSON.stringify({ dataset, cells: n, settings: DEFAULT_SETTINGS, rows }, null, 2) + '\n',
    );
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
