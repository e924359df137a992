// AutoFormer ViT spaces: exactly the yaml search spaces (sizes equal the data's num_candidates), notation and
// validation, the paper's embed x depth niches, and analytic params next to the published subnets.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Rng } from '../../src/core/rng';
import { SpaceError } from '../../src/core/space';
import { vitCost } from '../../src/core/vit/net';
import {
  AUTOFORMER_NET,
  loadAutoformer,
  VIT_VARIANTS,
  vitPartition,
  vitSpace,
} from '../../src/core/vit/space';

test('T/S/B choices and sizes are those of the AutoFormer yaml files', () => {
  const d = loadAutoformer() as unknown as { supernet: Record<string, { num_candidates: number }> };
  for (const v of VIT_VARIANTS) assert.equal(vitSpace(v).size, d.supernet[v]!.num_candidates, v);
  assert.deepEqual(vitSpace('T').choices, {
    embed: [192, 216, 240],
    depth: [12, 13, 14],
    mlp: [3.5, 4],
    heads: [3, 4],
  });
});

test('notation round-trips; errors name the field', () => {
  const s = vitSpace('S');
  const rng = new Rng(1);
  for (let i = 0; i < 30; i++) {
    const a = s.sample(rng);
    assert.deepEqual(s.parse(s.format(a)), a);
    assert.deepEqual(s.parse(s.toJSON(a)), a);
    assert.equal(a.mlp.length, a.depth);
  }
  assert.deepEqual(
    s.parse({ EMBED_DIM: 320, DEPTH: 12, MLP_RATIO: new Array(12).fill(3), NUM_HEADS: new Array(12).fill(5) })
      .embed,
    320,
  );
  assert.throws(
    () => s.parse('embed=999 depth=12 mlp=3 heads=5'),
    (e: unknown) =>
      e instanceof SpaceError &&
      e.issues.some((i) => i.path === '$.embed') &&
      e.issues.some((i) => i.path === '$.mlp' && /12/.test(i.message)),
  );
  assert.throws(() => s.parse({ embed: 320, depth: 12, mlp: [3], heads: [5], extra: 1 }), /\$\.extra/);
});

test('variation operators stay in the space; depth edits keep per-block lists consistent', () => {
  const s = vitSpace('B');
  const rng = new Rng(7);
  const a = s.sample(rng);
  const b = s.sample(rng);
  for (let i = 0; i < 100; i++) {
    for (const c of [s.mutate(a, rng, 0.1), s.crossover(a, b, rng)])
      assert.deepEqual(s.parse(s.format(c)), c);
    assert.notEqual(s.format(s.mutate(a, rng, 0.05)), s.format(a));
  }
  for (const n of s.neighbours(a)) assert.deepEqual(s.parse(s.format(n)), n);
});

test('the paper partition: 9 niches (embed x depth), each architecture in exactly its niche', () => {
  const s = vitSpace('T');
  const p = vitPartition(s);
  assert.equal(p.niches.length, 9);
  const rng = new Rng(2);
  for (let i = 0; i < 200; i++) {
    const a = s.sample(rng);
    const n = p.nicheOf(a);
    p.niches.forEach((x, j) => assert.equal(x.contains(a), j === n));
    assert.equal(p.niches[n]!.distance(a), 0);
  }
});

test('params of the three searched subnets are within 1% of the published 5.8M / 22.9M / 53.7M', () => {
  const d = loadAutoformer();
  for (const v of VIT_VARIANTS) {
    const r = d.subnets[`AutoFormer-${v}`]!.RETRAIN;
    const c = vitCost(
      { embed: r.EMBED_DIM, depth: r.DEPTH, mlp: r.MLP_RATIO, heads: r.NUM_HEADS },
      AUTOFORMER_NET,
    );
    const pub = d.modelZoo.find((z) => z.model === `AutoFormer-${v}`)!.params_m;
    // the difference is AutoFormer's relative position tables, which the builder leaves out
    assert.ok(c.paramsM < pub && (pub - c.paramsM) / pub < 0.01, `${v}: ${c.paramsM} vs ${pub}`);
  }
});
