// The knowledge-base Markdown format: parse/format round trip, line-numbered errors, and the run folder's
// knowledge base in force (user edits at generation boundaries, invalid edits rejected, versions kept).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import {
  cleanRule,
  formatKnowledgeBase,
  KbParseError,
  KnowledgeFile,
  nicheView,
  parseKnowledgeBase,
  type KbNotice,
} from '../../src/core/knowledge';
import { defaultKnowledgeBase } from '../../src/core/llm/prompts';
import { tmpDir } from '../support/llm-run';

const seed = defaultKnowledgeBase('nb201')!;

test('the shipped NB201 knowledge base parses: global + 6 niches, rules with evidence, and round-trips', () => {
  const kb = parseKnowledgeBase(seed, { niches: 6 });
  assert.equal(kb.title, 'Knowledge base');
  assert.deepEqual([...kb.niches.keys()], [0, 1, 2, 3, 4, 5]);
  assert.equal(kb.global.positive.length, 3);
  assert.equal(kb.global.negative.length, 3);
  assert.match(kb.global.positive[1]!.evidence!, /common among NAS-Bench-201 Pareto cells/);
  assert.equal(kb.niches.get(2)!.title, 'exactly one nor_conv_3x3');
  const text = formatKnowledgeBase(kb);
  const again = parseKnowledgeBase(text, { niches: 6 });
  assert.deepEqual(again, kb);
  assert.equal(formatKnowledgeBase(again), text);
  // the niche view holds the global section and that niche only
  const view = nicheView(kb, 3);
  assert.match(view, /## Global/);
  assert.match(view, /## N3 — exactly two nor_conv_3x3/);
  assert.doesNotMatch(view, /## N2|## N4/);
});

test('continuation lines join the rule, "Evidence:" attaches evidence, notes are kept', () => {
  const kb = parseKnowledgeBase(
    [
      '# KB',
      'intro',
      '## Global',
      'Some notes about the space.',
      '### Positive',
      '- first part',
      '  second part',
      '  evidence: cells 12 and 40',
      '* starred rule',
      '### Negative',
      '## N1: my niche',
      '### Negative',
      '- avoid pools',
    ].join('\n'),
  );
  assert.equal(kb.preamble, 'intro');
  assert.equal(kb.global.notes, 'Some notes about the space.');
  assert.deepEqual(kb.global.positive, [
    { text: 'first part second part', evidence: 'cells 12 and 40' },
    { text: 'starred rule' },
  ]);
  assert.equal(kb.niches.get(1)!.title, 'my niche');
  assert.deepEqual(kb.niches.get(1)!.negative, [{ text: 'avoid pools' }]);
});

test('invalid files are rejected with every problem and its line number', () => {
  const text = [
    '# KB', //                      1
    '- a rule before any section', // 2 (preamble text: allowed)
    '## Global', //                 3
    '- rule outside a list', //     4
    '### Positive', //              5
    'not indented, not a rule', //  6
    '### Maybe', //                 7
    '## N9', //                     8
    '## Niche two', //              9
    '## Global', //                 10
    '### Positive', //              11
    `- ${'x'.repeat(320)}`, //      12
    '-   ', //                      13
  ].join('\n');
  let err: KbParseError | undefined;
  try {
    parseKnowledgeBase(text, { niches: 6 });
  } catch (e) {
    err = e as KbParseError;
  }
  assert.ok(err instanceof KbParseError);
  const lines = err.issues.map((i) => i.line);
  assert.deepEqual(lines, [4, 6, 7, 8, 9, 10, 11, 12, 13]);
  assert.match(err.message, /knowledge-base\.md:4: a rule must be under "### Positive" or "### Negative"/);
  assert.match(err.message, /:7: unknown list "### Maybe"/);
  assert.match(err.message, /:8: this run has niches N0–N5; there is no N9/);
  assert.match(err.message, /:9: unknown section "## Niche two"/);
  assert.match(err.message, /:10: second "## Global" section/);
  assert.match(err.message, /:11: second "### Positive" in this section/);
  assert.match(err.message, /:12: rule is 320 characters/);
  assert.match(err.message, /:13: empty rule/);
});

test('rules from the LLM are cleaned: whitespace collapsed, empty or overlong rejected', () => {
  assert.deepEqual(cleanRule('  keep\n convs  ', ' ev\tidence '), {
    text: 'keep convs',
    evidence: 'ev idence',
  });
  assert.equal(cleanRule('', 'x'), 'empty rule');
  assert.equal(cleanRule(42, 'x'), 'empty rule');
  assert.match(cleanRule('y'.repeat(400), '') as string, /longer than/);
});

test('run folder knowledge base: versions per generation, valid edits adopted, invalid ones rejected, nothing lost', () => {
  const dir = tmpDir();
  const file = path.join(dir, 'knowledge-base.md');
  fs.writeFileSync(file, seed);
  const notices: KbNotice[] = [];
  const kbf = new KnowledgeFile(dir, 6, (n) => notices.push(n));

  const g0 = kbf.inForce(0);
  assert.equal(g0.global.positive.length, 3);
  assert.ok(fs.existsSync(path.join(dir, 'kb', 'gen-00.md')));
  assert.equal(notices.length, 0);

  // stage 1 revises N2: written to the file and to this generation's version
  kbf.revise(2, 0, {
    title: 'exactly one nor_conv_3x3',
    notes: '',
    positive: [{ text: 'revised', evidence: 'e' }],
    negative: [],
  });
  assert.match(fs.readFileSync(file, 'utf8'), /- revised\n {2}Evidence: e/);
  assert.match(fs.readFileSync(path.join(dir, 'kb', 'gen-00.md'), 'utf8'), /- revised/);
  assert.equal(notices.at(-1)!.type, 'kb/updated');

  // a valid user edit is picked up at the next boundary and kept for replay
  const edited = fs.readFileSync(file, 'utf8').replace('- revised', '- my own rule');
  fs.writeFileSync(file, edited);
  assert.equal(kbf.inForce(0), kbf.inForce(0), 'read once per boundary');
  const g1 = kbf.inForce(1);
  assert.equal(g1.niches.get(2)!.positive[0]!.text, 'my own rule');
  assert.equal(fs.readFileSync(path.join(dir, 'kb', 'user-gen-01.md'), 'utf8'), edited);
  assert.deepEqual(notices.at(-1), {
    type: 'kb/edited',
    generation: 1,
    file: path.join('kb', 'user-gen-01.md'),
  });

  // an invalid edit: rejected with its line, set aside, file restored, previous version in force
  const broken = edited.replace('### Positive\n- Chain', '### Positive\noops, not a rule\n- Chain');
  fs.writeFileSync(file, broken);
  const badLine = broken.split('\n').indexOf('oops, not a rule') + 1;
  const g2 = kbf.inForce(2);
  assert.deepEqual(g2, g1);
  const rej = notices.at(-1)!;
  assert.equal(rej.type, 'kb/rejected');
  assert.equal(rej.type === 'kb/rejected' && rej.line, badLine);
  assert.match(
    rej.type === 'kb/rejected' ? rej.message : '',
    new RegExp(`knowledge-base\\.md line ${badLine}: .*previous version stays in force`),
  );
  assert.equal(fs.readFileSync(path.join(dir, 'kb', 'rejected-gen-02.md'), 'utf8'), broken);
  assert.deepEqual(parseKnowledgeBase(fs.readFileSync(file, 'utf8')), g1);
  assert.deepEqual(fs.readdirSync(path.join(dir, 'kb')).sort(), [
    'gen-00.md',
    'gen-01.md',
    'gen-02.md',
    'rejected-gen-02.md',
    'user-gen-01.md',
  ]);

  // an edit made while a generation runs is not overwritten by a stage-1 revision
  fs.writeFileSync(file, edited.replace('- my own rule', '- edited mid-generation'));
  kbf.revise(4, 2, { title: '', notes: '', positive: [], negative: [{ text: 'llm rule' }] });
  assert.match(fs.readFileSync(file, 'utf8'), /edited mid-generation/);
  assert.match(fs.readFileSync(path.join(dir, 'kb', 'gen-02.md'), 'utf8'), /llm rule/);
  assert.ok(notices.some((n) => n.type === 'kb/deferred'));
  assert.equal(kbf.inForce(3).niches.get(2)!.positive[0]!.text, 'edited mid-generation');

  // resuming with a broken file falls back to the newest valid version
  fs.writeFileSync(file, '## Bogus\n');
  const fresh = new KnowledgeFile(dir, 6, (n) => notices.push(n));
  assert.equal(fresh.inForce(4).niches.get(2)!.positive[0]!.text, 'edited mid-generation');
  assert.equal(notices.at(-1)!.type, 'kb/rejected');
});
