// Live evaluator benchmark (a script, not a timed test). Three parts, each printed as a markdown table:
//  speed    ms per architecture per proxy group on one thread, this evaluator (onnxruntime-node) vs the PyTorch
//           reference (scripts/gen-proxy-fixtures.py --bench) on the same networks, same settings, one thread each
//  pool     archs/min of the worker pool on all cores (default proxy set, and the tables' set with SWAP and MeCo),
//           main-thread event-loop lag, peak RSS
//  rho      Spearman ρ of the shipped full-space table (data/live-nb201-<ds>.jsonl): each proxy and the rank
//           ensemble vs NB201 test accuracy, and vs the published proxy tables
// Usage: nice -n 10 npx tsx scripts/live-bench.ts [--parts speed,pool,rho] [--archs 20] [--pool-archs 60]
//        [--dataset cifar10] [--json FILE]
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { ENSEMBLE_AGGREGATION, ENSEMBLE_PROXIES } from '../src/core/nb201/live-ensemble.js';
import { buildNb201Net, NB201_NET_CONFIGS } from '../src/core/nb201/net.js';
import { WorkerPool } from '../src/core/engine/pool.js';
import { makeInputs, scoreNet } from '../src/core/engine/proxies.js';
import {
  DEFAULT_SETTINGS,
  LIVE_PROXIES,
  TABLE_PROXIES,
  type LiveProxy,
  type ProxySettings,
} from '../src/core/engine/settings.js';
import { loadLiveTable } from '../src/core/nb201/live-table.js';
import { nb201Space } from '../src/core/nb201/space.js';
import { loadNb201Table, type Nb201Dataset } from '../src/core/nb201/table.js';
import { aggregateColumns, rankAverage } from '../src/core/aggregate.js';
import { spearman } from '../src/core/predictor.js';
import { Rng } from '../src/core/rng.js';

function arg(name: string, def: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1]! : def;
}
const parts = new Set(arg('parts', 'speed,pool,rho').split(','));
const dataset = arg('dataset', 'cifar10') as Nb201Dataset;
const out: Record<string, unknown> = {
  settings: DEFAULT_SETTINGS,
  cpus: os.cpus().length,
  cpu: os.cpus()[0]?.model,
};

function sampleArchs(n: number, seed: number): number[][] {
  const rng = new Rng(seed);
  return Array.from({ length: n }, () => [...nb201Space.fromIndex(rng.int(nb201Space.size))]);
}

async function speed(): Promise<void> {
  const archs = sampleArchs(Number(arg('archs', '20')), 1);
  const s = DEFAULT_SETTINGS;
  const inputs = makeInputs('cifar10', s);
  const groups: [string, LiveProxy[]][] = [
    ['data', ['naswot', 'swap', 'meco']],
    ['synflow', ['logsynflow']],
    ['zen', ['zen']],
  ];
  const ms: Record<string, number> = { data: 0, synflow: 0, zen: 0 };
  // warm-up (first session creation loads kernels)
  await scoreNet(buildNb201Net(archs[0]!, NB201_NET_CONFIGS.cifar10!), s, inputs);
  for (const ops of archs) {
    const net = buildNb201Net(ops, NB201_NET_CONFIGS.cifar10!);
    for (const [g, proxies] of groups) {
      const t0 = performance.now();
      await scoreNet(net, { ...s, proxies }, inputs);
      ms[g]! += (performance.now() - t0) / archs.length;
    }
  }
  const spec = path.join(os.tmpdir(), `live-bench-${process.pid}.json`);
  fs.writeFileSync(spec, JSON.stringify({ archs, settings: { ...s, proxies: undefined } }));
  let torch: { ms_per_arch: Record<string, number>; torch: string } | undefined;
  try {
    const txt = execFileSync(
      '/usr/bin/python3',
      [path.join(__dirname, 'gen-proxy-fixtures.py'), '--bench', spec],
      {
        encoding: 'utf8',
      },
    );
    torch = JSON.parse(txt) as typeof torch;
  } catch (e) {
    console.error(
      `PyTorch reference not run (${(e as Error).message.split('\n')[0]}); apt-get install python3-torch`,
    );
  } finally {
    fs.rmSync(spec, { force: true });
  }
  const rows = [
    ['NASWOT + SWAP + MeCo (one forward, batch ' + s.batch + ')', 'data'],
    ['synflow (float32 tangent + rescaling vs float64 autograd)', 'synflow'],
    ['Zen-NAS (two forwards, batch ' + s.zenBatch + ')', 'zen'],
  ] as const;
  console.log(
    `\n### Speed: ms per architecture, one thread, ${archs.length} random NB201 cells (CIFAR-10)\n`,
  );
  console.log('| proxy group | live (onnxruntime-node) | PyTorch ' + (torch?.torch ?? 'n/a') + ' | ratio |');
  console.log('|---|---|---|---|');
  let tl = 0;
  let tt = 0;
  for (const [label, g] of rows) {
    const t = torch?.ms_per_arch[g];
    tl += ms[g]!;
    tt += t ?? NaN;
    console.log(
      `| ${label} | ${ms[g]!.toFixed(0)} | ${t?.toFixed(0) ?? 'n/a'} | ${t ? (ms[g]! / t).toFixed(2) : 'n/a'} |`,
    );
  }
  console.log(`| all (default set) | ${tl.toFixed(0)} | ${tt.toFixed(0)} | ${(tl / tt).toFixed(2)} |`);
  out['speed'] = { archs: archs.length, live_ms: ms, torch_ms: torch?.ms_per_arch, torch: torch?.torch };
}

