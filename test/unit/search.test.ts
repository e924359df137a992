// The partitioned evolution loop with the built-in operator on the table evaluator.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Nb201TableEvaluator } from '../../src/core/nb201/evaluator';
import { nb201Partition } from '../../src/core/nb201/partition';
import { nb201Space, type Nb201Arch } from '../../src/core/nb201/space';
import { BuiltinOperator, type Operator, type RawCandidate } from '../../src/core/operator';
import { dominates } from '../../src/core/pareto';
import { singleNiche } from '../../src/core/partition';
import { objectiveVector } from '../../src/core/front';
import { runSearch, type SearchOptions } from '../../src/core/search';
import { Validator } from '../../src/core/validator';
import type { SearchEvent } from '../../src/core/events';
import type { Evaluator } from '../../src/core/evaluator';

function options(over: Partial<SearchOptions<Nb201Arch>> = {}): SearchOptions<Nb201Arch> {
  return {
    space: nb201Space,
    partition: nb201Partition(),
    evaluator: new Nb201TableEvaluator({ dataset: 'cifar10', required: ['edgegpu_latency'] }),
    operator: new BuiltinOperator(),
    costMetrics: ['edgegpu_latency'],
    generations: 10,
    budget: 300,
    seed: 7,
    ...over,
  };
}

// wall time is measured by scripts/bench-core.ts, not asserted here
test('10 generations × 6 niches: 300 distinct evaluations, each in its niche', async () => {
  const events: SearchEvent[] = [];
  const r = await runSearch(options({ onEvent: (e) => events.push(e) }));
  assert.equal(r.evaluations, 300);
  const ids = new Set(r.members.map((m) => m.id));
  assert.equal(ids.size, 300);
  const evaluated = events.filter((e) => e.type === 'arch/evaluated');
  assert.equal(evaluated.length, 300);
  const p = nb201Partition();
  const keysPerNiche = new Map<number, Set<string>>();
  for (const e of evaluated) {
    const a = nb201Space.parse(e.arch);
    assert.equal(p.nicheOf(a), e.niche, `${e.arch} in N${e.niche}`);
    const keys = keysPerNiche.get(e.niche) ?? new Set();
    assert.ok(!keys.has(nb201Space.canonicalKey(a)), 'isomorphic duplicate evaluated');
    keys.add(nb201Space.canonicalKey(a));
    keysPerNiche.set(e.niche, keys);
  }
  assert.equal(keysPerNiche.size, 6);
  // every niche completed generations and reported its archive
  const completed = events.filter((e) => e.type === 'generation/completed');
  for (let n = 0; n < 6; n++) assert.ok(completed.some((e) => e.niche === n && e.generation === 9));
  // the global front is non-dominated and drawn from the niche archives
  const vec = (m: (typeof r.front)[number]): number[] => objectiveVector(m.evaluation, ['edgegpu_latency']);
  for (const a of r.front) for (const b of r.members) assert.ok(!dominates(vec(b), vec(a)));
  const archived = new Set(r.niches.flatMap((n) => n.archive));
  for (const m of r.front) assert.ok(archived.has(m.id));
});

test('same seed → same run; another seed → another run', async () => {
  const a = await runSearch(options());
  const b = await runSearch(options());
  const c = await runSearch(options({ seed: 8 }));
  assert.deepEqual(
    a.members.map((m) => m.id),
    b.members.map((m) => m.id),
  );
  assert.deepEqual(
    a.front.map((m) => m.id),
    b.front.map((m) => m.id),
  );
  assert.notDeepEqual(
    a.members.map((m) => m.id),
    c.members.map((m) => m.id),
  );
});

test('no-partition ablation runs one niche over the whole space', async () => {
  const r = await runSearch(options({ partition: singleNiche<Nb201Arch>() }));
  assert.equal(r.niches.length, 1);
  assert.equal(r.evaluations, 300);
});

test('EdgeTPU task: cells without an EdgeTPU value are rejected as inadmissible, never evaluated', async () => {
  const events: SearchEvent[] = [];
  const r = await runSearch(
    options({
      evaluator: new Nb201TableEvaluator({ dataset: 'cifar10', required: ['edgetpu_latency'] }),
      costMetrics: ['edgetpu_latency'],
      onEvent: (e) => events.push(e),
    }),
  );
  for (const m of r.members) assert.ok(!Number.isNaN(m.evaluation.hw.edgetpu_latency));
  assert.ok(events.some((e) => e.type === 'candidate/rejected' && e.kind === 'inadmissible'));
});

