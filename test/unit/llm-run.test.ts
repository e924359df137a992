// Whole LLM-operator runs against the loopback server through the real `openai` client: the two stages and the
// knowledge base per generation, cost accounting, user edits at generation boundaries, replay to an identical
// folder, cancellation that aborts the HTTP request and resumes, the hard budget, concurrency, and the ablation.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test, type TestContext } from 'node:test';
import { parseKnowledgeBase } from '../../src/core/knowledge';
import { costOf } from '../../src/core/llm/spend';
import { readLlmLog, summarize } from '../../src/core/llm/index';
import { SearchRun, type RunNotice } from '../../src/core/run';
import { hashString } from '../../src/core/rng';
import { LlmTestServer, type ServerOptions } from '../support/llm-server';
import { llmConfig, readTree, tmpDir } from '../support/llm-run';

/** A loopback server closed when the test ends, pass or fail. */
async function serve(t: TestContext, opts: ServerOptions = {}): Promise<LlmTestServer> {
  const srv = await LlmTestServer.start(opts);
  t.after(() => srv.close());
  return srv;
}

const events = (dir: string): Record<string, unknown>[] =>
  fs
    .readFileSync(path.join(dir, 'events.jsonl'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);

test('a run: stage 1 then stage 2 per niche and generation, KB versions, llm.jsonl with costs, no key anywhere', async (t) => {
  process.env.LLM_NAS_TEST_KEY = 'sk-live-secret-0815';
  const srv = await serve(t);
  const dir = path.join(tmpDir(), 'run');
  try {
    const run = SearchRun.start(dir, llmConfig(srv.url));
    await run.done;
    assert.equal(run.status, 'completed');
  } finally {
    delete process.env.LLM_NAS_TEST_KEY;
    await srv.close();
  }
  const recs = readLlmLog(path.join(dir, 'llm.jsonl'));
  assert.equal(recs.length, srv.requests.length);
  // every niche, generations 1 and 2: one knowledge-base update before its first evolve call
  for (let n = 0; n < 6; n++)
    for (const g of [1, 2]) {
      const mine = srv.requests.filter((r) => r.niche === n && r.generation === g);
      assert.equal(mine[0]!.stage, 'kb-update', `N${n} g${g}`);
      assert.equal(mine.filter((r) => r.stage === 'kb-update').length, 1);
      assert.ok(mine.filter((r) => r.stage === 'evolve').length >= 1);
    }
  // structured outputs were requested with the schema
  assert.equal(srv.requests[0]!.body.response_format?.type, 'json_schema');
  // the stage-1 revision of generation 1 is the knowledge base the generation-2 prompts show
  const g1 = parseKnowledgeBase(fs.readFileSync(path.join(dir, 'kb', 'gen-01.md'), 'utf8'));
  const rule = g1.niches.get(3)!.positive[0]!.text;
  assert.match(rule, /^Cells like .* reach the archive\.$/);
  assert.ok(srv.requests.some((r) => r.niche === 3 && r.generation === 2 && r.prompt.includes(rule)));
  assert.deepEqual(fs.readdirSync(path.join(dir, 'kb')).sort(), [
    'gen-00.md',
    'gen-01.md',
    'gen-02.md',
    'initial.md',
  ]);
  // candidates carry the LLM's rationale and parents
  const spec = fs
    .readdirSync(path.join(dir, 'archs'))
    .map((f) => JSON.parse(fs.readFileSync(path.join(dir, 'archs', f), 'utf8')) as Record<string, unknown>)
    .find((s) => String(s.operator).startsWith('llm:'))!;
  assert.match(String(spec.rationale), /following the positive rules/);
  assert.ok((spec.parents as string[]).length >= 1);
  // cost per call = tokens × price per 1k; per niche and run add up
  for (const r of recs) {
    assert.equal(r.cost, costOf(r.usage, { priceIn: 0.15, priceOut: 0.6 }));
    assert.equal(r.system_fingerprint, 'fp_loopback');
    assert.ok(r.request.messages[1]!.content.length > 200);
    assert.ok(r.reply!.content!.startsWith('{'));
  }
  const s = summarize(recs);
  const total = recs.reduce((a, r) => a + r.cost, 0);
  assert.ok(Math.abs(s.run.cost - total) < 1e-9 && s.run.cost > 0);
  assert.equal(
    [...s.niches.values()].reduce((a, n) => a + n.tokens, 0),
    recs.reduce((a, r) => a + r.usage.total_tokens, 0),
  );
  for (const [f, text] of readTree(dir)) assert.doesNotMatch(text, /sk-live-secret/, f);
});

test('replay re-runs from llm.jsonl without any endpoint into an identical folder (apart from timestamps)', async (t) => {
  // shuffled answer times, so concurrent calls complete in a non-trivial order
  const srv = await serve(t, { delayFor: (r) => hashString(r.prompt) % 40 });
  const live = path.join(tmpDir(), 'live');
  const notices: RunNotice[] = [];
  const run = SearchRun.start(live, llmConfig(srv.url, { generations: 4, budget: 120 }), {
    onEvent: (e) => {
      // a user edit at the generation-2 boundary is replayed too
      if (e.type === 'generation/planned' && e.generation === 2) {
        const f = path.join(live, 'knowledge-base.md');
        fs.writeFileSync(f, fs.readFileSync(f, 'utf8').replace('## Global\n', '## Global\n\nUser note.\n'));
      }
    },
    onNotice: (n) => notices.push(n),
  });
  await run.done;
  await srv.close(); // nothing is listening any more
  assert.ok(notices.some((n) => n.type === 'kb/edited'));
  const copy = path.join(tmpDir(), 'replay');
  const rep = SearchRun.replay(live, copy);
  await rep.done;
  assert.equal(rep.status, 'completed');
  const strip = (name: string, text: string): string => {
    const clean = (o: Record<string, unknown>): Record<string, unknown> => {
      const { t: _t, evaluatedAt: _e, wallMs: _w, ...rest } = o;
      return rest;
    };
    if (name.endsWith('.jsonl') && name !== 'llm.jsonl')
      return text
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.stringify(clean(JSON.parse(l) as Record<string, unknown>)))
        .join('\n');
    if (name.endsWith('.json')) return JSON.stringify(clean(JSON.parse(text) as Record<string, unknown>));
    return text;
  };
  const a = readTree(live);
  const b = readTree(copy);
  assert.deepEqual([...b.keys()], [...a.keys()]);
  assert.ok(a.size > 100);
  for (const [name, text] of a) assert.equal(strip(name, b.get(name)!), strip(name, text), name);
  assert.equal(b.get('llm.jsonl'), a.get('llm.jsonl'));
});