async function poolRun(): Promise<void> {
  const archs = sampleArchs(Number(arg('pool-archs', '60')), 2);
  // the default proxy set (what the default ensemble reads) and the tables' set (SWAP and MeCo too), alternated
  // in halves so the machine's drift falls on both alike
  const sets: [string, ProxySettings][] = [
    ['default', DEFAULT_SETTINGS],
    ['table', { ...DEFAULT_SETTINGS, proxies: TABLE_PROXIES }],
  ];
  const pool = new WorkerPool();
  const lag = monitorEventLoopDelay({ resolution: 10 });
  // warm the workers (module load + onnxruntime init) outside the timed window
  await Promise.all(
    Array.from({ length: pool.size }, (_, k) =>
      pool.score({ space: 'nb201', dataset: 'cifar10', ops: archs[k]!, settings: DEFAULT_SETTINGS }),
    ),
  );
  const sec: Record<string, number> = { default: 0, table: 0 };
  const half = Math.ceil(archs.length / 2);
  lag.enable();
  for (const [h, part] of [archs.slice(0, half), archs.slice(half)].entries())
    // the second half runs the sets in reverse order
    for (const [name, settings] of h === 0 ? sets : [...sets].reverse()) {
      const t0 = performance.now();
      await Promise.all(part.map((ops) => pool.score({ space: 'nb201', dataset: 'cifar10', ops, settings })));
      sec[name]! += (performance.now() - t0) / 1000;
    }
  lag.disable();
  await pool.close();
  const rss = process.resourceUsage().maxRSS / 1024;
  console.log(`\n### Worker pool: ${pool.size} workers, ${archs.length} random cells per proxy set\n`);
  console.log('| proxies | archs/min | s/arch (wall) |');
  console.log('|---|---|---|');
  const perMin: Record<string, number> = {};
  for (const [name, settings] of sets) {
    perMin[name] = (archs.length / sec[name]!) * 60;
    console.log(
      `| ${name} (${settings.proxies.join(', ')}) | ${perMin[name]!.toFixed(0)} | ${(sec[name]! / archs.length).toFixed(3)} |`,
    );
  }
  console.log(
    `\nmain-thread event-loop lag max / p99 ${(lag.max / 1e6).toFixed(1)} / ${(lag.percentile(99) / 1e6).toFixed(1)} ms, peak RSS ${rss.toFixed(0)} MB`,
  );
  out['pool'] = {
    workers: pool.size,
    archs: archs.length,
    perMin: perMin['default'],
    perMinTable: perMin['table'],
    lagMaxMs: lag.max / 1e6,
    lagP99Ms: lag.percentile(99) / 1e6,
    peakRssMb: rss,
  };
}