test('validator: illegal, outside the niche, isomorphic duplicate', () => {
  const p = nb201Partition();
  const v = new Validator(nb201Space);
  const bad = v.check('|conv9~0|+|none~0|none~1|+|none~0|none~1|none~2|', p.niches[0]!);
  assert.ok(!bad.ok && bad.kind === 'illegal' && /unknown op "conv9"/.test(bad.message));
  const out = v.check('|nor_conv_3x3~0|+|none~0|none~1|+|nor_conv_3x3~0|none~1|none~2|', p.niches[0]!);
  assert.ok(!out.ok && out.kind === 'outside-niche' && /outside niche N0/.test(out.message));
  const ok = v.check('|skip_connect~0|+|none~0|none~1|+|nor_conv_3x3~0|nor_conv_1x1~1|none~2|', p.niches[2]!);
  assert.ok(ok.ok);
  const iso = v.check(
    '|skip_connect~0|+|none~0|none~1|+|nor_conv_1x1~0|nor_conv_3x3~1|none~2|',
    p.niches[2]!,
  );
  assert.ok(!iso.ok && iso.kind === 'duplicate');
});

test('a failing operator is re-asked with the rejection reasons, then the built-in operator fills the gap', async () => {
  const seenFeedback: string[][] = [];
  const junk: Operator<Nb201Arch> = {
    id: 'junk',
    deterministic: true,
    propose: (req) => {
      seenFeedback.push([...req.feedback]);
      const out: RawCandidate[] = Array.from({ length: req.count }, () => ({
        spec: '|bogus~0|+|none~0|none~1|+|none~0|none~1|none~2|',
        rationale: 'always wrong',
        operator: 'junk',
        parents: [],
      }));
      return Promise.resolve(out);
    },
  };
  const events: SearchEvent[] = [];
  const r = await runSearch(
    options({ operator: junk, generations: 3, budget: 60, maxReasks: 2, onEvent: (e) => events.push(e) }),
  );
  assert.equal(r.evaluations, 60);
  assert.ok(
    seenFeedback.some((f) => f.some((m) => /unknown op "bogus"/.test(m))),
    'feedback reaches the operator',
  );
  const fills = events.filter((e) => e.type === 'operator/fallback');
  assert.ok(fills.length > 0);
  assert.equal(
    r.niches.reduce((n, x) => n + x.fallbacks, 0),
    fills.reduce((n, e) => n + (e.type === 'operator/fallback' ? e.filled : 0), 0),
  );
});

test('cancellation stops the loop with an abort error', async () => {
  const ac = new AbortController();
  let n = 0;
  await assert.rejects(
    runSearch(
      options({
        signal: ac.signal,
        onEvent: (e) => {
          if (e.type === 'arch/evaluated' && ++n === 50) ac.abort(new Error('user stop'));
        },
      }),
    ),
    /user stop/,
  );
  assert.ok(n < 300);
});

test('the loop tells the evaluator which niche asks for each candidate', async () => {
  const table = new Nb201TableEvaluator({ dataset: 'cifar10', required: ['edgegpu_latency'] });
  const asked = new Map<string, number | undefined>();
  const evaluator: Evaluator<Nb201Arch> = {
    id: table.id,
    predictor: table.predictor,
    metrics: table.metrics,
    evaluate: (arch, signal, context) => {
      asked.set(nb201Space.fileId(arch), context?.niche);
      return table.evaluate(arch);
    },
  };
  const events: SearchEvent[] = [];
  await runSearch(options({ evaluator, generations: 3, budget: 60, onEvent: (e) => events.push(e) }));
  const evaluated = events.filter((e) => e.type === 'arch/evaluated');
  // an isomorphic twin of a cell already evaluated is served from the run's cache, so not every id is asked
  assert.ok(asked.size > 40 && asked.size <= evaluated.length, `asked ${asked.size} of ${evaluated.length}`);
  const nicheOf = new Map(evaluated.map((e) => [e.id, e.niche]));
  for (const [id, niche] of asked) assert.equal(niche, nicheOf.get(id), id);
  assert.ok(new Set(asked.values()).size > 1, 'several niches asked');
});