test('cancellation mid-call aborts the HTTP request and leaves a folder that resumes to completion', async (t) => {
  const srv = await serve(t, { script: (r) => (r.stage === 'evolve' ? { kind: 'hang' } : undefined) });
  const dir = path.join(tmpDir(), 'run');
  const run = SearchRun.start(dir, llmConfig(srv.url, { generations: 3, budget: 90 }));
  let stopping = false;
  srv.onRequest = (r) => {
    if (r.stage === 'evolve' && !stopping) {
      stopping = true;
      // stop while the request hangs on the server
      setTimeout(() => run.stop(), 50);
    }
  };
  await run.done;
  assert.equal(run.status, 'stopped');
  for (let t = 0; t < 100 && srv.inflight > 0; t++) await new Promise((r) => setTimeout(r, 10));
  assert.equal(srv.inflight, 0, 'every hanging request was closed by the client');
  assert.ok(srv.aborted >= 1);
  assert.equal(events(dir).at(-1)!.type, 'run/stopped');
  assert.match(String(events(dir).at(-1)!.reason), /stopped by user/);
  // the folder resumes (same endpoint, now answering) and completes the planned budget
  srv.script = undefined;
  const again = SearchRun.resume(dir);
  await again.done;
  await srv.close();
  assert.equal(again.status, 'completed');
  assert.equal(fs.readdirSync(path.join(dir, 'archs')).length, 90);
});

test('hard budget: at the cap no new call starts, running ones finish, the run stops cleanly and resumes', async (t) => {
  const srv = await serve(t, { delayMs: 100 });
  const dir = path.join(tmpDir(), 'run');
  const notices: RunNotice[] = [];
  const run = SearchRun.start(dir, llmConfig(srv.url, { generations: 3, budget: 90 }, { maxTokens: 1000 }), {
    onNotice: (n) => notices.push(n),
  });
  const result = await run.done;
  assert.equal(result, undefined);
  assert.equal(run.status, 'stopped');
  assert.match(
    run.stopReason!,
    /^LLM budget reached: \d+ tokens of --max-tokens 1000 after \d+ calls \(cost [\d.]+\)/,
  );
  assert.match(run.stopReason!, /no new LLM call was started/);
  assert.ok(notices.some((n) => n.type === 'llm/budget'));
  // the six stage-1 calls started together under the cap and all finished; nothing started after
  const recs = readLlmLog(path.join(dir, 'llm.jsonl'));
  assert.deepEqual(
    recs.map((r) => [r.stage, r.error]),
    Array.from({ length: 6 }, () => ['kb-update', undefined]),
  );
  assert.equal(srv.requests.length, 6);
  assert.ok(recs.reduce((n, r) => n + r.usage.total_tokens, 0) >= 1000);
  const ev = events(dir);
  assert.equal(ev.at(-1)!.type, 'run/stopped');
  // raise the budget and resume: the earlier spend still counts, the run completes
  const cfgFile = path.join(dir, 'config.json');
  const cfg = JSON.parse(fs.readFileSync(cfgFile, 'utf8')) as { operatorOptions: Record<string, unknown> };
  cfg.operatorOptions.maxTokens = 10_000_000;
  fs.writeFileSync(cfgFile, JSON.stringify(cfg));
  const again = SearchRun.resume(dir);
  await again.done;
  await srv.close();
  assert.equal(again.status, 'completed');
  assert.equal(fs.readdirSync(path.join(dir, 'archs')).length, 90);
});

