// The LLM operator's prompts (issue 12): golden files of the rendered stage-1 and stage-2 prompts for NB201,
// FBNet and AutoFormer-T (a change to a prompt is a reviewed diff: UPDATE_GOLDEN=1 rewrites them), what each
// section must carry (niche memory with archive marks and dominating cells, the cells taken this generation,
// last generation's unevaluated proposals with reasons, unseen cells, feasible requests, units, fill-ins), the
// caps, and every real reply of the two frontier-model transcripts parsed by the operator's own readers.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fbnetSpace } from '../../src/core/fbnet/space';
import { MemoryKnowledge, parseKnowledgeBase } from '../../src/core/knowledge';
import { LlmClient } from '../../src/core/llm/client';
import { DEFAULT_SETTINGS } from '../../src/core/llm/settings';
import { MAX_REPLY_CHARS } from '../../src/core/llm/transport';
import { LlmTestServer } from '../support/llm-server';
import { candidateItems, LIST_UNSEEN, MAX_RATIONALE_CHARS, parseKbReply } from '../../src/core/llm/operator';
import { nb201Partition } from '../../src/core/nb201/partition';
import { nb201Space } from '../../src/core/nb201/space';
import type { Member } from '../../src/core/operator';
import { quantilePartition } from '../../src/core/partition';
import { Rng } from '../../src/core/rng';
import type { SearchSpace } from '../../src/core/space';
import { vitPartition, vitSpace } from '../../src/core/vit/space';
import { harness, syntheticHistory } from '../support/llm-prompt-harness';

const FIX = path.join(__dirname, '..', 'fixtures');
const KB_REPLY = JSON.stringify({
  positive: [{ rule: 'Keep the archive cells’ structure.', evidence: 'the memory table' }],
  negative: [{ rule: 'Avoid dead edges.', evidence: 'measured cost' }],
});

function golden(name: string, text: string): void {
  const f = path.join(FIX, 'prompts', name);
  if (process.env.UPDATE_GOLDEN) {
    fs.mkdirSync(path.dirname(f), { recursive: true });
    fs.writeFileSync(f, text);
  }
  assert.ok(fs.existsSync(f), `${f} missing: run with UPDATE_GOLDEN=1 and review the diff`);
  assert.equal(text, fs.readFileSync(f, 'utf8'), `${name} changed: review, then UPDATE_GOLDEN=1`);
}

async function render<A>(
  space: SearchSpace<A>,
  niche: Parameters<typeof syntheticHistory<A>>[1],
  objectives: string[],
): Promise<{ kb: string; evolve: string }> {
  const history = syntheticHistory(space, niche, objectives.slice(1));
  const h = harness(space, niche, history, objectives, (req) =>
    req.stage === 'kb-update' ? KB_REPLY : JSON.stringify({ candidates: [] }),
  );
  await h.op.propose(h.request());
  const kb = h.transport.requests.find((r) => r.key.includes('kb-update'))!.user;
  const evolve = h.transport.requests.find((r) => r.key.includes('evolve'))!.user;
  return { kb, evolve };
}

test('golden prompts: NB201, FBNet and AutoFormer-T, stage 1 and stage 2', async () => {
  const nb = await render(nb201Space, nb201Partition().niches[4]!, ['predicted accuracy', 'raspi4_latency']);
  golden('nb201-kb-update.md', nb.kb);
  golden('nb201-evolve.md', nb.evolve);
  const fb = fbnetSpace('cifar100');
  const rng = new Rng('golden-fbnet-reference');
  const fbPart = quantilePartition(
    fb,
    'flops_m',
    4,
    Array.from({ length: 400 }, () => fb.sample(rng)),
  );
  const f = await render(fb, fbPart.niches[1]!, ['predicted accuracy', 'pixel3_latency']);
  golden('fbnet-kb-update.md', f.kb);
  golden('fbnet-evolve.md', f.evolve);
  const vt = vitSpace('T');
  const v = await render(vt, vitPartition(vt).niches[4]!, ['predicted accuracy', 'cpu_latency']);
  golden('autoformer-t-kb-update.md', v.kb);
  golden('autoformer-t-evolve.md', v.evolve);
  for (const p of [nb, f, v]) {
    // one generation number per round, in both stages
    const g = /generation (\d+), stage 1 of 2/.exec(p.kb)![1];
    assert.match(p.evolve, new RegExp(`generation ${g}, stage 2 of 2`));
  }
});

