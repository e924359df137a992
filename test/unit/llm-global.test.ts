// A revisable Global section (issue 12, item 5): stage 1 may propose Global edits with evidence; at most one
// niche's are applied per generation (the lowest-numbered niche with valid edits), at the next boundary,
// versioned in kb/gen-NN.md and logged as kb/global; an invalid proposal is rejected with a message and the
// Global rules in force stay; a user's edit made during the generation wins. Runs against the loopback server.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test, type TestContext } from 'node:test';
import {
  applyGlobalEdits,
  formatKnowledgeBase,
  KnowledgeFile,
  MAX_GLOBAL_EDITS,
  MemoryKnowledge,
  parseKnowledgeBase,
  type GlobalEdit,
  type KbSection,
  type KnowledgeBase,
} from '../../src/core/knowledge';
import { parseGlobalEdits } from '../../src/core/llm/operator';
import { defaultKnowledgeBase } from '../../src/core/llm/prompts';
import { SearchRun, type RunNotice } from '../../src/core/run';
import { LlmTestServer, scriptedModel, type Script, type ServedRequest } from '../support/llm-server';
import { llmConfig, tmpDir } from '../support/llm-run';

const seed = parseKnowledgeBase(defaultKnowledgeBase('nb201')!);
const DEAD = seed.global.negative[1]!.text; // "Avoid operations on dead edges …"
const POOL = seed.global.negative[2]!.text; // "avg_pool_3x3 rarely helps accuracy …"

const e = (over: Partial<GlobalEdit> & Pick<GlobalEdit, 'action' | 'rule'>): GlobalEdit => ({
  list: 'negative',
  evidence: 'nb201-01234 (0.97, 6.2 ms) has a dead nor_conv_3x3 and entered the archive',
  ...over,
});

test('applyGlobalEdits: add, remove, reword; all or nothing, with the caps', () => {
  const g = seed.global;
  const ok = applyGlobalEdits(
    g,
    [
      e({
        action: 'reword',
        rule: DEAD.toUpperCase(),
        newRule: 'Dead ops cost latency on most devices, not all.',
      }),
      e({ action: 'remove', rule: `  ${POOL}  ` }),
      e({ action: 'add', list: 'positive', rule: 'Prefer   two 3x3 on the chain.' }),
    ],
    8,
  );
  assert.ok('section' in ok);
  const s = (ok as { section: KbSection }).section;
  assert.deepEqual(
    s.negative.map((r) => r.text),
    [g.negative[0]!.text, 'Dead ops cost latency on most devices, not all.'],
  );
  assert.equal(s.negative[1]!.evidence, e({ action: 'add', rule: '' }).evidence);
  assert.equal(s.positive.length, g.positive.length + 1);
  assert.equal(s.positive.at(-1)!.text, 'Prefer two 3x3 on the chain.');
  assert.equal(g.negative.length, 3, 'the input is not changed');
  const err = (edits: GlobalEdit[], max = 8): string => {
    const r = applyGlobalEdits(g, edits, max);
    assert.ok('error' in r, JSON.stringify(r));
    return (r as { error: string }).error;
  };
  assert.match(
    err([e({ action: 'remove', rule: 'No such rule.' })]),
    /global_edits\[0\] \(remove negative\): no Global negative rule reads "No such rule\."/,
  );
  assert.match(err([e({ action: 'add', rule: 'x'.repeat(301) })]), /rule longer than 300 characters/);
  assert.match(err([e({ action: 'add', rule: 'New.', evidence: ' ' })]), /needs its evidence/);
  assert.match(err([e({ action: 'add', rule: DEAD })]), /already have/);
  assert.match(err([e({ action: 'add', rule: 'New.' })], 3), /would have more than 3 rules/);
  assert.match(
    err(Array.from({ length: MAX_GLOBAL_EDITS + 1 }, (_, i) => e({ action: 'add', rule: `R${i}.` }))),
    /4 Global edits proposed; at most 3 per generation/,
  );
  // a good edit before a bad one: nothing applies
  assert.match(
    err([e({ action: 'remove', rule: POOL }), e({ action: 'remove', rule: POOL })]),
    /global_edits\[1\]/,
  );
});