test('user edits at generation boundaries: a valid one reaches the prompts, an invalid one is rejected by line', async (t) => {
  const srv = await serve(t);
  const dir = path.join(tmpDir(), 'run');
  const kbFile = path.join(dir, 'knowledge-base.md');
  const notices: RunNotice[] = [];
  let broken = '';
  const run = SearchRun.start(dir, llmConfig(srv.url, { generations: 3, budget: 90 }), {
    onNotice: (n) => notices.push(n),
    onEvent: (e) => {
      if (e.type !== 'generation/planned') return;
      const text = fs.readFileSync(kbFile, 'utf8');
      if (e.generation === 1)
        fs.writeFileSync(
          kbFile,
          text.replace('## Global\n\n### Positive\n', '## Global\n\n### Positive\n- USER RULE ALPHA\n'),
        );
      if (e.generation === 2) {
        broken = text.replace('## N4', 'stray text\n## N4');
        fs.writeFileSync(kbFile, broken);
      }
    },
  });
  await run.done;
  await srv.close();
  assert.equal(run.status, 'completed');
  const g1 = srv.requests.filter((r) => r.generation === 1);
  const g2 = srv.requests.filter((r) => r.generation === 2);
  assert.ok(g1.length > 0 && g1.every((r) => r.prompt.includes('- USER RULE ALPHA')));
  // the rejected edit: named by its line; the previous version (with the user's rule) stays in force
  const rej = notices.find((n) => n.type === 'kb/rejected');
  const line = broken.split('\n').indexOf('stray text') + 1;
  assert.ok(rej && rej.type === 'kb/rejected' && rej.line === line, JSON.stringify(rej));
  assert.match(rej.message, new RegExp(`knowledge-base\\.md line ${line}: expected a rule`));
  assert.ok(
    g2.length > 0 &&
      g2.every((r) => r.prompt.includes('- USER RULE ALPHA') && !r.prompt.includes('stray text')),
  );
  assert.equal(fs.readFileSync(path.join(dir, 'kb', 'rejected-gen-02.md'), 'utf8'), broken);
  assert.ok(fs.existsSync(path.join(dir, 'kb', 'user-gen-01.md')));
  parseKnowledgeBase(fs.readFileSync(kbFile, 'utf8')); // the file is valid again
  assert.ok(events(dir).some((e) => e.type === 'kb/rejected'));
});

test('concurrency: six niches call in parallel up to --max-inflight; the cap holds', async (t) => {
  for (const cap of [6, 2]) {
    const srv = await serve(t, { delayMs: 150 });
    const dir = path.join(tmpDir(), 'run');
    const run = SearchRun.start(
      dir,
      llmConfig(srv.url, { generations: 2, budget: 48 }, { maxInflight: cap }),
    );
    await run.done;
    await srv.close();
    // the server saw exactly `cap` requests at once: niches overlap up to the cap and never beyond
    // (wall time is measured by scripts/bench-llm-concurrency.ts, not asserted here)
    assert.equal(srv.maxInflight, cap);
  }
});

test('the "without knowledge-base update" ablation makes no stage-1 calls and keeps the seed', async (t) => {
  const srv = await serve(t);
  const dir = path.join(tmpDir(), 'run');
  const run = SearchRun.start(dir, llmConfig(srv.url, { generations: 3, budget: 60 }, { kbUpdate: false }));
  await run.done;
  await srv.close();
  assert.equal(run.status, 'completed');
  assert.ok(srv.requests.length >= 12);
  assert.ok(srv.requests.every((r) => r.stage === 'evolve'));
  assert.equal(
    fs.readFileSync(path.join(dir, 'knowledge-base.md'), 'utf8'),
    fs.readFileSync(path.join(dir, 'kb', 'initial.md'), 'utf8'),
  );
});

test('a replay whose recording lacks a call stops with "replay diverged"', async (t) => {
  const srv = await serve(t);
  const live = path.join(tmpDir(), 'live');
  await SearchRun.start(live, llmConfig(srv.url, { generations: 2, budget: 36 })).done;
  const log = path.join(live, 'llm.jsonl');
  fs.writeFileSync(log, fs.readFileSync(log, 'utf8').split('\n').slice(0, 3).join('\n') + '\n');
  const rep = SearchRun.replay(live, path.join(tmpDir(), 'replay'));
  await assert.rejects(
    rep.done,
    /replay diverged: the run asked for N\d\/g1\/\S+, which the recording does not have/,
  );
  assert.equal(rep.status, 'failed');
});
