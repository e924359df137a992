// Fronts of FBNet / AutoFormer runs for docs/spaces.md: for each group of run folders (same space and task),
// the best front over all their evaluated architectures (predicted accuracy up, cost down; no true front exists
// for these spaces), each run's HV ratio against it (normalised by that front's ideal/nadir, reference 1.1),
// niche sizes, and, for AutoFormer, params and measured CPU latency of the three published subnets.
//
//   npx tsx scripts/spaces-report.ts /tmp/runs/fbnet-s0 /tmp/runs/fbnet-s1 -- /tmp/runs/vitt-s0 /tmp/runs/vitt-s1

import fs from 'node:fs';
import path from 'node:path';
import { scoreFront } from '../src/core/metrics.js';
import { nonDominated } from '../src/core/pareto.js';
import { measureVitLatency, latencyContext } from '../src/core/vit/scorer.js';
import { vitCost } from '../src/core/vit/net.js';
import { AUTOFORMER_NET, loadAutoformer } from '../src/core/vit/space.js';

interface Spec {
  id: string;
  niche: number;
  arch: string;
  evaluation: { predictedAccuracy: number; proxies: Record<string, number>; hw: Record<string, number> };
}

function readRun(dir: string): { config: Record<string, unknown>; specs: Spec[] } {
  const config = JSON.parse(fs.readFileSync(path.join(dir, 'config.json'), 'utf8')) as Record<
    string,
    unknown
  >;
  const specs = fs
    .readdirSync(path.join(dir, 'archs'))
    .map((f) => JSON.parse(fs.readFileSync(path.join(dir, 'archs', f), 'utf8')) as Spec);
  return { config, specs };
}

async function main(): Promise<void> {
  const groups: string[][] = [[]];
  for (const a of process.argv.slice(2))
    if (a === '--') groups.push([]);
    else groups[groups.length - 1]!.push(a);
  for (const g of groups.filter((x) => x.length)) {
    const runs = g.map((d) => ({ dir: d, ...readRun(d) }));
    const metric = (runs[0]!.config['costMetrics'] as string[])[0]!;
    const obj = (s: Spec): number[] => [-s.evaluation.predictedAccuracy, s.evaluation.hw[metric]!];
    const all = runs.flatMap((r) => r.specs);
    const seen = new Map<string, Spec>();
    for (const s of all) seen.set(s.arch, s);
    const uniq = [...seen.values()];
    const best = nonDominated(uniq.map(obj)).map((i) => uniq[i]!);
    const c = runs[0]!.config;
    console.log(`\n### ${c['space']} · ${c['dataset']} · ${metric} · predictor ${c['predictor']}\n`);
    console.log(
      '| run | seed | evaluations | niche sizes (evaluated per niche) | front size | HV vs best front |',
    );
    console.log('|---|---|---|---|---|---|');
    for (const r of runs) {
      const front = nonDominated(r.specs.map(obj)).map((i) => r.specs[i]!);
      const score = scoreFront(best.map(obj), front.map(obj));
      const niches = new Map<number, number>();
      for (const s of r.specs) niches.set(s.niche, (niches.get(s.niche) ?? 0) + 1);
      const ns = [...niches.entries()]
        .sort((a, b) => a[0] - b[0])
        .map(([n, k]) => `N${n}:${k}`)
        .join(' ');
      console.log(
        `| ${path.basename(r.dir)} | ${String(r.config['seed'])} | ${r.specs.length} | ${ns} | ${front.length} | ${score.hvRatio.toFixed(4)} |`,
      );
    }
    console.log(`\nBest front over all runs (${best.length} architectures):\n`);
    console.log(`| predicted acc. | ${metric} | params (M) | FLOPs (M) | architecture |`);
    console.log('|---|---|---|---|---|');
    for (const s of best.sort((a, b) => a.evaluation.hw[metric]! - b.evaluation.hw[metric]!))
      console.log(
        `| ${s.evaluation.predictedAccuracy.toFixed(3)} | ${s.evaluation.hw[metric]!.toFixed(3)} | ${(s.evaluation.proxies['params'] ?? NaN).toFixed(2)} | ${(s.evaluation.proxies['flops'] ?? NaN).toFixed(0)} | \`${s.arch}\` |`,
      );
    if (String(c['space']).startsWith('autoformer')) {
      const d = loadAutoformer();
      console.log(
        '\nPublished AutoFormer subnets, built and measured here (same builder, same CPU settings):\n',
      );
      console.log('| subnet | published params (M) | params here (M) | measured cpu_latency (ms) |');
      console.log('|---|---|---|---|');
      for (const v of ['T', 'S', 'B']) {
        const r = d.subnets[`AutoFormer-${v}`]!.RETRAIN;
        const a = { embed: r.EMBED_DIM, depth: r.DEPTH, mlp: r.MLP_RATIO, heads: r.NUM_HEADS };
        const ms = await measureVitLatency(a, AUTOFORMER_NET);
        const pub = d.modelZoo.find((z) => z.model === `AutoFormer-${v}`)!.params_m;
        console.log(
          `| AutoFormer-${v} | ${pub} | ${vitCost(a, AUTOFORMER_NET).paramsM.toFixed(2)} | ${ms.toFixed(1)} |`,
        );
      }
      console.log(`\nLatency context: ${latencyContext()}`);
    }
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`${(e as Error).stack}\n`);
  process.exit(1);
});
