// jacov, live: its rank correlation with test accuracy on a seeded sample of NB201 cells, next to the published
// NAS-Bench-Suite-Zero jacov column (another implementation, other weights and batch: its ρ on the same sample and
// over the whole space, and ρ between the two), and its cost on the worker pool (the default proxy set alone,
// then with jacov added, then alone again, so load drift shows). Reported only: jacov is not in the default
// ensemble, and the default + jacov row is measured after looking at accuracy.
// With --table: the same figures over the whole space from the shipped live table's jacov part
// (scripts/live-table.ts --part jacov), no scoring.
// Usage: nice -n 10 npx tsx scripts/jacov-report.ts [--dataset cifar10] [--cells 150] [--json F]
//        npx tsx scripts/jacov-report.ts --table [--dataset cifar10]
import fs from 'node:fs';
import { aggregateColumns } from '../src/core/aggregate.js';
import { WorkerPool } from '../src/core/engine/pool.js';
import {
  DEFAULT_PROXIES,
  DEFAULT_SETTINGS,
  type LiveProxy,
  type ProxyScores,
} from '../src/core/engine/settings.js';
import { ENSEMBLE_AGGREGATION, ENSEMBLE_PROXIES } from '../src/core/nb201/live-ensemble.js';
import { liveTableScores } from '../src/core/nb201/live-scores.js';
import { loadLiveTable, nb201Representative } from '../src/core/nb201/live-table.js';
import { nb201Space } from '../src/core/nb201/space.js';
import { loadNb201Table, type Nb201Dataset } from '../src/core/nb201/table.js';
import { spearman } from '../src/core/predictor.js';
import { Rng } from '../src/core/rng.js';

function arg(name: string, def: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1]! : def;
}

/** Spearman ρ over the positions where both columns are finite numbers (−∞ counts as the lowest). */
function rhoDefined(a: readonly number[], b: readonly number[]): { rho: number; n: number } {
  const keep = a.map((_, i) => i).filter((i) => !Number.isNaN(a[i]!) && !Number.isNaN(b[i]!));
  return {
    rho: spearman(
      keep.map((i) => a[i]!),
      keep.map((i) => b[i]!),
    ),
    n: keep.length,
  };
}

/** Whole-space ρ from the shipped table (every cell scored as its class representative, own params). */
function tableReport(dataset: Nb201Dataset): void {
  const t = loadNb201Table();
  const jac = [...(loadLiveTable(dataset)?.column('jacov') ?? [])];
  if (!jac.some((v) => !Number.isNaN(v)))
    throw new Error(
      `no jacov part in the ${dataset} live table: run scripts/live-table.ts --dataset ${dataset} --part jacov`,
    );
  const acc = [...t.testAccuracy(dataset)];
  const pub = t.proxyNames(dataset).includes('nbsz_jacov') ? [...t.proxy(dataset, 'nbsz_jacov')] : undefined;
  const f = (v: number): string => v.toFixed(3);
  const undef = jac.filter((v) => v === -Infinity).length;
  const r = (a: ArrayLike<number>): string => f(rhoDefined(Array.from(a), acc).rho);
  const rn = (a: readonly number[]): string => {
    const { rho, n } = rhoDefined(a, acc);
    return `${f(rho)} (n ${n})`;
  };
  console.log(`\n### jacov, ${dataset}, whole space (${acc.length} cells), shipped live table\n`);
  console.log(
    '| ρ live jacov | ρ live jacov, cells the published has | ρ published jacov | ρ live vs published | ρ default ensemble (`live`) | ρ default + jacov (`live-jacov`, reported only) |',
  );
  console.log('|---|---|---|---|---|---|');
  const onPub = pub ? jac.map((v, i) => (Number.isNaN(pub[i]!) ? NaN : v)) : undefined;
  console.log(
    `| ${r(jac)} (${undef} −∞) | ${onPub ? rn(onPub) : '—'} | ${pub ? rn(pub) : '—'} | ${pub ? f(rhoDefined(jac, pub).rho) : '—'} | ${r(liveTableScores(dataset, 'live'))} | ${r(liveTableScores(dataset, 'live-jacov'))} |`,
  );
}

