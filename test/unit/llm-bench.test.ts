// bench --operator llm: the full method and the "without knowledge-base update" ablation under the shared
// protocol, against the loopback server; rows carry the LLM calls and tokens.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runBench, type BenchRow } from '../../src/core/nb201/bench';
import { latencyTasks } from '../../src/core/nb201/benchmark';
import { llmBenchSearchers } from '../../src/cli/llm';
import { LlmTestServer } from '../support/llm-server';

test('bench --operator llm: full method, no-KB-update and w/o-partition ablations, scored, with calls and tokens per row', async (t) => {
  const srv = await LlmTestServer.start();
  t.after(() => srv.close());
  const llm = llmBenchSearchers({ baseURL: srv.url, model: 'loop', maxRetries: 0 });
  const rows: BenchRow[] = [];
  await runBench({
    budget: 60,
    seeds: 2,
    predictor: 'rank-avg',
    searchers: ['llm-nas-llm', 'llm-nas-llm-nokb', 'llm-nas-llm-nopartition'],
    tasks: latencyTasks().filter((x) => x.id === 'cifar10/edgegpu'),
    generations: 3,
    operators: llm.operators,
    onRow: (r) => {
      const used = llm.take(r.searcher);
      r.llm_calls = used.calls;
      r.tokens = used.tokens;
      rows.push(r);
    },
  });
  assert.deepEqual(
    rows.map((r) => r.searcher),
    ['llm-nas-llm', 'llm-nas-llm-nokb', 'llm-nas-llm-nopartition'],
  );
  for (const r of rows) {
    assert.equal(r.evaluations_mean, 60);
    assert.ok(r.hv_ratio_mean > 0.5 && r.hv_ratio_mean <= 1.0001, String(r.hv_ratio_mean));
    assert.ok(r.llm_calls! > 0 && r.tokens! > r.llm_calls!);
  }
  const kb = srv.requests.filter((r) => r.stage === 'kb-update').length;
  const evolve = srv.requests.filter((r) => r.stage === 'evolve').length;
  assert.equal(rows[0]!.llm_calls! + rows[1]!.llm_calls! + rows[2]!.llm_calls!, kb + evolve);
  // the no-KB ablation made only stage-2 calls: stage-1 calls are the full method's (2 seeds × 2 gens × 6 niches)
  // and the w/o-partition one's (2 seeds × 2 gens × 1 niche)
  assert.equal(kb, 28);
  assert.ok(rows[1]!.llm_calls! < rows[0]!.llm_calls!);
  // w/o partition: one niche over the whole space, shown only the seed's Global rules
  const single = srv.requests.filter((r) => /constraint: any architecture in the space/.test(r.prompt));
  assert.ok(single.length >= 4 && single.length === rows[2]!.llm_calls!);
  for (const r of single) assert.doesNotMatch(r.prompt, /## N[1-9]|## N0 — no convolution/);
});
