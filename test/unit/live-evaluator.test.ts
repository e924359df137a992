// Live evaluator plumbing: spec errors naming the field, worker pool (parallel scoring, cancellation, crash
// retry), persistent cache, determinism, the label-free rank ensemble and the NB201 registration.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { ScoreCache } from '../../src/core/engine/cache.js';
import { ENSEMBLE_PROXIES, LIVE_RULES, RankEnsemble } from '../../src/core/nb201/live-ensemble.js';
import { emitOnnx } from '../../src/core/engine/onnx.js';
import { WeightSource } from '../../src/core/engine/weights.js';
import { buildNb201Net, NB201_NET_CONFIGS } from '../../src/core/nb201/net.js';
import { LiveNb201Evaluator, meanScores, ruleSettings } from '../../src/core/nb201/live-evaluator.js';
import { analyticCost, inferShapes, NetBuildError, type Net } from '../../src/core/engine/net.js';
import { WorkerCrashError, WorkerPool } from '../../src/core/engine/pool.js';
import { makeInputs, scoreNet } from '../../src/core/engine/proxies.js';
import {
  DEFAULT_SETTINGS,
  settingsKey,
  TABLE_PROXIES,
  type ProxyScores,
  type ProxySettings,
} from '../../src/core/engine/settings.js';
import { liveTableScores, nb201ParamsColumn } from '../../src/core/nb201/live-scores.js';
import {
  liveTableFile,
  loadLiveTable,
  loadLiveTableRepeats,
  nb201Representative,
  readLiveTable,
} from '../../src/core/nb201/live-table.js';
import { nb201Degenerate, tablePredictorScores } from '../../src/core/nb201/evaluator.js';
import { nb201Space } from '../../src/core/nb201/space.js';
import { loadNb201Table, type Nb201Dataset } from '../../src/core/nb201/table.js';
import { aggregateColumns, rankAverage } from '../../src/core/aggregate.js';
import { createRegistry } from '../../src/core/compose.js';
import { nb201TestConfig } from '../support/config.js';

const SMALL: ProxySettings = { ...DEFAULT_SETTINGS, batch: 8, zenBatch: 4 };
const CHEAP = '|avg_pool_3x3~0|+|skip_connect~0|nor_conv_1x1~1|+|none~0|skip_connect~1|avg_pool_3x3~2|';
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'live-eval-'));
// measured ViT latencies go to a temporary cache (the worker threads inherit the environment)
process.env['LLM_NAS_CACHE_DIR'] = tmp;
const pools: WorkerPool[] = [];
function pool(opts: ConstructorParameters<typeof WorkerPool>[0] = {}): WorkerPool {
  const p = new WorkerPool({ size: 1, ...opts });
  pools.push(p);
  return p;
}
/**
 * A shipped table part's last row (its header must be `settings`' key; CIFAR-10 unless said), the index of the
 * class it stands for, and the row's data proxies scored live again with `settings` (within 1e-6: the table is the
 * evaluator's own scoring).
 */
