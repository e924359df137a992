// The extension's run glue without VS Code: the dashboard model folded from a live run matches the run folder
// (specs, front.json), a folder replay gives the same snapshot, step mode pauses at generation boundaries,
// knowledge-base edits land in the next generation's kb/gen-NN.md, and the KB parser/merge behave.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import type { FrontFile } from '../../src/core/run';
import { RunStore, type RunConfig } from '../../src/core/runstore';
import { nb201TestConfig } from '../support/config';
import { waitFor } from '../support/wait';
import { parseKnowledgeBase } from '../../src/core/knowledge';
import { KbError, mergeSections, readKbState, saveKb, sectionsOf } from '../../src/extension/kb';
import { modelFromFolder } from '../../src/extension/folder-model';
import { RunSession } from '../../src/extension/session';
import type { KbSection } from '../../src/protocol';

const tmp = (): string => fs.mkdtempSync(path.join(os.tmpdir(), 'llm-nas-ext-'));
const config = (over: Partial<RunConfig> = {}): RunConfig =>
  nb201TestConfig({ id: 'ext-test', generations: 5, budget: 120, seed: 3, ...over });

test('live model matches the run folder; a replay of the folder gives the same snapshot', async () => {
  const dir = path.join(tmp(), 'run');
  const s = RunSession.start(dir, config());
  await s.done;
  const snap = s.model.snapshot().state;
  const specs = RunStore.open(dir).readSpecs();
  assert.equal(snap.points.length, specs.length);
  assert.equal(snap.run?.phase, 'completed');
  assert.ok(snap.points.length > 60, `evaluated ${snap.points.length}`);
  const front = JSON.parse(fs.readFileSync(path.join(dir, 'front.json'), 'utf8')) as FrontFile;
  assert.deepEqual([...snap.front].sort(), front.front.map((f) => f.id).sort());
  // per-niche counts add up, and each card counts its own niche's specs
  for (const c of snap.niches)
    assert.equal(c.evaluated, specs.filter((x) => x.niche === c.id).length, `niche ${c.name}`);
  // HV history: one row per generation, the last equal to front.json's truth score
  assert.equal(snap.history.length, 5);
  assert.ok(front.truth);
  assert.ok(Math.abs(snap.history[4]!.hvRatio! - front.truth.hvRatio) < 1e-9);
  assert.equal(snap.trueFronts[0]?.metric, 'edgegpu_latency');
  assert.ok(snap.trueFronts[0]!.points.length > 3);
  // every point carries how it was made and why (the spec file's operator and rationale), for the tooltip
  const bySpec = new Map(specs.map((x) => [x.id, x]));
  for (const p of snap.points) {
    const spec = bySpec.get(p.id)!;
    assert.equal(p.operator, spec.operator);
    assert.equal(p.rationale, spec.rationale);
  }
  assert.ok(snap.points.every((p) => p.rationale && p.rationale.length > 0));

  const replay = modelFromFolder(dir).snapshot().state;
  assert.deepEqual(replay.points.map((p) => p.id).sort(), snap.points.map((p) => p.id).sort());
  assert.deepEqual([...replay.front].sort(), [...snap.front].sort());
  assert.deepEqual(replay.history, snap.history);
  assert.equal(replay.run?.phase, 'completed');
});

test('step mode pauses after each generation; a KB edit applies at the next generation', async () => {
  const dir = path.join(tmp(), 'run');
  const s = RunSession.start(dir, config({ generations: 4 }), { stepping: true });
  await waitFor(() => s.model.runPhase === 'paused' && s.model.generation === 0, 20000);
  const gen0 = s.model.evaluations;
  assert.ok(gen0 > 0);
  await new Promise((r) => setTimeout(r, 100));
  assert.equal(s.model.evaluations, gen0, 'nothing evaluated while paused');
  assert.ok(fs.existsSync(path.join(dir, 'kb', 'gen-00.md')));

  const niches = s.model.nicheCards();
  const { state } = readKbState(dir, niches);
  assert.deepEqual(readKbState(dir, niches).problems, []);
  const sections: KbSection[] = structuredClone(state.sections);
  sections[0]!.rules.push({ kind: 'positive', text: 'prefer nor_conv_3x3 on the edge 0→3' });
  saveKb(dir, sections, state.hash, state.sections, niches);

  s.step();
  await waitFor(() => s.model.runPhase === 'paused' && s.model.generation === 1, 20000);
  const gen1 = fs.readFileSync(path.join(dir, 'kb', 'gen-01.md'), 'utf8');
  assert.match(gen1, /- prefer nor_conv_3x3 on the edge 0→3/);
  assert.ok(fs.existsSync(path.join(dir, 'kb', 'user-gen-01.md')), 'the core kept the user edit');
  assert.doesNotMatch(fs.readFileSync(path.join(dir, 'kb', 'gen-00.md'), 'utf8'), /prefer nor_conv_3x3/);
  s.resume();
  await s.done;
  assert.equal(s.model.runPhase, 'completed');
  assert.equal(s.model.generation, 3);
});

