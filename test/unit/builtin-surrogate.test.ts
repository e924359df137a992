// The built-in operator's surrogate step: the NB201 encoding it learns from, costs a lookup table gives for free,
// and the pool it ranks (children the table has no cost for never take a slot).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Nb201TableEvaluator } from '../../src/core/nb201/evaluator';
import { nb201Partition } from '../../src/core/nb201/partition';
import { nb201Pruned, nb201Space, type Nb201Arch } from '../../src/core/nb201/space';
import { BuiltinOperator, DEFAULT_BUILTIN, type Member, type ProposeRequest } from '../../src/core/operator';
import { KernelRidgeModel, RidgeModel } from '../../src/core/surrogate';
import { Rng } from '../../src/core/rng';

test('NB201 encoding: one-hot op per edge, then the dead-op-pruned cell one-hot', () => {
  const rng = new Rng(3);
  for (let k = 0; k < 50; k++) {
    const a = nb201Space.sample(rng);
    const x = nb201Space.encode(a);
    assert.equal(x.length, 60);
    const pruned = nb201Pruned(a);
    for (let e = 0; e < 6; e++)
      for (let op = 0; op < 5; op++) {
        assert.equal(x[e * 5 + op], a[e] === op ? 1 : 0);
        assert.equal(x[30 + e * 5 + op], pruned[e] === op ? 1 : 0);
      }
  }
  // a cell with a dead convolution (node 3 fed only from a node with no live input) differs only in the raw half
  const dead = nb201Space.parse('|none~0|+|none~0|nor_conv_3x3~1|+|skip_connect~0|none~1|none~2|');
  const x = nb201Space.encode(dead);
  assert.equal(x[2 * 5 + 3], 1); // edge 1→2 is a 3x3 conv in the raw cell
  assert.equal(x[30 + 2 * 5 + 3], 0); // and none once pruned
});

function request(
  evaluator: Nb201TableEvaluator,
  metric: string,
  known: boolean,
  seed = 1,
): ProposeRequest<Nb201Arch> {
  const rng = new Rng(seed);
  const partition = nb201Partition();
  const niche = partition.niches[1]!;
  const evaluated: Member<Nb201Arch>[] = [];
  const seen = new Set<string>();
  while (evaluated.length < 60) {
    const a = nb201Space.sample(rng);
    if (evaluator.admissible(a) || seen.has(nb201Space.canonicalKey(a))) continue;
    seen.add(nb201Space.canonicalKey(a));
    const i = nb201Space.index(a);
    evaluated.push({ id: `a${i}`, arch: a, evaluation: evaluator.evaluateIndex(i), generation: 0 });
  }
  const parents = evaluated.filter((m) => niche.contains(m.arch)).slice(0, 6);
  assert.ok(parents.length >= 2);
  return {
    space: nb201Space,
    niche,
    generation: 1,
    parents,
    knowledgeBase: '',
    count: 10,
    rng,
    signal: new AbortController().signal,
    feedback: [],
    previous: [],
    objectives: ['predicted accuracy', metric],
    evaluated,
    isNovel: (a) => !seen.has(nb201Space.canonicalKey(a)),
    ...(known ? { knownCosts: (a: Nb201Arch) => evaluator.knownCosts(a) } : {}),
  };
}

test('the surrogate takes a cost the lookup table gives for free as it is', async () => {
  const ev = new Nb201TableEvaluator({ dataset: 'cifar10', required: ['edgegpu_latency'] });
  const op = new BuiltinOperator<Nb201Arch>({ exploreShare: 0 });
  for (const known of [true, false]) {
    const out = await op.propose(request(ev, 'edgegpu_latency', known));
    assert.equal(out.length, 10);
    let exact = 0;
    for (const c of out) {
      const guessed = /edgegpu_latency≈([\d.-]+)/.exec(c.rationale);
      assert.ok(guessed, c.rationale);
      const table = ev.knownCosts(nb201Space.parse(c.spec)).edgegpu_latency!;
      if (Number(guessed[1]) === Number(table.toFixed(3))) exact++;
    }
    // with the table: every guess is the table's value; without it, a ridge fit (almost never exact to 1 µs)
    if (known) assert.equal(exact, out.length);
    else assert.ok(exact < out.length / 2, `${exact} of ${out.length} ridge guesses equal the table`);
  }
});

