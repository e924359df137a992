// Reading the run folder's knowledge-base.md (issue 9, item 9): only valid UTF-8 text without NULs under the
// size cap is put in force; an edit being saved in two steps is read once complete; a deleted file keeps (and
// gets back) the version in force; a directory in its place is reported; none of these stops the run.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { KnowledgeFile, MAX_KB_FILE_BYTES, type KbNotice } from '../../src/core/knowledge';
import { SearchRun } from '../../src/core/run';
import { nb201TestConfig } from '../support/config';

const KB = `# Knowledge base

## Global

### Positive
- Keep a 3x3 convolution on the input edge.
  Evidence: nb201-00001
### Negative
- Avoid all-pooling cells.

## N0

### Positive
### Negative
`;

function setup(): { dir: string; file: string; kb: KnowledgeFile; notices: KbNotice[] } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kb-file-'));
  const file = path.join(dir, 'knowledge-base.md');
  fs.writeFileSync(file, KB);
  const notices: KbNotice[] = [];
  const kb = new KnowledgeFile(dir, 2, (n) => notices.push(n), new Map(), 60, 2000);
  return { dir, file, kb, notices };
}
const rules = (k: ReturnType<KnowledgeFile['inForce']>): string[] => [
  ...k.global.positive.map((r) => r.text),
  ...k.global.negative.map((r) => r.text),
];
const lastMessage = (ns: KbNotice[]): string => {
  const n = ns[ns.length - 1];
  return n && n.type === 'kb/rejected' ? n.message : '';
};
const GLOBAL = ['Keep a 3x3 convolution on the input edge.', 'Avoid all-pooling cells.'];

test('200 KB of random bytes: refused as not text, the previous version stays and the file is set aside', async () => {
  const { dir, file, kb, notices } = setup();
  await kb.settle(0);
  assert.deepEqual(rules(kb.inForce(0)), GLOBAL);
  const junk = crypto.randomBytes(200 * 1024);
  fs.writeFileSync(file, junk);
  await kb.settle(1);
  assert.deepEqual(rules(kb.inForce(1)), GLOBAL);
  assert.match(
    lastMessage(notices),
    /knowledge-base\.md (holds a NUL byte at offset \d+|is not valid UTF-8 text)/,
  );
  assert.deepEqual(fs.readFileSync(path.join(dir, 'kb', 'rejected-gen-01.md')), junk, 'the bytes are kept');
  assert.equal(fs.readFileSync(file, 'utf8').includes('Avoid all-pooling cells.'), true, 'file restored');
});

test('a NUL byte, invalid UTF-8, an oversized file, a text without "## Global": each refused with its reason', async () => {
  const cases: [Buffer, RegExp][] = [
    [Buffer.from(KB.replace('Avoid', 'Av\0oid')), /holds a NUL byte at offset \d+/],
    [Buffer.concat([Buffer.from(KB), Buffer.from([0xc3, 0x28])]), /is not valid UTF-8 text/],
    [
      Buffer.from(KB + '\nfree text\n'.repeat(Math.ceil(MAX_KB_FILE_BYTES / 10))),
      /is \d+ KB; the knowledge base is capped at 256 KB/,
    ],
    [Buffer.from('{"name": "not-a-knowledge-base", "version": "1.0.0"}\n'), /has no "## Global" section/],
  ];
  for (const [bytes, re] of cases) {
    const { file, kb, notices } = setup();
    await kb.settle(0);
    kb.inForce(0);
    fs.writeFileSync(file, bytes);
    await kb.settle(1);
    assert.deepEqual(rules(kb.inForce(1)), GLOBAL);
    assert.match(lastMessage(notices), re);
  }
});

test('a save in two steps is read once complete, never half-way', async () => {
  const { file, kb, notices } = setup();
  await kb.settle(0);
  kb.inForce(0);
  const edited = KB.replace(
    'Avoid all-pooling cells.',
    'Avoid all-pooling cells and skip-only cells in one cell.',
  );
  const cut = edited.indexOf('skip-only');
  fs.writeFileSync(file, edited.slice(0, cut)); // step 1: truncated rule
  const settling = kb.settle(1);
  await new Promise((r) => setTimeout(r, 30));
  fs.writeFileSync(file, edited); // step 2, 30 ms later
  await settling;
  assert.deepEqual(rules(kb.inForce(1)), [
    GLOBAL[0],
    'Avoid all-pooling cells and skip-only cells in one cell.',
  ]);
  assert.equal(notices[notices.length - 1]?.type, 'kb/edited');
});

test('a file that never stops changing is not read this generation; the previous version stays', async () => {
  const { file, kb, notices } = setup();
  await kb.settle(0);
  kb.inForce(0);
  let i = 0;
  const writer = setInterval(() => fs.writeFileSync(file, KB + `\n<!-- ${i++} -->\n`), 10);
  try {
    await new Promise((r) => setTimeout(r, 25)); // the writer has started
    await kb.settle(1);
  } finally {
    clearInterval(writer);
  }
  assert.deepEqual(rules(kb.inForce(1)), GLOBAL);
  assert.match(lastMessage(notices), /was still changing after 2000 ms/);
});

test('a deleted file keeps the version in force and gets it back; a directory in its place is reported', async () => {
  const { file, kb, notices } = setup();
  await kb.settle(0);
  kb.inForce(0);
  fs.rmSync(file);
  await kb.settle(1);
  assert.deepEqual(rules(kb.inForce(1)), GLOBAL);
  assert.match(lastMessage(notices), /knowledge-base\.md is missing — the version in force was written back/);
  assert.ok(fs.readFileSync(file, 'utf8').includes('Avoid all-pooling cells.'));
  fs.rmSync(file);
  fs.mkdirSync(file);
  await kb.settle(2);
  assert.deepEqual(rules(kb.inForce(2)), GLOBAL);
  assert.match(
    lastMessage(notices),
    /knowledge-base\.md is a directory, not a file — the previous version stays/,
  );
  // a revision while the directory is there does not crash either
  kb.revise(0, 2, { title: '', notes: '', positive: [{ text: 'x' }], negative: [] });
});

test('a run goes on when knowledge-base.md is replaced by a directory mid-run (was EISDIR)', async () => {
  const dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'kb-run-')), 'run');
  const messages: string[] = [];
  let swapped = false;
  const run = SearchRun.start(dir, nb201TestConfig({ budget: 60, generations: 4 }), {
    onNotice: (n) => {
      if (n.type === 'kb/rejected') messages.push(n.message);
    },
    onEvent: (e) => {
      if (e.type === 'generation/completed' && !swapped) {
        swapped = true;
        fs.rmSync(path.join(dir, 'knowledge-base.md'));
        fs.mkdirSync(path.join(dir, 'knowledge-base.md'));
      }
    },
  });
  await run.done;
  assert.equal(run.status, 'completed');
  assert.equal(fs.readdirSync(path.join(dir, 'archs')).length, 60);
  assert.ok(
    messages.some((m) => /is a directory/.test(m)),
    messages.join('\n'),
  );
});