test('the memory table: every cell of the niche, newest first, archive and dominating cell, who made it, units', async () => {
  const niche = nb201Partition().niches[2]!;
  const history = syntheticHistory(nb201Space, niche, ['edgegpu_latency'], 4, 5, 2);
  const h = harness(nb201Space, niche, history, ['predicted accuracy', 'edgegpu_latency'], (req) =>
    req.stage === 'kb-update' ? KB_REPLY : '{"candidates": []}',
  );
  await h.op.propose(h.request());
  const [kb, evolve] = [h.transport.requests[0]!.user, h.transport.requests[1]!.user];
  for (const prompt of [kb, evolve]) {
    assert.match(
      prompt,
      /^id \| gen \| in archive \(no: dominated by\) \| acc \| edgegpu_latency \(ms\) \| by \| arch$/m,
    );
    const rows = prompt.split('\n').filter((l) => /^nb201-\d+ \| g\d /.test(l));
    assert.equal(rows.length, history.length, 'stage 1 and stage 2 see the whole history, gen 0 included');
    const gens = rows.map((r) => Number(/ \| g(\d+) \| /.exec(r)![1]));
    assert.deepEqual(
      gens,
      [...gens].sort((a, b) => b - a),
      'newest first',
    );
    // archive marks and dominating cells are right (hand check over the synthetic scores)
    const byId = new Map(history.map((m) => [m.id, m]));
    const dominatesM = (a: Member<unknown>, b: Member<unknown>): boolean =>
      a.evaluation.predictedAccuracy >= b.evaluation.predictedAccuracy &&
      a.evaluation.hw['edgegpu_latency']! <= b.evaluation.hw['edgegpu_latency']! &&
      (a.evaluation.predictedAccuracy > b.evaluation.predictedAccuracy ||
        a.evaluation.hw['edgegpu_latency']! < b.evaluation.hw['edgegpu_latency']!);
    for (const r of rows) {
      const [id, , mark] = r.split(' | ');
      const m = byId.get(id!)! as Member<unknown>;
      const dominated = history.some((o) => dominatesM(o as Member<unknown>, m));
      assert.equal(mark === 'yes', !dominated, r);
      if (mark !== 'yes') {
        const by = /^no: (\S+)$/.exec(mark!)![1]!;
        assert.ok(dominatesM(byId.get(by)! as Member<unknown>, m), r);
      }
    }
    // fill-ins are marked, never as the model's own
    assert.equal(rows.filter((r) => / \| fill-in \| /.test(r)).length, 2);
    assert.equal(rows.filter((r) => / \| initial \| /.test(r)).length, 5);
    assert.match(prompt, /edgegpu_latency in ms; lower is better/);
    assert.match(prompt, /mean rank percentile \(0\.\.1\).*comparable across niches/);
    assert.match(prompt, /per-cell measurement, not a sum of per-op costs/);
    assert.match(prompt, /Ops on dead edges are executed and charged/);
  }
  // stage 1 gives last generation in detail: fill-ins without their surrogate rationale
  assert.match(kb, /## Generation 3 in detail/);
  assert.match(
    kb,
    /built-in fill-in \(not your proposal; its rationale and surrogate estimates are not evidence\)/,
  );
  assert.doesNotMatch(kb, /surrogate: acc≈/);
  assert.match(evolve, /the first 4 valid ones are evaluated/);
  assert.match(evolve, /Return 6 candidates/);
});

test('the token budget drops the oldest non-archive rows first and always keeps the archive', async () => {
  const niche = nb201Partition().niches[2]!;
  const history = syntheticHistory(nb201Space, niche, ['edgegpu_latency'], 6, 8, 0);
  const h = harness(
    nb201Space,
    niche,
    history,
    ['predicted accuracy', 'edgegpu_latency'],
    (req) => (req.stage === 'kb-update' ? KB_REPLY : '{"candidates": []}'),
    { memoryTokens: 300 },
  );
  const req = h.request();
  await h.op.propose(req);
  const evolve = h.transport.requests[1]!.user;
  const rows = evolve.split('\n').filter((l) => /^nb201-\d+ \| g\d /.test(l));
  for (const p of req.parents)
    assert.ok(
      rows.some((r) => r.startsWith(`${p.id} | `) && / \| yes \| /.test(r)),
      p.id,
    );
  const hidden = Number(/\((\d+) older architectures outside the archive not shown/.exec(evolve)![1]);
  assert.equal(rows.length + hidden, history.length);
  assert.ok(hidden > 10);
  const shownOthers = rows
    .filter((r) => !/ \| yes \| /.test(r))
    .map((r) => Number(/ \| g(\d+) \| /.exec(r)![1]));
  const hiddenGens = history
    .filter((m) => !rows.some((r) => r.startsWith(`${m.id} | `)))
    .map((m) => m.generation);
  assert.ok(Math.min(...shownOthers) >= Math.max(...hiddenGens), 'newer rows kept before older ones');
});

test('the do-not-repeat set: cells taken by an earlier answer of the same generation are listed on the re-ask', async () => {
  const niche = nb201Partition().niches[3]!;
  const history = syntheticHistory(nb201Space, niche, ['edgegpu_latency']);
  const seen = new Set(history.map((m) => nb201Space.canonicalKey(m.arch)));
  const rng = new Rng('fresh');
  let fresh = '';
  for (let t = 0; t < 1000 && !fresh; t++) {
    const a = nb201Space.sample(rng);
    if (niche.contains(a) && !seen.has(nb201Space.canonicalKey(a))) fresh = nb201Space.format(a);
  }
  const h = harness(
    nb201Space,
    niche,
    history,
    ['predicted accuracy', 'edgegpu_latency'],
    (req) =>
      req.stage === 'kb-update'
        ? KB_REPLY
        : JSON.stringify({ candidates: [{ arch: fresh, parents: [], rationale: 'a new cell' }] }),
    {},
    seen,
  );
  const out = await h.op.propose(h.request());
  assert.equal(out[0]!.spec, fresh);
  seen.add(nb201Space.canonicalKey(nb201Space.parse(fresh))); // the loop accepted it
  await h.op.propose(h.request({ count: 3 }));
  const reask = h.transport.requests[2]!.user;
  assert.match(reask, /## Taken earlier in this generation \(being evaluated; do not repeat\)/);
  assert.ok(reask.includes(`- ${fresh}`));
});

test('a small niche states how many unseen cells remain and lists them; the request never asks for more', async () => {
  const niche = nb201Partition().niches[0]!; // 127 classes without convolutions
  const history = syntheticHistory(nb201Space, niche, ['edgegpu_latency'], 2, 4, 0);
  // every class but 5 has been seen somewhere in the run
  const classes = new Map<string, readonly number[]>();
  for (const a of nb201Space.enumerate()) if (niche.contains(a)) classes.set(nb201Space.canonicalKey(a), a);
  const keys = [...classes.keys()];
  const seen = new Set(keys.slice(5));
  for (const m of history) seen.add(nb201Space.canonicalKey(m.arch));
  const unseen = keys.filter((k) => !seen.has(k));
  assert.ok(unseen.length <= 5 && unseen.length > 0);
  const h = harness(
    nb201Space,
    niche,
    history,
    ['predicted accuracy', 'edgegpu_latency'],
    (req) => (req.stage === 'kb-update' ? KB_REPLY : '{"candidates": []}'),
    {},
    seen,
  );
  await h.op.propose(h.request({ count: 8 }));
  const evolve = h.transport.requests[1]!.user;
  assert.match(
    evolve,
    new RegExp(
      `holds ${classes.size} distinct \\(non-isomorphic\\) architectures; ${history.length} evaluated here so far, ${unseen.length} never evaluated`,
    ),
  );
  const listed = /They are all of the remaining choices:\n((?:- .*\n?)+)/
    .exec(evolve)![1]!
    .trim()
    .split('\n');
  assert.equal(listed.length, unseen.length);
  assert.deepEqual(
    listed.map((l) => nb201Space.canonicalKey(nb201Space.parse(l.slice(2)))).sort(),
    [...unseen].sort(),
  );
  // representatives carry no ops on dead edges
  for (const l of listed) assert.deepEqual(nb201Space.deadOps(nb201Space.parse(l.slice(2))), []);
  assert.match(
    evolve,
    new RegExp(`Return ${unseen.length} candidates, all different: the first ${unseen.length} valid`),
  );
  assert.ok(unseen.length <= LIST_UNSEEN);
});

test('crossover that cannot reach the count falls back to mutation and says why; otherwise pairs are named', async () => {
  const niche = nb201Partition().niches[3]!;
  const base = nb201Space.parse(
    '|nor_conv_3x3~0|+|none~0|skip_connect~1|+|skip_connect~0|none~1|nor_conv_3x3~2|',
  );
  const twin = nb201Space.parse(
    '|nor_conv_3x3~0|+|none~0|avg_pool_3x3~1|+|skip_connect~0|none~1|nor_conv_3x3~2|',
  );
  const mk = (a: readonly number[], acc: number, lat: number, g: number): Member<readonly number[]> => ({
    id: nb201Space.fileId(a),
    arch: a,
    evaluation: { predictedAccuracy: acc, proxies: {}, hw: { edgegpu_latency: lat } },
    generation: g,
    operator: 'llm:mutation',
  });
  const history = [mk(base, 0.5, 2, 0), mk(twin, 0.6, 3, 1)];
  // crossover always drawn
  const h = harness(
    nb201Space,
    niche,
    history,
    ['predicted accuracy', 'edgegpu_latency'],
    (req) => (req.stage === 'kb-update' ? KB_REPLY : '{"candidates": []}'),
    { crossoverProbability: 1 },
  );
  await h.op.propose(h.request({ count: 3 }));
  const evolve = h.transport.requests[1]!.user;
  assert.match(evolve, /^# Task: propose architectures for niche N3 by mutation/);
  assert.match(
    evolve,
    /Crossover of these parents can produce only 0 novel cells in this niche \(fewer than the 3 needed\), so this request is a mutation/,
  );
  // diverse parents: crossover stays, and the prompt names the pairs with the most novel children
  const other = nb201Space.parse(
    '|nor_conv_3x3~0|+|avg_pool_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_1x1~1|nor_conv_3x3~2|',
  );
  const wide = [mk(base, 0.5, 2, 0), mk(other, 0.6, 3, 1)];
  const h2 = harness(
    nb201Space,
    niche,
    wide,
    ['predicted accuracy', 'edgegpu_latency'],
    (req) => (req.stage === 'kb-update' ? KB_REPLY : '{"candidates": []}'),
    { crossoverProbability: 1 },
  );
  const req2 = h2.request({ count: 2 });
  assert.ok(req2.parents.length >= 2);
  await h2.op.propose(req2);
  const ev2 = h2.transport.requests[1]!.user;
  assert.match(ev2, /^# Task: propose architectures for niche N3 by crossover/);
  const pairs =
    /Parent pairs with the most novel in-niche crossover children \(about (\d+) in all\): (.*)\./.exec(ev2)!;
  assert.ok(Number(pairs[1]) >= 2);
  for (const p of pairs[2]!.split(', ')) {
    const [a, , b] = p.split(' ');
    assert.ok(req2.parents.some((m) => m.id === a) && req2.parents.some((m) => m.id === b), p);
  }
});

test('caps: candidates read per reply, rationale length, knowledge base and prompt size, with messages', async () => {
  const niche = nb201Partition().niches[2]!;
  const history = syntheticHistory(nb201Space, niche, ['edgegpu_latency']);
  const problems: string[] = [];
  const many = Array.from({ length: 500 }, (_, i) => ({
    arch: nb201Space.format(history[0]!.arch),
    parents: [],
    rationale: (i < 16 ? 'x' : 'y').repeat(i < 16 ? 5000 : 20),
  }));
  const h = harness(nb201Space, niche, history, ['predicted accuracy', 'edgegpu_latency'], (req) =>
    req.stage === 'kb-update' ? KB_REPLY : JSON.stringify({ candidates: many }),
  );
  h.op.attach({ onProblem: (_n, _g, _s, m) => problems.push(m) });
  // a 2 MB knowledge base in force
  const huge = Array.from({ length: 7000 }, (_, i) => `- Rule ${i}: ${'r'.repeat(280)}`).join('\n');
  h.op.attach({
    knowledge: new MemoryKnowledge(
      parseKnowledgeBase(`# KB\n\n## Global\n\n### Positive\n${huge}\n### Negative\n`),
    ),
  });
  const out = await h.op.propose(h.request({ count: 4 }));
  assert.equal(out.length, 16, 'at most max(2 × asked, 16) candidates read');
  assert.ok(
    problems.some((p) =>
      /the reply had 500 candidates; only the first 16 were read \(6 were asked for\)/.test(p),
    ),
  );
  assert.ok(out.every((c) => c.rationale.length === MAX_RATIONALE_CHARS));
  assert.ok(out.every((c) => c.rationale.endsWith('…')));
  assert.ok(problems.some((p) => /16 rationales were longer than 400 characters and cut/.test(p)));
  for (const r of h.transport.requests)
    assert.ok(r.user.length <= 6000 * 4, `${r.key}: ${r.user.length} chars`);
  assert.ok(problems.some((p) => /prompt cap: the evolve prompt of N2 would exceed 6000 tokens/.test(p)));
  assert.ok(problems.some((p) => /prompt cap: the kb-update prompt of N2/.test(p)));
});

test('reply size cap: a 300,000-character reply is cut at MAX_REPLY_CHARS in llm.jsonl and the cut is reported', async (t) => {
  const cands = Array.from({ length: 3000 }, () => ({
    arch: '|nor_conv_3x3~0|+|none~0|skip_connect~1|+|skip_connect~0|none~1|none~2|',
    parents: [],
    rationale: 'z'.repeat(20),
  }));
  const big = JSON.stringify({ candidates: cands });
  assert.ok(big.length > 300_000);
  const srv = await LlmTestServer.start({ script: () => ({ kind: 'content', content: big }) });
  t.after(() => srv.close());
  const client = new LlmClient({ ...DEFAULT_SETTINGS, baseURL: srv.url, model: 'big', maxRetries: 0 });
  const r = await client.chat({
    key: 'N0/g1/evolve/0',
    niche: 0,
    generation: 1,
    stage: 'evolve',
    attempt: 0,
    messages: [{ role: 'user', content: 'x' }],
    signal: new AbortController().signal,
  });
  assert.equal(r.content!.length, MAX_REPLY_CHARS);
  assert.equal(r.record.reply!.cut, big.length);
  // what can be read of it still is: complete candidates before the cut
  const { items } = candidateItems(r.content!);
  assert.equal(items.length, 64);
});

test('the real replies of both frontier-model transcripts parse with the operator’s readers', () => {
  let evolve = 0;
  let kb = 0;
  let rules = 0;
  for (const seed of ['seed0', 'seed1']) {
    const dir = path.join(FIX, 'llm-transcripts', seed);
    for (const f of fs.readdirSync(dir).filter((x) => x.endsWith('-reply.txt'))) {
      const text = fs.readFileSync(path.join(dir, f), 'utf8');
      const raw = JSON.parse(text) as Record<string, unknown>;
      if (Array.isArray(raw['candidates'])) {
        evolve++;
        const { items, error } = candidateItems(text);
        assert.equal(error, undefined, f);
        assert.equal(items.length, (raw['candidates'] as unknown[]).length, f);
        for (const it of items) {
          const o = it as { arch: string; rationale: string };
          assert.doesNotThrow(() => nb201Space.parse(o.arch), `${f}: ${o.arch}`);
          assert.ok(o.rationale.length <= MAX_RATIONALE_CHARS, `${f}: rationale ${o.rationale.length}`);
        }
      } else {
        kb++;
        const r = parseKbReply(text, 50);
        assert.ok(!('error' in r), f);
        if ('error' in r) continue;
        assert.deepEqual(r.dropped, [], `${f}: a real rule hit a cap`);
        assert.equal(
          r.positive.length + r.negative.length,
          (raw['positive'] as unknown[]).length + (raw['negative'] as unknown[]).length,
        );
        rules += r.positive.length + r.negative.length;
      }
    }
  }
  assert.equal(evolve + kb, 101);
  assert.ok(evolve >= 50 && kb >= 45 && rules > 500, `${evolve} evolve, ${kb} kb, ${rules} rules`);
  assert.ok(MAX_REPLY_CHARS >= 100_000);
});