async function main(): Promise<void> {
  const dataset = arg('dataset', 'cifar10') as Nb201Dataset;
  if (process.argv.includes('--table')) return tableReport(dataset);
  const n = Number(arg('cells', '150'));
  const t = loadNb201Table();
  // the same sample as scripts/live-repeats.ts
  const idx = new Rng(`live-repeats/${dataset}`).shuffle([...Array(nb201Space.size).keys()]).slice(0, n);
  const acc = idx.map((i) => t.testAccuracy(dataset)[i]!);
  const pool = new WorkerPool();
  const pass = async (proxies: readonly LiveProxy[]): Promise<{ scores: ProxyScores[]; perMin: number }> => {
    const t0 = performance.now();
    const scores = await Promise.all(
      idx.map((i) =>
        pool.score({
          space: 'nb201',
          dataset,
          ops: nb201Representative(nb201Space.fromIndex(i)),
          settings: { ...DEFAULT_SETTINGS, proxies },
        }),
      ),
    );
    const perMin = n / ((performance.now() - t0) / 60000);
    process.stderr.write(`${proxies.join(',')}: ${perMin.toFixed(0)} archs/min\n`);
    return { scores, perMin };
  };
  const before = await pass(DEFAULT_PROXIES);
  const withJacov = await pass([...DEFAULT_PROXIES, 'jacov']);
  const after = await pass(DEFAULT_PROXIES);
  await pool.close();

  const live = withJacov.scores.map((s) => s.jacov!);
  const own = idx.map((i) => t.params(dataset)[i]!);
  const cols = (ps: readonly string[]): number[][] =>
    ps.map((p) =>
      p === 'params' ? own : withJacov.scores.map((s) => (s as Record<string, number>)[p] ?? NaN),
    );
  const ens = aggregateColumns(cols(ENSEMBLE_PROXIES), ENSEMBLE_AGGREGATION);
  const ensJ = aggregateColumns(cols([...ENSEMBLE_PROXIES, 'jacov']), ENSEMBLE_AGGREGATION);
  const pubName = t.proxyNames(dataset).includes('nbsz_jacov') ? 'nbsz_jacov' : undefined;
  const pubAll = pubName ? t.proxy(dataset, pubName) : undefined;
  const pub = pubAll ? idx.map((i) => pubAll[i]!) : undefined;
  const row = {
    dataset,
    cells: n,
    settings: { ...DEFAULT_SETTINGS, proxies: [...DEFAULT_PROXIES, 'jacov'] },
    rhoLive: spearman(live, acc),
    undefinedLive: live.filter((v) => v === -Infinity).length,
    rhoEnsemble: spearman(ens, acc),
    rhoEnsembleJacov: spearman(ensJ, acc),
    published: pub
      ? {
          sample: rhoDefined(pub, acc),
          liveVsPublished: rhoDefined(live, pub),
          wholeSpace: rhoDefined([...pubAll!], [...t.testAccuracy(dataset)]),
        }
      : undefined,
    archsPerMin: { defaultBefore: before.perMin, withJacov: withJacov.perMin, defaultAfter: after.perMin },
  };
  const f = (v: number): string => v.toFixed(3);
  console.log(`\n### jacov, ${dataset}, ${n} random cells (the live-repeats sample), default settings\n`);
  console.log(
    '| ρ live jacov | ρ published jacov, same cells | ρ live vs published | ρ published jacov, whole space | ρ default ensemble | ρ default + jacov (reported only) | archs/min default / +jacov / default |',
  );
  console.log('|---|---|---|---|---|---|---|');
  const p = row.published;
  console.log(
    `| ${f(row.rhoLive)}${row.undefinedLive ? ` (${row.undefinedLive} −∞)` : ''} | ${p ? `${f(p.sample.rho)} (n ${p.sample.n})` : '—'} | ${p ? `${f(p.liveVsPublished.rho)} (n ${p.liveVsPublished.n})` : '—'} | ${p ? `${f(p.wholeSpace.rho)} (n ${p.wholeSpace.n})` : '—'} | ${f(row.rhoEnsemble)} | ${f(row.rhoEnsembleJacov)} | ${before.perMin.toFixed(0)} / ${withJacov.perMin.toFixed(0)} / ${after.perMin.toFixed(0)} |`,
  );
  const json = arg('json', '');
  if (json) fs.writeFileSync(json, JSON.stringify(row, null, 2) + '\n');
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