function rho(): void {
  const t = loadNb201Table();
  const live = loadLiveTable(dataset);
  if (!live) throw new Error(`no live table for ${dataset}`);
  const acc = t.testAccuracy(dataset);
  const mask = (col: Float64Array): Float64Array => col.map((v) => (Number.isNaN(v) ? NaN : v));
  // -Infinity (disconnected cells) is a valid lowest score; spearman's ranks handle it
  // the default ensemble (each cell's own params, the table's expansion) and its aggregation
  const ens = aggregateColumns(
    ENSEMBLE_PROXIES.map((p) => live.column(p)),
    ENSEMBLE_AGGREGATION,
  );
  const covered = live.column('naswot').map((v) => (Number.isNaN(v) ? NaN : 1));
  const ensMasked = ens.map((v, i) => (Number.isNaN(covered[i]!) ? NaN : v));
  console.log(
    `\n### Spearman ρ, ${dataset}: ${live.covered} of 15,625 cells covered (${live.classes} isomorphism classes)\n`,
  );
  console.log('| live proxy | ρ vs test accuracy | published counterpart | ρ vs published |');
  console.log('|---|---|---|---|');
  const pub: Partial<Record<LiveProxy, string[]>> = {
    naswot: ['freerea_naswot', 'nbsz_nwot'],
    logsynflow: ['freerea_logsynflow', 'nbsz_synflow'],
    zen: ['nbsz_zen'],
    params: ['nbsz_params'],
    flops: ['nbsz_flops'],
  };
  const rows: Record<string, unknown> = {};
  for (const p of LIVE_PROXIES) {
    const col = mask(live.column(p));
    const r = spearman(col, acc);
    const cmp = (pub[p] ?? [])
      .filter((n) => t.hasColumn(`proxy/${dataset}/${n}`))
      .map((n) => {
        const ref = t.proxy(dataset, n).map((v) => (v <= -1e7 ? NaN : v)); // NB-Suite-Zero sentinel -1e8
        return [n, spearman(col, ref)] as const;
      });
    rows[p] = { rhoAcc: r, vsPublished: Object.fromEntries(cmp) };
    console.log(
      `| ${p} | ${r.toFixed(3)} | ${cmp.map(([n]) => n).join(', ') || '—'} | ${cmp.map(([, v]) => v.toFixed(3)).join(', ') || '—'} |`,
    );
  }
  const re = spearman(ensMasked, acc);
  const pubEns = rankAverage(
    ['freerea_naswot', 'freerea_logsynflow', 'nbsz_zen']
      .map((n) => t.proxy(dataset, n))
      .concat([t.params(dataset)]),
  );
  console.log(
    `| **rank ensemble** (${ENSEMBLE_AGGREGATION}: ${ENSEMBLE_PROXIES.join(', ')}) | **${re.toFixed(3)}** | published rank-avg | ${spearman(ensMasked, pubEns).toFixed(3)} |`,
  );
  // a variant for the report only (not the predictor: choosing it by ρ would use labels)
  const all6: LiveProxy[] = ['naswot', 'swap', 'meco', 'logsynflow', 'zen', 'params'];
  const ens6 = rankAverage(all6.map((p) => live.column(p))).map((v, i) =>
    Number.isNaN(covered[i]!) ? NaN : v,
  );
  console.log(
    `| (variant, not used: rank-avg of ${all6.join(', ')}) | ${spearman(ens6, acc).toFixed(3)} | | |`,
  );
  console.log(`| (published rank-avg ensemble, for reference) | ${spearman(pubEns, acc).toFixed(3)} | | |`);
  out['rho'] = {
    dataset,
    covered: live.covered,
    classes: live.classes,
    proxies: rows,
    ensemble: re,
    publishedEnsemble: spearman(pubEns, acc),
  };
}

async function main(): Promise<void> {
  if (parts.has('rho')) rho();
  if (parts.has('speed')) await speed();
  if (parts.has('pool')) await poolRun();
  const json = arg('json', '');
  if (json) fs.writeFileSync(json, JSON.stringify(out, null, 2) + '\n');
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
