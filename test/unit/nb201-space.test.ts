// NAS-Bench-201 space: notation, index mapping, validation errors, isomorphism classes, niches.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { nb201NicheOf, nb201Partition } from '../../src/core/nb201/partition';
import { nb201Space } from '../../src/core/nb201/space';
import { SpaceError } from '../../src/core/space';
import { Rng } from '../../src/core/rng';
import { quantilePartition } from '../../src/core/partition';

test('parse/format round-trips every cell and index ↔ arch is a bijection', () => {
  const seen = new Set<string>();
  for (let i = 0; i < 15625; i++) {
    const a = nb201Space.fromIndex(i);
    const s = nb201Space.format(a);
    assert.deepEqual(nb201Space.parse(s), a);
    assert.equal(nb201Space.index(a), i);
    seen.add(s);
  }
  assert.equal(seen.size, 15625);
  assert.equal(
    nb201Space.format(nb201Space.fromIndex(0)),
    '|avg_pool_3x3~0|+|nor_conv_1x1~0|skip_connect~1|+|nor_conv_1x1~0|skip_connect~1|skip_connect~2|',
  );
});

test('validation errors are precise', () => {
  const err = (input: unknown): string => {
    try {
      nb201Space.parse(input);
    } catch (e) {
      assert.ok(e instanceof SpaceError);
      return e.message;
    }
    assert.fail('expected a SpaceError');
  };
  assert.match(
    err('|conv5x5~0|+|none~0|none~1|+|none~0|none~1|none~2|'),
    /edge 0→1: unknown op "conv5x5"; valid: none, skip_connect/,
  );
  assert.match(err('|none~0|+|none~0|none~1|'), /expected 3 node groups/);
  assert.match(
    err('|none~0|+|none~0|none~1|+|none~0|none~1|'),
    /node3: node 3 needs 3 input edge\(s\), got 2/,
  );
  assert.match(err('|none~0|+|none~0|none~2|+|none~0|none~1|none~2|'), /input index must be 1, got 2/);
  assert.match(err({ ops: ['none', 'none'] }), /ops: a cell has 6 edges, got 2/);
  assert.match(err({ index: 20000 }), /index must be an integer in 0..15624/);
  assert.match(err(42), /expected a cell string or spec object/);
});

test('canonical form gives the 6,466 NB201 isomorphism classes', () => {
  const keys = new Set<string>();
  for (const a of nb201Space.enumerate()) keys.add(nb201Space.canonicalKey(a));
  assert.equal(keys.size, 6466);
  // NATS-Bench unique_str of index 0
  assert.equal(
    nb201Space.canonicalKey(nb201Space.fromIndex(0)),
    '(0)@avg_pool_3x3+(0)@avg_pool_3x3+(0)@nor_conv_1x1+(0)@nor_conv_1x1',
  );
  // node 1 is an identity copy of the input, so which of its two edges into node 3 carries which conv is irrelevant
  const a = nb201Space.parse('|skip_connect~0|+|none~0|none~1|+|nor_conv_3x3~0|nor_conv_1x1~1|none~2|');
  const b = nb201Space.parse('|skip_connect~0|+|none~0|none~1|+|nor_conv_1x1~0|nor_conv_3x3~1|none~2|');
  assert.equal(nb201Space.canonicalKey(a), nb201Space.canonicalKey(b));
  // a conv on a dead edge does not change the function
  const c = nb201Space.parse('|nor_conv_3x3~0|+|none~0|none~1|+|nor_conv_3x3~0|none~1|none~2|');
  const d = nb201Space.parse('|none~0|+|none~0|none~1|+|nor_conv_3x3~0|none~1|none~2|');
  assert.equal(nb201Space.canonicalKey(c), nb201Space.canonicalKey(d));
  assert.notEqual(nb201Space.canonicalKey(a), nb201Space.canonicalKey(c));
});

test('paper niches have sizes 729/3367/6144/3840/1280/265', () => {
  const sizes = [0, 0, 0, 0, 0, 0];
  for (const a of nb201Space.enumerate()) sizes[nb201NicheOf(a)]!++;
  assert.deepEqual(sizes, [729, 3367, 6144, 3840, 1280, 265]);
  const p = nb201Partition();
  for (const a of nb201Space.enumerate()) {
    const k = nb201NicheOf(a);
    p.niches.forEach((n) => assert.equal(n.contains(a), n.id === k));
    assert.equal(p.niches[k]!.distance(a), 0);
  }
});

test('neighbours, mutation and crossover stay legal; features count convolutions', () => {
  const rng = new Rng(1);
  const a = nb201Space.fromIndex(123);
  const ns = nb201Space.neighbours(a);
  assert.equal(ns.length, 24);
  for (const n of ns) assert.equal(n.filter((o, k) => o !== a[k]).length, 1);
  for (let i = 0; i < 200; i++) {
    const m = nb201Space.mutate(a, rng, 1 / 6);
    assert.ok(m.some((o, k) => o !== a[k]));
    const c = nb201Space.crossover(a, nb201Space.sample(rng), rng);
    assert.ok(nb201Space.index(c) >= 0 && nb201Space.index(m) >= 0);
  }
  const f = nb201Space.features(
    nb201Space.parse('|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_1x1~1|+|skip_connect~0|none~1|none~2|'),
  );
  assert.equal(f.n_conv3x3, 2);
  assert.equal(f.n_conv1x1, 1);
  assert.ok(f.params_m! > 0 && f.flops_m! > 0);
});

test('dead ops and disconnected cells are described', () => {
  const dead = nb201Space.parse(
    '|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|none~1|none~2|',
  );
  assert.deepEqual(nb201Space.deadOps(dead), [0, 1, 2]);
  assert.match(nb201Space.describe(dead), /Dead \(unreachable\) edges: 0→1, 0→2, 1→2/);
  const off = nb201Space.parse('|nor_conv_3x3~0|+|none~0|none~1|+|none~0|none~1|none~2|');
  assert.ok(nb201Space.isDisconnected(off));
  assert.match(nb201Space.describe(off), /disconnected/);
});

test('quantile partition splits by a feature into K ordered, non-empty niches', () => {
  const p = quantilePartition(nb201Space, 'flops_m', 4, nb201Space.enumerate());
  const lo = [Infinity, Infinity, Infinity, Infinity];
  const hi = [-Infinity, -Infinity, -Infinity, -Infinity];
  const sizes = [0, 0, 0, 0];
  for (const a of nb201Space.enumerate()) {
    const k = p.nicheOf(a);
    const f = nb201Space.features(a).flops_m!;
    sizes[k]!++;
    lo[k] = Math.min(lo[k]!, f);
    hi[k] = Math.max(hi[k]!, f);
    assert.ok(p.niches[k]!.contains(a) && p.niches[k]!.distance(a) === 0);
  }
  // many cells share a FLOP count, so sizes are only roughly equal; the ranges never overlap
  for (const s of sizes) assert.ok(s > 15625 / 8, `sizes ${sizes}`);
  for (let k = 0; k < 3; k++) assert.ok(hi[k]! < lo[k + 1]!);
  assert.match(p.niches[0]!.constraint, /flops_m </);
});
