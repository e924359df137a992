// The FBNet space: notation, validation with JSON paths, variation operators, analytic params checked by hand,
// quantile niches, and the network built on the inference engine scoring finite proxies.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FBNET_SETTINGS } from '../../src/core/fbnet/lut';
import { buildFbnetNet } from '../../src/core/fbnet/net';
import { featurePartition } from '../../src/core/partition';
import { scoreFbnet } from '../../src/core/fbnet/score';
import { fbnetSpace } from '../../src/core/fbnet/space';
import { analyticCost } from '../../src/core/engine/net';
import { Rng } from '../../src/core/rng';
import { RUN_FORMAT, type RunConfig } from '../../src/core/runstore';
import { SpaceError } from '../../src/core/space';

const space = fbnetSpace('cifar100');

test('text, JSON and index forms round-trip; errors carry JSON paths', () => {
  const rng = new Rng(3);
  for (let i = 0; i < 50; i++) {
    const a = space.sample(rng);
    assert.deepEqual(space.parse(space.format(a)), a);
    assert.deepEqual(space.parse(space.toJSON(a)), a);
    assert.deepEqual(space.parse({ ops: a }), a);
    assert.match(space.fileId(a), /^fbnet-[0-8]{22}$/);
  }
  assert.throws(
    () => space.parse({ ops: ['k3_e1', 'k9_e9'] }),
    (e: unknown) =>
      e instanceof SpaceError &&
      e.issues.some((i) => i.path === '$.ops') &&
      e.issues.some((i) => i.path === '$.ops[1]' && /not a choice/.test(i.message)),
  );
  assert.throws(() => space.parse(42), SpaceError);
});

test('neighbours, mutation and crossover stay in the space', () => {
  const rng = new Rng(5);
  const a = space.sample(rng);
  const b = space.sample(rng);
  assert.equal(space.neighbours(a).length, 22 * 8);
  for (let i = 0; i < 100; i++) {
    const m = space.mutate(a, rng, 0.1);
    assert.notDeepEqual(m, a);
    const c = space.crossover(a, b, rng);
    c.forEach((o, k) => assert.ok(o === a[k] || o === b[k]));
  }
});

test('params of the all-skip network equal the hand count (stem, 6 projection skips, head, classifier)', () => {
  // stem conv 3*16*9 + BN 32; projections cin*cout + BN 2*cout where the shape changes; head 352*1504 + BN;
  // classifier 1504*100 + 100
  const proj = [
    [16, 24],
    [24, 32],
    [32, 64],
    [64, 112],
    [112, 184],
    [184, 352],
  ].reduce((s, [i, o]) => s + i! * o! + 2 * o!, 0);
  const expected = 3 * 16 * 9 + 32 + proj + 352 * 1504 + 2 * 1504 + 1504 * 100 + 100;
  const f = space.features(space.parse(new Array(22).fill('skip').join('|')));
  assert.equal(Math.round(f['params_m']! * 1e6), expected);
  // one k3_e6 block 16->16: 1x1 16->96, depthwise 3x3 on 96, 1x1 96->16, three BNs
  const one = space.parse(['k3_e6', ...new Array(21).fill('skip')]);
  const block = 16 * 96 + 2 * 96 + 96 * 9 + 2 * 96 + 96 * 16 + 2 * 16;
  assert.equal(Math.round((space.features(one)['params_m']! - f['params_m']!) * 1e6), block);
  // the group-2 variant halves the 1x1 convs
  const g2 = space.parse(['k3_e1_g2', ...new Array(21).fill('skip')]);
  const e1 = space.parse(['k3_e1', ...new Array(21).fill('skip')]);
  const d = (space.features(e1)['params_m']! - space.features(g2)['params_m']!) * 1e6;
  assert.equal(Math.round(d), (16 * 16) / 2 + (16 * 16) / 2);
});

test('FLOPs-quantile niches: K = 4 niches of near-equal size on an independent sample', () => {
  const c = { format: RUN_FORMAT, partition: true, spaceOptions: { niches: 4 } } as unknown as RunConfig;
  const p = featurePartition(space, c, { feature: 'flops_m', niches: 4 });
  assert.equal(p.niches.length, 4);
  const rng = new Rng('independent');
  const sizes = [0, 0, 0, 0];
  for (let i = 0; i < 1000; i++) {
    const a = space.sample(rng);
    const n = p.nicheOf(a);
    sizes[n]!++;
    assert.ok(p.niches[n]!.contains(a));
  }
  for (const s of sizes) assert.ok(s > 180 && s < 320, `niche sizes ${sizes.join('/')}`);
});

test('the FBNet network runs on the inference engine: finite proxies, params equal the analytic count', async () => {
  const a = space.parse(['k3_e1_g2', 'k5_e3', ...new Array(20).fill('skip')]);
  const s = await scoreFbnet(a, 'cifar100');
  for (const k of ['naswot', 'swap', 'logsynflow', 'zen', 'params', 'flops'])
    assert.ok(Number.isFinite(s[k]), `${k} = ${s[k]}`);
  assert.equal(s['params'], analyticCost(buildFbnetNet(a, FBNET_SETTINGS['cifar100']!)).paramsM);
});