test('stop leaves a resumable folder; resume continues to completion', async () => {
  const dir = path.join(tmp(), 'run');
  const s = RunSession.start(dir, config({ generations: 4 }), { stepping: true });
  await waitFor(() => s.model.runPhase === 'paused', 20000);
  s.stop();
  await s.done;
  assert.equal(s.model.runPhase, 'stopped');
  assert.equal(modelFromFolder(dir).runPhase, 'stopped');
  // the folder remembers step mode (ui-state.json); this resume runs to the end
  const r = RunSession.resume(dir, { stepping: false });
  await r.done;
  assert.equal(r.model.runPhase, 'completed');
  assert.equal(r.model.evaluations, RunStore.open(dir).readSpecs().length);
});

test('knowledge base: file problems carry line numbers; invalid panel edits are rejected', () => {
  const dir = tmp();
  const niches = [
    { name: 'N0', constraint: 'c0' },
    { name: 'N1', constraint: 'c1' },
  ];
  const kbFile = path.join(dir, 'knowledge-base.md');
  fs.writeFileSync(kbFile, '# KB\n\n## Global\n### Positive\n- ok\n## N7\n');
  assert.match(readKbState(dir, niches).problems.join('\n'), /line 6: .*there is no N7/);
  fs.writeFileSync(kbFile, '# KB\n\n## Global\n\n### Positive\n- a\n  Evidence: e1\n### Negative\n');
  const { state } = readKbState(dir, niches);
  assert.deepEqual(state.sections[0]!.rules, [{ kind: 'positive', text: 'a', evidence: 'e1' }]);
  assert.equal(state.sections.length, 3);
  const bad = structuredClone(state.sections);
  bad[1]!.rules.push({ kind: 'negative', text: '   ' });
  bad[0]!.rules.push({ kind: 'positive', text: 'a' });
  bad[0]!.rules.push({ kind: 'negative', text: 'c', evidence: 'two\nlines' });
  bad.push({ key: 'N9', title: 'N9', rules: [] });
  assert.throws(
    () => saveKb(dir, bad, state.hash, state.sections, niches),
    (e: unknown) =>
      e instanceof KbError &&
      /N0 rule 1: empty rule/.test(e.message) &&
      /Global rule 2: duplicate/.test(e.message) &&
      /Global rule 3: evidence is one line/.test(e.message) &&
      /N9: no such niche/.test(e.message),
  );
  assert.equal(fs.readFileSync(kbFile, 'utf8'), state.text, 'a rejected save leaves the file alone');
  const good = structuredClone(state.sections);
  good[2]!.rules.push({ kind: 'negative', text: 'avoid pooling' });
  good[0]!.rules[0]!.evidence = 'e1, edited in the panel';
  saveKb(dir, good, state.hash, state.sections, niches);
  const kb = parseKnowledgeBase(fs.readFileSync(kbFile, 'utf8'), { niches: 2 });
  assert.deepEqual(
    kb.global.positive,
    [{ text: 'a', evidence: 'e1, edited in the panel' }],
    'evidence edited',
  );
  assert.deepEqual(kb.niches.get(1)?.negative, [{ text: 'avoid pooling' }]);
});

test('knowledge base: a save merges with an edit of the file made meanwhile (neither is lost)', () => {
  const dir = tmp();
  const niches = [{ name: 'N0', constraint: 'c0' }];
  const kbFile = path.join(dir, 'knowledge-base.md');
  fs.writeFileSync(kbFile, '# KB\n## Global\n### Positive\n- a\n- b\n### Negative\n');
  const loaded = readKbState(dir, niches).state;
  const mine = structuredClone(loaded.sections);
  mine[0]!.rules.push({ kind: 'negative', text: 'from panel' });
  // meanwhile the file is edited in a text editor: b deleted, a rule added
  fs.writeFileSync(kbFile, '# KB\n## Global\n### Positive\n- a\n- from file\n### Negative\n');
  const res = saveKb(dir, mine, loaded.hash, loaded.sections, niches);
  assert.equal(res.merged, true);
  const kb = parseKnowledgeBase(fs.readFileSync(kbFile, 'utf8'), { niches: 1 });
  assert.deepEqual(
    kb.global.positive.map((r) => r.text),
    ['a', 'from file'],
  );
  assert.deepEqual(
    kb.global.negative.map((r) => r.text),
    ['from panel'],
  );
  // the pure merge, for the record
  const base = sectionsOf(parseKnowledgeBase('# K\n## Global\n### Positive\n- x\n### Negative\n'), niches);
  const m2 = mergeSections(
    base,
    base,
    sectionsOf(parseKnowledgeBase('# K\n## Global\n### Positive\n### Negative\n'), niches),
  );
  assert.deepEqual(m2[0]!.rules, [], 'a rule deleted in the file stays deleted');
});
