// The seed knowledge base fitted to the run's niches (issue 12, item 8): `--no-partition` and `--niches K` ran
// into "seed knowledge base:33: this run has niches N0–N0; there is no N1". Each combination of partition and
// operator runs to the end here, with the shipped NB201 seed; sections that do not fit are mapped or dropped
// with a note in events.jsonl, and the LLM's prompts show only what fits.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { parseKnowledgeBase } from '../../src/core/knowledge';
import { readLlmLog } from '../../src/core/llm/index';
import { defaultKnowledgeBase } from '../../src/core/llm/prompts';
import { fitSeedKnowledgeBase } from '../../src/core/llm/seed';
import { nb201Partition } from '../../src/core/nb201/partition';
import { singleNiche } from '../../src/core/partition';
import { SearchRun, type RunNotice } from '../../src/core/run';
import type { RunConfig } from '../../src/core/runstore';
import { nb201TestConfig } from '../support/config';
import { LlmTestServer, type ModelWorld } from '../support/llm-server';
import { tmpDir } from '../support/llm-run';
import { fbnetWorld } from '../support/llm-worlds';

const seed = defaultKnowledgeBase('nb201')!;

test('fitting: the paper partition keeps the seed as it is; one niche keeps only Global; K niches map by title, then position', () => {
  const same = fitSeedKnowledgeBase(seed, nb201Partition());
  assert.equal(same.text, seed);
  assert.deepEqual(same.notes, []);
  const one = fitSeedKnowledgeBase(seed, singleNiche());
  assert.equal(one.kb.niches.size, 0);
  assert.equal(one.notes.length, 6);
  assert.match(one.notes[0]!, /section N0 \(no convolution.*\) dropped: this run has one niche/);
  assert.ok(one.kb.global.positive.length > 0);
  assert.doesNotThrow(() => parseKnowledgeBase(one.text, { niches: 1 }));
  // a partition whose niche 0 is the seed's N4 by its constraint: mapped there, the rest by position or dropped
  const p = {
    kind: 'test',
    niches: [
      { ...singleNiche().niches[0]!, id: 0, constraint: 'exactly three nor_conv_3x3' },
      { ...singleNiche().niches[0]!, id: 1, constraint: 'anything else' },
    ],
  };
  const two = fitSeedKnowledgeBase(seed, p);
  assert.equal(two.kb.niches.get(0)!.title, 'exactly three nor_conv_3x3');
  assert.match(two.kb.niches.get(1)!.title, /^no nor_conv_3x3 and at least one/);
  assert.ok(two.notes.some((n) => /N4 \(exactly three nor_conv_3x3\) mapped to N0/.test(n)));
  assert.ok(
    two.notes.some((n) => /N1 \(no nor_conv_3x3.*\) kept as N1 \(anything else\) by position/.test(n)),
  );
  assert.ok(two.notes.some((n) => /N0 \(no convolution.*\) dropped/.test(n)));
  assert.equal(two.notes.filter((n) => /dropped/.test(n)).length, 4);
});

interface Combo {
  name: string;
  config: RunConfig;
  niches: number;
  notes: number;
  world?: ModelWorld;
}

const fbnet = (over: Partial<RunConfig>): RunConfig =>
  nb201TestConfig({
    space: 'fbnet',
    dataset: 'cifar100',
    devices: ['pixel3'],
    costMetrics: ['pixel3_latency'],
    predictor: 'params',
    ...over,
  });

const combos: Combo[] = [
  { name: 'nb201, paper niches', config: nb201TestConfig({ partition: true }), niches: 6, notes: 0 },
  // --partition live: same six niches, other constraints; N2–N5 match the seed's titles, N0 and N1 by position
  {
    name: 'nb201 --partition live',
    config: nb201TestConfig({ partition: true, spaceOptions: { partition: 'live' } }),
    niches: 6,
    notes: 2,
  },
  { name: 'nb201 --no-partition', config: nb201TestConfig({ partition: false }), niches: 1, notes: 6 },
  {
    name: 'fbnet --niches 2 (NB201 seed)',
    config: fbnet({ partition: true, spaceOptions: { niches: 2 } }),
    niches: 2,
    notes: 6,
    world: fbnetWorld(),
  },
  {
    name: 'fbnet --no-partition (NB201 seed)',
    config: fbnet({ partition: false }),
    niches: 1,
    notes: 6,
    world: fbnetWorld(),
  },
];

for (const c of combos)
  for (const operator of ['builtin', 'llm'] as const)
    test(`${c.name}, ${operator} operator: runs to the end with the seed fitted`, async (t) => {
      const srv = await LlmTestServer.start(c.world ? { world: c.world } : {});
      t.after(() => srv.close());
      const dir = path.join(tmpDir(), 'run');
      const notices: RunNotice[] = [];
      const config: RunConfig = {
        ...c.config,
        id: 'fit',
        operator,
        generations: 3,
        budget: c.niches === 6 ? 36 : 12,
        ...(operator === 'llm'
          ? { operatorOptions: { baseURL: srv.url, model: 'loop', maxRetries: 0, timeoutMs: 20_000 } }
          : {}),
      };
      const run = SearchRun.start(dir, config, { seedKnowledge: seed, onNotice: (n) => notices.push(n) });
      await run.done;
      assert.equal(run.status, 'completed');
      const kbNotes = notices.filter((n) => n.type === 'kb/seed');
      assert.equal(kbNotes.length, c.notes);
      const logged = fs
        .readFileSync(path.join(dir, 'events.jsonl'), 'utf8')
        .split('\n')
        .filter((l) => l.includes('"kb/seed"'));
      assert.equal(logged.length, c.notes);
      const kb = parseKnowledgeBase(fs.readFileSync(path.join(dir, 'knowledge-base.md'), 'utf8'), {
        niches: c.niches,
      });
      assert.ok(kb.global.positive.length >= 3, 'the Global rules stay');
      if (operator === 'llm') {
        const recs = readLlmLog(path.join(dir, 'llm.jsonl'));
        assert.ok(recs.length >= c.niches, `${recs.length} calls`);
        assert.equal(srv.requests.length, recs.length);
        if (c.niches === 1)
          for (const r of recs) assert.doesNotMatch(r.request.messages[1]!.content, /## N0 — no convolution/);
        const events = fs.readFileSync(path.join(dir, 'events.jsonl'), 'utf8');
        const llmMade = (events.match(/"operator":"llm:/g) ?? []).length;
        assert.ok(llmMade > 0, 'the LLM proposed evaluated candidates');
      }
    });