async function lastRowScoredLive(
  part: string,
  settings: ProxySettings,
  dataset: Nb201Dataset = 'cifar10',
): Promise<{ i: number; row: ProxyScores }> {
  const rows = readLiveTable(liveTableFile(dataset, undefined, part), settingsKey(dataset, settings)).rows;
  assert.ok(rows.size > 0, `data/live-nb201-${dataset}.${part}.jsonl has rows`);
  const [key, row] = [...rows].at(-1)!;
  const i = [...Array(nb201Space.size).keys()].find(
    (k) => nb201Space.canonicalKey(nb201Space.fromIndex(k)) === key,
  )!;
  const live = await new LiveNb201Evaluator({
    dataset,
    pool: pool(),
    cache: new ScoreCache(path.join(tmp, `${dataset}-${part}.json`)),
    settings,
  }).scores(nb201Space.fromIndex(i));
  for (const k of settings.proxies.filter((q) => q !== 'params' && q !== 'flops'))
    assert.ok(
      Math.abs(live[k]! - row[k]!) <= 1e-6 * Math.abs(row[k]!),
      `${part} ${k}: live ${live[k]} vs table ${row[k]}`,
    );
  return { i, row };
}
after(async () => {
  await Promise.all(pools.map((p) => p.close()));
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe('live network builder: bad specs', () => {
  it('names the field of an unknown op or a wrong edge count', () => {
    assert.throws(
      () =>
        buildNb201Net(
          ['nor_conv_3x3', 'conv_9x9', 'none', 'none', 'none', 'none'],
          NB201_NET_CONFIGS.cifar10!,
        ),
      (e: unknown) => e instanceof NetBuildError && e.field === 'ops[1]' && /conv_9x9/.test(e.message),
    );
    assert.throws(
      () => buildNb201Net([1, 2, 3], NB201_NET_CONFIGS.cifar10!),
      (e: unknown) => e instanceof NetBuildError && e.field === 'ops' && /6 edges, got 3/.test(e.message),
    );
  });

  it('names the layer with a wrong channel count or an unconnected input', () => {
    const base: Net = {
      input: 'x',
      inputShape: { c: 3, h: 8, w: 8 },
      layers: [
        { kind: 'conv', name: 'c1', input: 'x', output: 'y', cin: 4, cout: 8, k: 3, stride: 1, pad: 1 },
      ],
      output: 'y',
      preGap: 'y',
      mecoTaps: [],
      chainPoints: [],
    };
    assert.throws(
      () => inferShapes(base),
      (e: unknown) => e instanceof NetBuildError && e.field === 'c1' && /4 input channels/.test(e.message),
    );
    const dangling: Net = { ...base, layers: [{ kind: 'add', inputs: [], output: 'y' }] };
    assert.throws(
      () => inferShapes(dangling),
      (e: unknown) => e instanceof NetBuildError && /no inputs/.test(e.message),
    );
    const missing: Net = { ...base, layers: [{ kind: 'relu', input: 'node2', output: 'y' }] };
    assert.throws(
      () => inferShapes(missing),
      (e: unknown) => e instanceof NetBuildError && /"node2" is not produced/.test(e.message),
    );
  });
});

describe('live worker pool', () => {
  it('scores in a worker exactly what the scorer computes in-thread (deterministic seeds)', async () => {
    const ops = [...nb201Space.parse(CHEAP)];
    const p = pool({ size: 2 });
    const [a, b] = await Promise.all([
      p.score({ space: 'nb201', dataset: 'cifar10', ops, settings: SMALL }),
      p.score({ space: 'nb201', dataset: 'cifar10', ops, settings: SMALL }),
    ]);
    const direct = await scoreNet(
      buildNb201Net(ops, NB201_NET_CONFIGS.cifar10!),
      SMALL,
      makeInputs('cifar10', SMALL),
    );
    assert.deepEqual(a, direct);
    assert.deepEqual(b, direct);
  });

  it('reports a worker crash and retries the candidate once', async () => {
    const crashes: string[] = [];
    const p = pool({ injectCrashes: 1, onCrash: (c) => crashes.push(`${c.attempt}:${c.reason}`) });
    const s = await p.score({
      space: 'nb201',
      dataset: 'cifar10',
      ops: [...nb201Space.parse(CHEAP)],
      settings: SMALL,
    });
    assert.ok(Number.isFinite(s.naswot));
    assert.deepEqual(crashes, ['0:worker exited with code 70']);
    const p2 = pool({ injectCrashes: 2 });
    await assert.rejects(
      p2.score({ space: 'nb201', dataset: 'cifar10', ops: [...nb201Space.parse(CHEAP)], settings: SMALL }),
      (e: unknown) => e instanceof WorkerCrashError && /crashed twice/.test(e.message),
    );
    assert.equal(p2.crashes, 2);
  });

  it('cancels a running and a queued job through the signal, and keeps serving', async () => {
    const p = pool({ size: 1 });
    const ctl = new AbortController();
    const big = [3, 3, 3, 3, 3, 3];
    const running = p.score(
      { space: 'nb201', dataset: 'cifar10', ops: big, settings: DEFAULT_SETTINGS },
      ctl.signal,
    );
    const queued = p.score(
      { space: 'nb201', dataset: 'cifar10', ops: big, settings: DEFAULT_SETTINGS },
      ctl.signal,
    );
    setTimeout(() => ctl.abort(), 30);
    const t0 = Date.now();
    await assert.rejects(running, { name: 'AbortError' });
    await assert.rejects(queued, { name: 'AbortError' });
    assert.ok(Date.now() - t0 < 1000, 'cancellation does not wait for the forward pass');
    assert.equal(p.completed, 0);
    const s = await p.score({
      space: 'nb201',
      dataset: 'cifar10',
      ops: [...nb201Space.parse(CHEAP)],
      settings: SMALL,
    });
    assert.ok(Number.isFinite(s.zen));
  });
});

describe('live evaluator', () => {
  it('scores dead-op and disconnected cells, caches scores on disk, and predicts with zero labels', async () => {
    const file = path.join(tmp, 'scores.jsonl');
    const ref = { naswot: [0, 10, 20], logsynflow: [0, 10, 20], zen: [0, 10, 20], params: [0, 0.5, 1] };
    const p = pool();
    const ev = new LiveNb201Evaluator({
      dataset: 'cifar10',
      settings: SMALL,
      pool: p,
      cache: new ScoreCache(file),
      reference: ref,
    });
    assert.equal(ev.predictor.labels, 0);
    const dead = nb201Space.parse(
      '|none~0|+|nor_conv_3x3~0|nor_conv_1x1~1|+|avg_pool_3x3~0|nor_conv_1x1~1|nor_conv_1x1~2|',
    );
    const disc = nb201Space.parse('|nor_conv_3x3~0|+|none~0|nor_conv_3x3~1|+|none~0|none~1|none~2|');
    assert.ok(nb201Space.isDisconnected(disc));
    const [e1, e2] = await Promise.all([ev.evaluate(dead), ev.evaluate(disc)]);
    assert.ok(Number.isFinite(e1.proxies['naswot']!) && Number.isFinite(e1.proxies['logsynflow']!));
    assert.equal(e2.proxies['logsynflow'], -Infinity, 'a disconnected cell has synflow 0');
    assert.ok(e1.predictedAccuracy > e2.predictedAccuracy);
    const i = nb201Space.index(dead);
    assert.equal(e1.hw['edgegpu_latency'], loadNb201Table().hw('cifar10', 'edgegpu_latency')[i]);
    assert.equal(e1.trueAccuracy, loadNb201Table().testAccuracy('cifar10')[i]);
    assert.equal(p.completed, 2);
    // a new evaluator with a fresh pool reads the persisted scores: no worker runs
    const p2 = pool();
    const ev2 = new LiveNb201Evaluator({
      dataset: 'cifar10',
      settings: SMALL,
      pool: p2,
      cache: new ScoreCache(file),
      reference: ref,
    });
    const again = await ev2.evaluate(dead);
    assert.deepEqual(again, e1);
    assert.equal(p2.completed, 0);
    // other settings are another cache entry
    assert.equal(new ScoreCache(file).size, 2);
  });

  it('scores an isomorphism class once, through its representative, with the shipped table values', async () => {
    const a = nb201Space.parse('|nor_conv_3x3~0|+|none~0|none~1|+|skip_connect~0|none~1|none~2|');
    const b = nb201Space.parse('|nor_conv_3x3~0|+|avg_pool_3x3~0|none~1|+|skip_connect~0|none~1|none~2|');
    assert.equal(nb201Space.canonicalKey(a), nb201Space.canonicalKey(b));
    const p = pool();
    const ev = new LiveNb201Evaluator({
      dataset: 'cifar10',
      pool: p,
      cache: new ScoreCache(path.join(tmp, 'iso.jsonl')),
      settings: { ...DEFAULT_SETTINGS, proxies: TABLE_PROXIES },
    });
    const [ea, eb] = await Promise.all([ev.scores(a), ev.scores(b)]);
    assert.deepEqual(ea, eb);
    const row = readLiveTable(liveTableFile('cifar10')).rows.get(nb201Space.canonicalKey(a));
    assert.ok(row, 'the class is in the shipped table');
    for (const k of ['naswot', 'swap', 'meco', 'logsynflow', 'zen', 'params'] as const)
      assert.ok(
        Math.abs(ea[k]! - row[k]!) <= 1e-4 * Math.abs(row[k]!),
        `${k}: live ${ea[k]} vs table ${row[k]}`,
      );
  });

  it('computes only the default proxy set by default, and a cached superset answers with that set alone', async () => {
    for (const p of ENSEMBLE_PROXIES) assert.ok(DEFAULT_SETTINGS.proxies.includes(p), `${p} is computed`);
    const a = nb201Space.parse(
      '|nor_conv_3x3~0|+|skip_connect~0|nor_conv_1x1~1|+|avg_pool_3x3~0|none~1|nor_conv_3x3~2|',
    );
    const file = path.join(tmp, 'default-set.jsonl');
    const fresh = await new LiveNb201Evaluator({
      dataset: 'cifar10',
      pool: pool(),
      cache: new ScoreCache(file),
    }).scores(a);
    assert.deepEqual(Object.keys(fresh).sort(), [...DEFAULT_SETTINGS.proxies].sort());
    // an entry written under the same key by an earlier default that also computed SWAP and MeCo
    const key = fs
      .readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .map((l) => (JSON.parse(l) as { k: string }).k)[0]!;
    const old = path.join(tmp, 'old-default.jsonl');
    new ScoreCache(old).put(key, { ...fresh, swap: 1234, meco: 5.6 });
    const p = pool();
    const cached = await new LiveNb201Evaluator({
      dataset: 'cifar10',
      pool: p,
      cache: new ScoreCache(old),
    }).scores(a);
    assert.deepEqual(cached, fresh);
    assert.equal(p.completed, 0, 'answered from the cache');
    // the graph of the default set has no SWAP or MeCo outputs
    const e = emitOnnx(buildNb201Net([...a], NB201_NET_CONFIGS['cifar10']!), {
      mode: 'data',
      weights: new WeightSource(0, 'torch-default'),
      batch: 8,
      swap: false,
      meco: false,
    });
    assert.deepEqual(e.layout!.swapOutputs, []);
    assert.deepEqual(e.layout!.mecoOutputs, []);
    assert.ok(e.layout!.naswotD > 0);
  });

  it("merges the table's az part (AZ-NAS terms) by class, with the values the live evaluator computes", async () => {
    const file = liveTableFile('cifar10', undefined, 'az');
    const part = readLiveTable(file, readLiveTable(liveTableFile('cifar10')).settings).rows;
    assert.ok(part.size > 0, `${file} has rows`);
    const [key, row] = [...part.entries()].at(-1)!;
    const table = loadLiveTable('cifar10')!;
    const members = [...Array(nb201Space.size).keys()].filter(
      (i) => nb201Space.canonicalKey(nb201Space.fromIndex(i)) === key,
    );
    assert.ok(members.length > 0);
    for (const i of members)
      for (const k of ['expressivity', 'progressivity', 'trainability'] as const)
        assert.equal(table.column(k)[i], row[k], `${k} of cell ${i}`);
    // the main table's columns are untouched by the part
    const main = readLiveTable(liveTableFile('cifar10')).rows.get(key)!;
    assert.equal(table.column('naswot')[members[0]!], main.naswot);
    // one cache for both: the default proxy set's entry for the cell must not answer for the AZ terms
    const cache = new ScoreCache(path.join(tmp, 'az.jsonl'));
    const p = pool();
    const cell = nb201Space.fromIndex(members[0]!);
    const plain = await new LiveNb201Evaluator({ dataset: 'cifar10', pool: p, cache }).scores(cell);
    assert.equal(plain.trainability, undefined);
    const ev = new LiveNb201Evaluator({
      dataset: 'cifar10',
      settings: { ...DEFAULT_SETTINGS, proxies: ['expressivity', 'progressivity', 'trainability'] },
      pool: p,
      cache,
    });
    const live = await ev.scores(cell);
    // the az part was tabulated before BN's variance became two-pass (onnx.ts): trainability, a Jacobian through
    // 17 blocks of BNs, moved 1.3e-4 on this cell; the forward-only terms far less
    for (const k of ['expressivity', 'progressivity', 'trainability'] as const)
      assert.ok(
        Math.abs(live[k]! - row[k]!) <= 1e-3 * Math.abs(row[k]!),
        `${k}: live ${live[k]} vs table ${row[k]}`,
      );
  });

  it('without a table for its settings, ranks against a seeded reference sample scored live', async () => {
    const p = pool();
    const ev = new LiveNb201Evaluator({
      dataset: 'ImageNet16-120',
      settings: SMALL,
      pool: p,
      cache: new ScoreCache(path.join(tmp, 'ref.jsonl')),
      referenceSample: 3,
    });
    const e = await ev.evaluate(nb201Space.parse(CHEAP));
    assert.ok(e.predictedAccuracy > 0 && e.predictedAccuracy <= 1);
    assert.equal(p.completed, 4, '3 reference cells + the candidate');
  });

  it('rank ensemble: the percentile of a reference item is its fractional rank (ties share)', () => {
    const cols = { naswot: [3, 1, 2, 2], logsynflow: [1, 2, 3, 4], zen: [4, 3, 2, 1], params: [1, 1, 1, 1] };
    const four = [cols.naswot, cols.logsynflow, cols.zen, cols.params];
    const arith = new RankEnsemble(cols, undefined, 'arithmetic');
    const geo = new RankEnsemble(cols);
    assert.equal(geo.aggregation, 'geometric', 'the default is geometric');
    const avg = rankAverage(four);
    const gm = aggregateColumns(four, 'geometric');
    for (let i = 0; i < 4; i++) {
      const s = { naswot: cols.naswot[i], logsynflow: cols.logsynflow[i], zen: cols.zen[i], params: 1 };
      assert.ok(Math.abs(arith.predict(s) - avg[i]!) < 1e-12);
      assert.ok(Math.abs(geo.predict(s) - gm[i]!) < 1e-12);
    }
    // item 0: percentiles 4/4, 1/4, 4/4, 2.5/4 → geometric mean (0.25 · 0.625)^(1/4)
    assert.ok(Math.abs(gm[0]! - Math.pow(0.25 * 0.625, 0.25)) < 1e-12);
    assert.equal(geo.percentile('naswot', 2), 2.5 / 4);
    assert.equal(geo.percentile('naswot', 10), 4.5 / 5);
    assert.equal(geo.percentile('naswot', -Infinity), 0.5 / 5);
    // unknown stays finite under the log
    assert.equal(geo.percentile('naswot', NaN), 0.5 / 5);
    assert.ok(Number.isFinite(geo.predict({})));
  });

  it("each cell is scored with its own params and FLOPs, which the live network counts like NB201's table", async () => {
    const t = loadNb201Table();
    // cell 72 (skip paths plus a conv1x1 on a dead edge 1→3) and its class representative 3 (no conv at all)
    const cell = nb201Space.fromIndex(72);
    const rep = nb201Representative(cell);
    assert.equal(nb201Space.index(rep), 3);
    assert.equal(nb201Degenerate(cell), 'identity');
    for (const a of [
      cell,
      rep,
      nb201Space.parse(CHEAP),
      nb201Space.fromIndex(1),
      nb201Space.fromIndex(9000),
    ]) {
      const c = analyticCost(buildNb201Net(a, NB201_NET_CONFIGS.cifar10!));
      const i = nb201Space.index(a);
      assert.ok(Math.abs(c.paramsM - t.params('cifar10')[i]!) < 1e-9, `params of ${i}`);
      assert.ok(Math.abs(c.flopsM - t.flops('cifar10')[i]!) < 1e-6, `flops of ${i}`);
    }
    assert.notEqual(t.params('cifar10')[72], t.params('cifar10')[3]);
    // the shipped table's expansion and the evaluator both carry the cell's own count
    const table = loadLiveTable('cifar10')!;
    assert.equal(table.column('params')[72], t.params('cifar10')[72]);
    const ev = new LiveNb201Evaluator({
      dataset: 'cifar10',
      metrics: ['edgegpu_latency'],
      pool: pool(),
      cache: new ScoreCache(path.join(tmp, 'own-params.json')),
      settings: SMALL,
      reference: { naswot: [0, 1], logsynflow: [0, 1], zen: [0, 1], params: [0.05, 0.09, 0.2] },
    });
    const [e72, e3] = await Promise.all([ev.evaluate(cell), ev.evaluate(rep)]);
    assert.equal(e72.proxies['params'], t.params('cifar10')[72]);
    assert.equal(e3.proxies['params'], t.params('cifar10')[3]);
    assert.equal(e72.proxies['naswot'], e3.proxies['naswot'], 'data proxies: the class network');
    assert.ok(e72.predictedAccuracy > e3.predictedAccuracy, 'more params, same data proxies: ranked higher');
    assert.equal(e72.degenerate, 'identity');
  });

  it('repeats: proxies averaged over weight seeds, each seed as scoring it alone gives', async () => {
    const settings: ProxySettings = { ...SMALL, proxies: ['naswot', 'logsynflow', 'zen', 'params'] };
    const ev = new LiveNb201Evaluator({
      dataset: 'cifar10',
      metrics: ['edgegpu_latency'],
      pool: pool(),
      cache: new ScoreCache(path.join(tmp, 'repeats.json')),
      settings,
      repeats: 2,
      reference: { naswot: [0, 1], logsynflow: [0, 1], zen: [0, 1], params: [0.05, 0.09, 0.2] },
    });
    assert.match(ev.predictor.unit, /averaged over 2 weight seeds/);
    const arch = nb201Space.parse(CHEAP);
    const e = await ev.evaluate(arch);
    const net = buildNb201Net(nb201Representative(arch), NB201_NET_CONFIGS.cifar10!);
    const s0 = await scoreNet(net, settings, makeInputs('cifar10', settings));
    const s1 = await scoreNet(net, { ...settings, seed: 1 }, makeInputs('cifar10', { ...settings, seed: 1 }));
    assert.notEqual(s0.zen, s1.zen, 'another seed draws other weights');
    for (const p of ['naswot', 'logsynflow', 'zen'] as const)
      assert.ok(Math.abs(e.proxies[p]! - (s0[p]! + s1[p]!) / 2) < 1e-9 * Math.abs(s0[p]!), p);
    assert.deepEqual(
      meanScores([
        { zen: 1, naswot: -Infinity },
        { zen: 3, naswot: 2 },
      ]),
      {
        zen: 2,
        naswot: -Infinity,
      },
    );
  });

  it('repeats over the shipped seed tables: seed 1 as scored live, averaged proxy by proxy, and ranked among them', async () => {
    const base = loadLiveTable('cifar10')!;
    assert.equal(base.settings, settingsKey('cifar10', DEFAULT_SETTINGS));
    const { i, row } = await lastRowScoredLive('seed1', { ...DEFAULT_SETTINGS, seed: 1 });
    const s1 = loadLiveTable('cifar10', 'seed1')!;
    assert.equal(s1.settings, base.settings.replace(/;s0$/, ';s1'));
    const avg = loadLiveTableRepeats('cifar10', 2)!;
    assert.equal(avg.settings, `${base.settings};r2`);
    for (const p of ['naswot', 'logsynflow', 'zen'] as const) {
      assert.equal(s1.column(p)[i], row[p], `${p} of cell ${i}, seed 1`);
      assert.equal(avg.column(p)[i], (base.column(p)[i]! + row[p]!) / 2, `${p} of cell ${i}, averaged`);
    }
    // the seed tables hold the default set only: a table-only proxy has no average
    assert.ok(Number.isNaN(avg.column('swap')[i]!));
    assert.equal(avg.column('params')[i], base.column('params')[i]);
    // with repeats 2 and complete seed tables, an evaluation ranks among the averaged tables (the bench's live-r2)
    assert.equal(avg.classes, base.classes, 'the shipped seed-1 table is complete');
    const ev = new LiveNb201Evaluator({
      dataset: 'cifar10',
      metrics: ['edgegpu_latency'],
      pool: pool(),
      cache: new ScoreCache(path.join(tmp, 'seed1-r2.json')),
      repeats: 2,
    });
    const e = await ev.evaluate(nb201Space.fromIndex(i));
    const among = (t: typeof avg): number =>
      new RankEnsemble(Object.fromEntries(ENSEMBLE_PROXIES.map((k) => [k, t.column(k)]))).predict(e.proxies);
    assert.equal(e.predictedAccuracy, among(avg));
    assert.notEqual(e.predictedAccuracy, among(base));
    // the bench's whole-space score of the cell: the same up to live float noise moving it past its own ties
    const bench = liveTableScores('cifar10', 'live-r2')[i]!;
    assert.ok(
      Math.abs(e.predictedAccuracy - bench) < 1e-3,
      `evaluator ${e.predictedAccuracy} vs bench ${bench}`,
    );
  });

  it("AZ-NAS's rule (liveRule az-nas): the az64 part is its terms as scored live, and evaluations rank among it", async () => {
    const ds = 'ImageNet16-120';
    const settings = ruleSettings('az-nas');
    assert.equal(settings.azBatch, 64);
    const { i } = await lastRowScoredLive('az64', settings, ds);
    const part = loadLiveTable(ds, 'az64')!;
    assert.equal(part.settings, `${loadLiveTable(ds)!.settings};az64`);
    assert.equal(part.classes, loadLiveTable(ds)!.classes, 'the shipped az64 part is complete');
    const ev = new LiveNb201Evaluator({
      dataset: ds,
      metrics: ['edgegpu_latency'],
      pool: pool(),
      cache: new ScoreCache(path.join(tmp, 'az-nas.json')),
      rule: 'az-nas',
    });
    assert.match(
      ev.predictor.unit,
      /expressivity, progressivity, trainability, flops .*64 Gaussian-noise inputs/,
    );
    const e = await ev.evaluate(nb201Space.fromIndex(i));
    // the rule computes its own terms only, and ranks them among the part (FLOPs: the cell's own)
    assert.deepEqual(Object.keys(e.proxies).sort(), [
      'expressivity',
      'flops',
      'progressivity',
      'trainability',
    ]);
    assert.equal(e.proxies['flops'], loadNb201Table().flops(ds)[i]);
    const rule = LIVE_RULES['az-nas'];
    const among = new RankEnsemble(
      Object.fromEntries(rule.proxies.map((k) => [k, part.column(k)])),
      rule.proxies,
      rule.aggregation,
    ).predict(e.proxies);
    assert.equal(e.predictedAccuracy, among);
    // and the bench's whole-space score of the cell (live-az-paper) agrees up to live float noise across ties
    const bench = liveTableScores(ds, 'live-az-paper')[i]!;
    assert.ok(
      Math.abs(e.predictedAccuracy - bench) < 1e-3,
      `evaluator ${e.predictedAccuracy} vs bench ${bench}`,
    );
    // the default rule on the same cell is another predictor
    assert.notEqual(e.predictedAccuracy, liveTableScores(ds, 'live')[i]);
    // a run names its rule in spaceOptions.liveRule; an unknown one is a clear error
    const cfg = (liveRule: string) =>
      nb201TestConfig({ dataset: ds, predictor: 'live', spaceOptions: { liveRule } });
    assert.throws(
      () => createRegistry().spaceProvider('nb201').build(cfg('azn')),
      /liveRule: unknown rule "azn"; valid: ensemble, az-nas/,
    );
  });

  it('a second input batch: the io32 part is NASWOT on images 32–63 as scored live, averaged by live-b2', async () => {
    const base = loadLiveTable('cifar10')!;
    const io = loadLiveTable('cifar10', 'io32')!;
    assert.equal(io.settings, `${base.settings};io32`);
    assert.equal(io.classes, base.classes, 'the shipped io32 table is complete');
    const { i, row } = await lastRowScoredLive('io32', {
      ...DEFAULT_SETTINGS,
      imageOffset: 32,
      proxies: ['naswot'],
    });
    assert.notEqual(row.naswot, base.column('naswot')[i], 'another batch, another kernel');
    // live-b2 is the default ensemble with NASWOT averaged over both batches, the other proxies as they are
    const mean = base.column('naswot').map((x, k) => (x + io.column('naswot')[k]!) / 2);
    const cols = ENSEMBLE_PROXIES.map((p) =>
      p === 'naswot' ? mean : p === 'params' ? nb201ParamsColumn('cifar10', 'own') : base.column(p),
    );
    assert.deepEqual(liveTableScores('cifar10', 'live-b2'), aggregateColumns(cols, 'geometric'));
    assert.notDeepEqual(liveTableScores('cifar10', 'live-b2'), liveTableScores('cifar10', 'live'));
  });

  it("NASWOT at its paper's batch: the b128 part is NASWOT on 128 images as scored live, read by live-n128", async () => {
    const base = loadLiveTable('cifar10')!;
    const b = loadLiveTable('cifar10', 'b128')!;
    assert.equal(b.settings, base.settings.replace(';b32;', ';b128;'));
    assert.equal(b.classes, base.classes, 'the shipped b128 table is complete');
    await lastRowScoredLive('b128', { ...DEFAULT_SETTINGS, batch: 128, proxies: ['naswot'] });
    const cols = ENSEMBLE_PROXIES.map((p) =>
      p === 'naswot'
        ? b.column('naswot')
        : p === 'params'
          ? nb201ParamsColumn('cifar10', 'own')
          : base.column(p),
    );
    assert.deepEqual(liveTableScores('cifar10', 'live-n128'), aggregateColumns(cols, 'geometric'));
  });

  it('degenerate cells: 341 disconnected (10 % on CIFAR-10), 467 whose input→output paths are skips only', () => {
    const acc = loadNb201Table().testAccuracy('cifar10');
    const n = { disconnected: 0, identity: 0 };
    for (let i = 0; i < nb201Space.size; i++) {
      const d = nb201Degenerate(nb201Space.fromIndex(i));
      if (d) n[d]++;
      if (d === 'disconnected') assert.equal(acc[i], 10);
    }
    assert.deepEqual(n, { disconnected: 341, identity: 467 });
    assert.equal(nb201Degenerate(nb201Space.parse(CHEAP)), undefined);
    assert.equal(nb201Degenerate(nb201Space.fromIndex(3)), 'identity');
  });

  it('bench variants: the default ensemble beats the pre-v2 one (class params, arithmetic) exhaustively', () => {
    const own = liveTableScores('cifar10', 'live');
    const v1 = liveTableScores('cifar10', 'live-v1');
    assert.notDeepEqual(own, v1);
    // cell 72 and its representative 3: the same class params in v1, own params in the default
    assert.equal(nb201ParamsColumn('cifar10', 'class')[72], loadNb201Table().params('cifar10')[3]);
    assert.equal(nb201ParamsColumn('cifar10', 'pruned')[72], loadNb201Table().params('cifar10')[3]);
  });

  it('is registered as predictor "live" of the NB201 provider and as the bench score source', () => {
    assert.ok(createRegistry().spaceProvider('nb201').predictors('cifar10').includes('live'));
    const s = tablePredictorScores('cifar10', 'live');
    assert.equal(s.length, 15625);
    assert.ok(s.every((v) => v > 0 && v <= 1));
  });
});

describe('FBNet and ViT scoring on the worker threads', () => {
  it('the providers score on the shared pool, with the same values as scoring in this thread', async () => {
    const { livePool } = await import('../../src/core/engine/pool.js');
    const { scoreFbnet } = await import('../../src/core/fbnet/score.js');
    const { scoreVit, VIT_PROXY_DEFAULTS } = await import('../../src/core/vit/scorer.js');
    const { AUTOFORMER_NET } = await import('../../src/core/vit/space.js');
    const { Rng } = await import('../../src/core/rng.js');
    // one random architecture of a space, evaluated by its provider; the pool jobs that took
    const evaluateOne = async (
      space: string,
      dataset: string,
      device: string,
      metric: string,
      seed: string,
    ) => {
      const run = createRegistry()
        .spaceProvider(space)
        .build({
          ...nb201TestConfig({ generations: 1, budget: 1 }),
          space,
          dataset,
          devices: [device],
          costMetrics: [metric],
          predictor: 'naswot',
        });
      const arch = run.space.sample(new Rng(seed));
      const before = livePool().completed;
      const evaluation = await run.evaluator.evaluate(arch);
      return { arch, evaluation, jobs: livePool().completed - before };
    };
    const fb = await evaluateOne('fbnet', 'cifar100', 'pixel3', 'pixel3_latency', 'fbnet-pool-test');
    assert.equal(fb.jobs, 1, 'one job ran on a worker');
    const fRef = await scoreFbnet(fb.arch as number[], 'cifar100', ['naswot', 'params', 'flops']);
    assert.equal(fb.evaluation.proxies?.['naswot'], fRef['naswot']);
    assert.equal(fb.evaluation.predictedAccuracy, fRef['naswot']);

    const vit = await evaluateOne('autoformer-t', 'imagenet', 'cpu', 'cpu_latency', 'vit-pool-test');
    // the scores and the latency: two jobs (the latency may come from the on-disk cache inside the worker)
    assert.equal(vit.jobs, 2);
    const vRef = await scoreVit(vit.arch as never, AUTOFORMER_NET, VIT_PROXY_DEFAULTS, [
      'naswot',
      'params',
      'flops',
    ]);
    assert.equal(vit.evaluation.proxies?.['naswot'], vRef['naswot']);
    assert.ok((vit.evaluation.hw['cpu_latency'] ?? 0) > 0);
  });
});