test('children without a table cost (outside the EdgeTPU task) never take a slot', async () => {
  const ev = new Nb201TableEvaluator({ dataset: 'cifar10', required: ['edgetpu_latency'] });
  const op = new BuiltinOperator<Nb201Arch>();
  let inadmissible = 0;
  for (let seed = 1; seed <= 5; seed++)
    for (const c of await op.propose(request(ev, 'edgetpu_latency', true, seed)))
      if (ev.admissible(nb201Space.parse(c.spec))) inadmissible++;
  assert.equal(inadmissible, 0);
  // without the table, the same requests do propose some (the validator then rejects them)
  let without = 0;
  for (let seed = 1; seed <= 5; seed++)
    for (const c of await op.propose(request(ev, 'edgetpu_latency', false, seed)))
      if (ev.admissible(nb201Space.parse(c.spec))) without++;
  assert.ok(without > 0, 'the check above could not fail');
});

test('the kernel surrogate learns an interaction between slots that the linear one cannot', () => {
  // y = 1 when slots 0 and 1 are both on (an AND of two one-hot bits), plus a linear term in slot 2
  const rng = new Rng(3);
  const xs: number[][] = [];
  const ys: number[] = [];
  for (let n = 0; n < 120; n++) {
    const x = Array.from({ length: 8 }, () => (rng.next() < 0.5 ? 1 : 0));
    xs.push(x);
    ys.push(x[0]! * x[1]! + 0.3 * x[2]!);
  }
  const test = [
    [1, 1, 0, 0, 0, 0, 0, 0],
    [1, 0, 0, 0, 0, 0, 0, 0],
    [0, 1, 0, 0, 0, 0, 0, 0],
    [0, 0, 0, 0, 0, 0, 0, 0],
  ];
  const truth = [1, 0, 0, 0];
  const err = (m: { predict(x: number[]): number }): number =>
    Math.max(...test.map((x, i) => Math.abs(m.predict(x) - truth[i]!)));
  const linear = RidgeModel.fit(xs, ys);
  const kernel = KernelRidgeModel.fit(xs, ys, 0.5, 0.01);
  assert.ok(err(linear) > 0.2, `the linear fit misses the AND (max error ${err(linear)})`);
  assert.ok(
    err(kernel) < 0.15 && err(kernel) < err(linear) / 2,
    `the kernel fit learns it (max error ${err(kernel)} vs linear ${err(linear)})`,
  );
  // the kernel part is fitted on the newest points only when asked: still exact on what it saw
  const recent = KernelRidgeModel.fit(xs, ys, 0.5, 0.01, 60);
  assert.ok(Math.abs(recent.predict(xs[119]!) - ys[119]!) < 0.1);
});

test('the built-in operator uses the kernel surrogate by default and ridge when asked', async () => {
  assert.equal(DEFAULT_BUILTIN.surrogate, 'kernel');
  const ev = new Nb201TableEvaluator({ dataset: 'cifar10', predictor: 'live', metrics: ['edgegpu_latency'] });
  const rng = new Rng(1);
  const evaluated: Member<Nb201Arch>[] = [];
  const seen = new Set<string>();
  while (evaluated.length < 60) {
    const a = nb201Space.sample(rng);
    if (seen.has(nb201Space.canonicalKey(a))) continue;
    seen.add(nb201Space.canonicalKey(a));
    evaluated.push({ id: `a${evaluated.length}`, arch: a, evaluation: await ev.evaluate(a), generation: 0 });
  }
  const niche = nb201Partition('raw').niches[2]!;
  const parents = evaluated.filter((m) => niche.contains(m.arch)).slice(0, 4);
  const req = (): ProposeRequest<Nb201Arch> => ({
    space: nb201Space,
    niche,
    generation: 1,
    parents,
    knowledgeBase: '',
    count: 5,
    rng: new Rng(7),
    signal: new AbortController().signal,
    feedback: [],
    previous: [],
    objectives: ['predicted accuracy', 'edgegpu_latency'],
    evaluated,
    isNovel: (a) => !seen.has(nb201Space.canonicalKey(a)),
    knownCosts: (a) => ev.knownCosts(a),
  });
  const k = await new BuiltinOperator<Nb201Arch>().propose(req());
  const r = await new BuiltinOperator<Nb201Arch>({ surrogate: 'ridge' }).propose(req());
  assert.equal(k.length, 5);
  assert.equal(r.length, 5);
  // the two surrogates guess differently (same pool: same rng), so the rationales' estimates differ
  assert.notDeepEqual(
    k.map((c) => c.rationale),
    r.map((c) => c.rationale),
  );
});