test('parseGlobalEdits: absent is none; wrong shapes are named', () => {
  assert.deepEqual(parseGlobalEdits({}), { edits: [] });
  assert.deepEqual(parseGlobalEdits({ global_edits: [] }), { edits: [] });
  const r = parseGlobalEdits({
    global_edits: [
      { action: 'Reword', list: 'negative', rule: DEAD, new_rule: ' new  text ', evidence: 'ev' },
    ],
  });
  assert.deepEqual(r, {
    edits: [{ action: 'reword', list: 'negative', rule: DEAD, newRule: 'new text', evidence: 'ev' }],
  });
  assert.match((parseGlobalEdits({ global_edits: 'x' }) as { error: string }).error, /must be a list/);
  assert.match(
    (
      parseGlobalEdits({ global_edits: [{ action: 'delete', list: 'negative', rule: 'a' }] }) as {
        error: string;
      }
    ).error,
    /add, remove or reword/,
  );
  assert.match(
    (
      parseGlobalEdits({ global_edits: [{ action: 'reword', list: 'negative', rule: 'a' }] }) as {
        error: string;
      }
    ).error,
    /needs "new_rule"/,
  );
});

test('MemoryKnowledge (bench): one proposal per generation, the lowest niche, from the next generation on', () => {
  const kb = new MemoryKnowledge(seed);
  assert.equal(kb.inForce(1).global.negative.length, 3);
  kb.proposeGlobal(4, 1, [e({ action: 'add', rule: 'From N4.' })], 8);
  kb.proposeGlobal(2, 1, [e({ action: 'remove', rule: POOL })], 8);
  assert.equal(kb.inForce(1).global.negative.length, 3, 'not within the generation');
  const g2 = kb.inForce(2).global.negative.map((r) => r.text);
  assert.deepEqual(g2, [seed.global.negative[0]!.text, DEAD]);
  assert.match(kb.globalOutcome(2, 1)!, /^applied/);
  assert.match(kb.globalOutcome(4, 1)!, /^not applied: N2's Global edits were applied this generation/);
  assert.equal(kb.globalOutcome(3, 1), undefined);
  assert.equal(kb.inForce(3).global.negative.length, 2, 'applied once');
});

// ---- whole runs against the loopback server -------------------------------------------------------------

async function serve(
  t: TestContext,
  script: Script,
  onRequest?: (r: ServedRequest) => void,
): Promise<LlmTestServer> {
  const srv = await LlmTestServer.start({ script });
  if (onRequest) srv.onRequest = onRequest;
  t.after(() => srv.close());
  return srv;
}

/** The scripted model's own stage-1 reply, with Global edits for the given niches of generation 1. */
const withEdits =
  (byNiche: Record<number, unknown[]>): Script =>
  (r) =>
    r.stage === 'kb-update' && r.generation === 1 && byNiche[r.niche]
      ? {
          kind: 'content',
          content: JSON.stringify({ ...JSON.parse(scriptedModel(r)), global_edits: byNiche[r.niche] }),
        }
      : undefined;

const wire = (x: GlobalEdit): Record<string, string> => ({
  action: x.action,
  list: x.list,
  rule: x.rule,
  new_rule: x.newRule ?? '',
  evidence: x.evidence,
});

async function runIt(srv: LlmTestServer, edit?: (dir: string) => void) {
  const dir = path.join(tmpDir(), 'run');
  const notices: RunNotice[] = [];
  const run = SearchRun.start(dir, llmConfig(srv.url, { generations: 4, budget: 96 }, { maxRetries: 0 }), {
    onNotice: (n) => notices.push(n),
  });
  if (edit) srv.onRequest = (r) => r.stage === 'evolve' && r.generation === 1 && r.niche === 5 && edit(dir);
  await run.done;
  assert.equal(run.status, 'completed');
  const version = (g: number): KnowledgeBase =>
    parseKnowledgeBase(fs.readFileSync(path.join(dir, 'kb', `gen-0${g}.md`), 'utf8'), { niches: 6 });
  const global = notices.filter(
    (n): n is Extract<RunNotice, { type: 'kb/global' }> => n.type === 'kb/global',
  );
  const problems = notices.filter(
    (n): n is Extract<RunNotice, { type: 'llm/problem' }> => n.type === 'llm/problem',
  );
  const logged = fs
    .readFileSync(path.join(dir, 'events.jsonl'), 'utf8')
    .split('\n')
    .filter((l) => l.includes('"kb/global"')).length;
  return { dir, version, global, problems, logged };
}

const REWORD = e({
  action: 'reword',
  rule: DEAD,
  newRule: 'Dead convolutions cost latency on edgegpu; compare measured cells.',
});
const ADD2 = e({ action: 'add', list: 'positive', rule: 'Added by N2: a 3x3 chain 0→1→2→3 pays off.' });
const ADD4 = e({ action: 'add', list: 'positive', rule: 'Added by N4: never apply this one.' });

test('a scripted Global edit is applied once; a second niche’s edit of the same generation is not; an invalid one is rejected; a replay agrees', async (t) => {
  const srv = await serve(
    t,
    withEdits({
      0: [wire(e({ action: 'remove', rule: 'A rule the Global section does not have.' }))],
      2: [wire(REWORD), wire(ADD2)],
      4: [wire(ADD4)],
    }),
  );
  const { dir, version, global, problems, logged } = await runIt(srv);
  // generation 1 is in force with the seed's Global; the edit applies from generation 2, once
  assert.deepEqual(version(1).global, seed.global);
  const g2 = version(2).global;
  assert.deepEqual(
    g2.negative.map((r) => r.text),
    [seed.global.negative[0]!.text, REWORD.newRule, POOL],
  );
  assert.equal(g2.negative[1]!.evidence, REWORD.evidence);
  assert.deepEqual(
    g2.positive.map((r) => r.text),
    [...seed.global.positive.map((r) => r.text), ADD2.rule],
  );
  assert.deepEqual(version(3).global, g2, 'not applied again in generation 3');
  const onDisk = parseKnowledgeBase(fs.readFileSync(path.join(dir, 'knowledge-base.md'), 'utf8'), {
    niches: 6,
  });
  assert.deepEqual(onDisk.global, g2);
  // events: N2 applied, N4 not (one per generation), N0 rejected at stage 1 with its reason
  assert.equal(logged, 2);
  assert.deepEqual(
    global.map((n) => [n.niche, n.generation, n.applied, n.inForceFrom]),
    [
      [2, 1, true, 2],
      [4, 1, false, 2],
    ],
  );
  assert.match(
    global[0]!.message,
    /Global rules revised by N2's stage 1 of generation 1 \(reword negative .*; add positive .*\); in force from generation 2, kept in kb\/gen-02\.md/,
  );
  assert.match(
    global[1]!.message,
    /N4's Global edits of generation 1 were not applied: N2's Global edits were applied this generation/,
  );
  const rejected = problems.filter((p) => /Global edits rejected/.test(p.message));
  assert.equal(rejected.length, 1);
  assert.equal(rejected[0]!.niche, 0);
  assert.match(
    rejected[0]!.message,
    /global_edits\[0\] \(remove negative\): no Global negative rule reads "A rule the Global section does not have\." \(quote the rule.s text exactly\); the Global rules in force stay unchanged/,
  );
  // every niche's generation-2 prompts show the revised Global rules
  const g2prompts = srv.requests.filter((r) => r.generation === 2);
  assert.equal(g2prompts.length, 12);
  for (const r of g2prompts) {
    assert.ok(r.prompt.includes(REWORD.newRule!), `${r.stage} N${r.niche}`);
    assert.ok(!r.prompt.includes(ADD4.rule));
  }
  const rec = JSON.parse(fs.readFileSync(path.join(dir, 'kb', 'global-gen-01.json'), 'utf8'));
  assert.deepEqual(
    rec.proposals.map((p: { niche: number; rejected?: string }) => [p.niche, p.rejected !== undefined]),
    [
      [0, true],
      [2, false],
      [4, false],
    ],
  );
  assert.equal(rec.decided.applied, 2);
  assert.equal(rec.decided.inForceFrom, 2);
  assert.equal(rec.decided.userEdit, false);
  // each proposing niche's next stage-1 prompt says what became of its edits; the others say nothing
  const kb2 = (n: number): string =>
    srv.requests.find((r) => r.stage === 'kb-update' && r.generation === 2 && r.niche === n)!.prompt;
  assert.match(
    kb2(0),
    /## Your Global edits of generation 1\n\nrejected, nothing changed: global_edits\[0\] \(remove negative\)/,
  );
  assert.match(
    kb2(2),
    /## Your Global edits of generation 1\n\napplied: the Global rules above include them \(in force from generation 2\)/,
  );
  assert.match(
    kb2(4),
    /## Your Global edits of generation 1\n\nnot applied: N2's Global edits were applied this generation/,
  );
  for (const n of [1, 3, 5]) assert.doesNotMatch(kb2(n), /Your Global edits/);
  // a replay from llm.jsonl takes the same decision: identical knowledge-base versions and Global records
  const copy = path.join(tmpDir(), 'replay');
  const rep = SearchRun.replay(dir, copy);
  await rep.done;
  assert.equal(rep.status, 'completed');
  const kbFiles = (d: string): string[] => fs.readdirSync(path.join(d, 'kb')).sort();
  assert.deepEqual(kbFiles(copy), kbFiles(dir));
  assert.ok(kbFiles(dir).includes('global-gen-01.json'));
  for (const f of kbFiles(dir))
    assert.equal(
      fs.readFileSync(path.join(copy, 'kb', f), 'utf8'),
      fs.readFileSync(path.join(dir, 'kb', f), 'utf8'),
      f,
    );
  assert.equal(
    fs.readFileSync(path.join(copy, 'knowledge-base.md'), 'utf8'),
    fs.readFileSync(path.join(dir, 'knowledge-base.md'), 'utf8'),
  );
});

test('only invalid Global edits: rejected with a message, the previous Global version stays', async (t) => {
  const srv = await serve(
    t,
    withEdits({
      1: Array.from({ length: 4 }, (_, i) => wire(e({ action: 'add', rule: `Rule ${i}.` }))),
      3: [wire(e({ action: 'add', rule: 'y'.repeat(400) }))],
      5: [{ action: 'add', list: 'sideways', rule: 'x', evidence: 'e' }],
    }),
  );
  const { version, global, problems } = await runIt(srv);
  assert.equal(global.length, 0);
  for (const g of [1, 2, 3]) assert.deepEqual(version(g).global, seed.global);
  const msgs = problems
    .filter((p) => /Global edits rejected/.test(p.message))
    .map((p) => [p.niche, p.message] as const);
  assert.equal(msgs.length, 3);
  assert.match(msgs.find(([n]) => n === 1)![1], /4 Global edits proposed; at most 3 per generation/);
  assert.match(msgs.find(([n]) => n === 3)![1], /rule longer than 300 characters/);
  assert.match(msgs.find(([n]) => n === 5)![1], /"list" must be positive or negative/);
  const kb2 = srv.requests.find(
    (r) => r.stage === 'kb-update' && r.generation === 2 && r.niche === 1,
  )!.prompt;
  assert.match(kb2, /rejected, nothing changed: 4 Global edits proposed; at most 3 per generation/);
});

test('a user edit of the file during the generation wins over the Global edit', async (t) => {
  const USER = 'A rule the user wrote during generation 1.';
  const srv = await serve(t, withEdits({ 2: [wire(ADD2)] }));
  const { dir, version, global } = await runIt(srv, (d) => {
    const f = path.join(d, 'knowledge-base.md');
    const kb = parseKnowledgeBase(fs.readFileSync(f, 'utf8'));
    kb.global.positive.push({ text: USER });
    fs.writeFileSync(f, formatKnowledgeBase(kb));
  });
  const g2 = version(2).global.positive.map((r) => r.text);
  assert.ok(g2.includes(USER));
  assert.ok(!g2.includes(ADD2.rule));
  assert.equal(global.length, 1);
  assert.equal(global[0]!.applied, false);
  assert.match(global[0]!.message, /knowledge-base\.md was edited during generation 1; your edit wins/);
  const kb2 = srv.requests.find(
    (r) => r.stage === 'kb-update' && r.generation === 2 && r.niche === 2,
  )!.prompt;
  assert.match(kb2, /not applied: knowledge-base\.md was edited during generation 1; the user's edit wins/);
  assert.ok(fs.readFileSync(path.join(dir, 'knowledge-base.md'), 'utf8').includes(USER));
  assert.ok(!fs.readFileSync(path.join(dir, 'knowledge-base.md'), 'utf8').includes(ADD2.rule));
});

test('KnowledgeFile: proposals survive a restart (resume) and are decided once', () => {
  const dir = tmpDir();
  fs.writeFileSync(path.join(dir, 'knowledge-base.md'), formatKnowledgeBase(seed));
  const notes: string[] = [];
  const a = new KnowledgeFile(
    dir,
    6,
    (n) => n.type === 'kb/global' && notes.push(n.message),
    new Map(),
    1,
    50,
  );
  assert.deepEqual(a.inForce(1).global, seed.global);
  a.proposeGlobal(3, 1, [e({ action: 'remove', rule: POOL })], 8);
  // the process dies here; a resumed run opens the folder afresh at the generation-2 boundary
  const b = new KnowledgeFile(
    dir,
    6,
    (n) => n.type === 'kb/global' && notes.push(n.message),
    new Map(),
    1,
    50,
  );
  assert.deepEqual(
    b.inForce(2).global.negative.map((r) => r.text),
    [seed.global.negative[0]!.text, DEAD],
  );
  assert.equal(notes.length, 1);
  assert.match(b.globalOutcome(3, 1)!, /^applied/);
  // resumed again at the same boundary: the decision is recorded, nothing is applied twice
  const c = new KnowledgeFile(
    dir,
    6,
    (n) => n.type === 'kb/global' && notes.push(n.message),
    new Map(),
    1,
    50,
  );
  assert.equal(c.inForce(2).global.negative.length, 2);
  assert.equal(notes.length, 1);
  const onDisk = parseKnowledgeBase(fs.readFileSync(path.join(dir, 'knowledge-base.md'), 'utf8'));
  assert.equal(onDisk.global.negative.length, 2);
});
