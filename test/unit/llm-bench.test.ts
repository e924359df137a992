// bench --operator llm: the full method and the "without knowledge-base update" ablation under the shared
// protocol, against the loopback server; rows carry the LLM calls and tokens.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runBench, type BenchRow } from '../../src/core/bench';
import { latencyTasks } from '../../src/core/nb201/benchmark';
import { llmBenchSearchers } from '../../src/cli/llm';
import { LlmTestServer } from '../support/llm-server';

test('bench --operator llm: full method and no-KB-update ablation, scored, with calls and tokens per row', async (t) => {
  const srv = await LlmTestServer.start();
  t.after(() => srv.close());
  const llm = llmBenchSearchers({ baseURL: srv.url, model: 'loop', maxRetries: 0 });
  const rows: BenchRow[] = [];
  await runBench({
    budget: 60,
    seeds: 2,
    predictor: 'rank-avg',
    searchers: ['llm-nas-llm', 'llm-nas-llm-nokb'],
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
    ['llm-nas-llm', 'llm-nas-llm-nokb'],
  );
  for (const r of rows) {
    assert.equal(r.evaluations_mean, 60);
    assert.ok(r.hv_ratio_mean > 0.5 && r.hv_ratio_mean <= 1.0001, String(r.hv_ratio_mean));
    assert.ok(r.llm_calls! > 0 && r.tokens! > r.llm_calls!);
  }
  const kb = srv.requests.filter((r) => r.stage === 'kb-update').length;
  const evolve = srv.requests.filter((r) => r.stage === 'evolve').length;
  assert.equal(rows[0]!.llm_calls! + rows[1]!.llm_calls!, kb + evolve);
  // the ablation made only stage-2 calls: all stage-1 calls belong to the full method (2 seeds × 2 gens × 6 niches)
  assert.equal(kb, 24);
  assert.ok(rows[1]!.llm_calls! < rows[0]!.llm_calls!);
});
