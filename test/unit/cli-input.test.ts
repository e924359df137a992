// Bad input on the real CLI (issue 9, "Bad input"): each case is one line naming the flag or the file, exit 2, no
// stack trace, no hang; --help works on each command; a run that evaluates nothing exits non-zero; the external
// evaluator works on NB201 too.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { cli, repoRoot, tmp, type CliResult } from '../support/cli';

const d = tmp();
const env = { LLM_NAS_TRUST_FILE: path.join(d, 'trust.json') };
const localEval = path.join(repoRoot, 'examples/evaluators/local-eval.mjs');

function writeJson(name: string, v: unknown): string {
  const f = path.join(d, name);
  fs.writeFileSync(f, typeof v === 'string' ? v : JSON.stringify(v));
  return f;
}

const unsat = writeJson('unsat.space.json', {
  format: 'llm-nas-space-v1',
  id: 'unsat',
  slots: [{ name: 'a', choices: [1, 2] }],
  constraints: [{ expr: 'a > 5', message: 'never' }],
  features: { f: 'a' },
  costModel: { device_latency: 'a' },
});
const huge = writeJson('huge.space.json', {
  format: 'llm-nas-space-v1',
  id: 'huge',
  slots: Array.from({ length: 2000 }, (_, i) => ({ name: `s${i}`, choices: [1, 2, 3] })),
});
const foreign = path.join(d, 'foreign');
fs.mkdirSync(foreign);
fs.writeFileSync(path.join(foreign, 'notes.txt'), 'mine');
const garbled = path.join(d, 'garbled');

/** Runs cases a few at a time (each is a process of its own). */
async function all<T>(items: T[], f: (t: T) => Promise<void>, width = 3): Promise<void> {
  const queue = [...items];
  await Promise.all(
    Array.from({ length: width }, async () => {
      for (let t = queue.shift(); t !== undefined; t = queue.shift()) await f(t);
    }),
  );
}

function oneLine(r: CliResult, what: string): void {
  assert.equal(r.code, 2, `${what}: exit ${r.code}\n${r.err}`);
  assert.doesNotMatch(r.err, /\n\s+at /, `${what}: stack trace\n${r.err}`);
  const lines = r.err.trim().split('\n');
  assert.equal(lines.length, 1, `${what}: ${lines.length} lines\n${r.err}`);
  assert.match(lines[0]!, /^llm-nas: /);
}

test('bad input: one line naming the flag or file, exit 2, no stack trace, no hang', async () => {
  const made = await cli(['search', '--budget', '8', '--generations', '1', '--out', garbled], env);
  assert.equal(made.code, 0, made.err);
  fs.writeFileSync(path.join(garbled, 'front.json'), '{"front": [ {"id": ');
  const cases: [string[], RegExp][] = [
    [['export', garbled], /front\.json: corrupted JSON/],
    [
      ['search', '--knowledge-base', path.join(d, 'missing.md')],
      /--knowledge-base .*missing\.md: no such file/,
    ],
    [['search', '--space-file', path.join(d, 'missing.json')], /--space-file .*missing\.json: no such file/],
    [['search', '--space', 'fbnet', '--niches', '0'], /--niches must be an integer from 1 to 64, got "0"/],
    [['search', '--space', 'fbnet', '--niches', '1000000'], /--niches must be an integer from 1 to 64/],
    [
      ['search', '--space-file', unsat, '--predictor', 'feature:f', '--out', path.join(d, 'u')],
      /constraints are unsatisfiable/,
    ],
    [
      ['search', '--space-file', huge, '--predictor', 'external'],
      /huge\.space\.json.*\$\.slots: has 2000 slots; at most 256/,
    ],
    [
      ['search', '--out', path.join(repoRoot, 'package.json')],
      /--out .*package\.json: is a file, not a folder/,
    ],
    [
      ['search', '--out', '/sys/llm-nas-test-run', '--budget', '8'],
      /\/sys\/llm-nas-test-run.*(operation not permitted|permission denied|read-only)/,
    ],
    [['export', garbled.replace('garbled', 'nope')], /config\.json: not found/],
    [['search', '--budget', '1e9'], /--budget must be an integer from 1 to 10,000, got "1e9"/],
    [['search', '--budget', '100000'], /--budget must be an integer from 1 to 10,000/],
    [['search', '--children', '0'], /--children must be an integer from 1 to 10,000, got "0"/],
    [['search', '--children', '1e9'], /--children must be an integer from 1/],
    [['search', '--seed', '1e30'], /--seed must be an integer from 0 to 4,294,967,295/],
    [['search', '--seed=-1'], /--seed must be an integer/],
    [['search', '--generations', '0'], /--generations must be an integer from 1/],
    [
      ['search', '--knowledge-base', path.join(repoRoot, 'package.json')],
      /--knowledge-base .*package\.json: not a knowledge base/,
    ],
    [
      ['search', '--knowledge-base', writeJson('bin.md', '## Global\n\0\0\0')],
      /--knowledge-base .*bin\.md: contains NUL bytes/,
    ],
    [
      ['search', '--out', foreign],
      /--out .*foreign: the folder is not empty and holds no LLM-NAS run \(notes\.txt\)/,
    ],
    [
      ['export', garbled, '--all', '--out', '/dev/full'],
      /--out \/dev\/full: no space left on the device \(ENOSPC/,
    ],
    [['export', garbled, '--format', 'xml'], /--format must be csv or json/],
    [['search', '--bogus'], /Unknown option '--bogus'/],
  ];
  const t0 = Date.now();
  await all(cases, async ([args, re]) => {
    const r = await cli(args, env);
    oneLine(r, args.join(' '));
    assert.match(r.err, re, args.join(' '));
  });
  // nothing was written into the foreign folder
  assert.deepEqual(fs.readdirSync(foreign), ['notes.txt']);
  assert.ok(Date.now() - t0 < 240_000);
});

test('--help on each command; a run that evaluates nothing exits non-zero; --external-evaluator on NB201', async () => {
  for (const c of ['search', 'export', 'resume', 'trust']) {
    const r = await cli([c, '--help'], env);
    assert.equal(r.code, 0, `${c} --help: ${r.err}`);
    assert.match(r.out, /llm-nas (search|trust)/);
  }
  // every candidate rejected by the evaluator (exit 2): nothing evaluated → exit 1 with a line saying so
  const none = await cli(
    [
      'search',
      '--external-evaluator',
      'exit 2',
      '--budget',
      '6',
      '--generations',
      '1',
      '--out',
      path.join(d, 'none'),
    ],
    env,
  );
  assert.equal(none.code, 1, none.err);
  assert.match(none.err, /the run evaluated no architecture/);
  // NB201 takes an external evaluator: its accuracy, the benchmark table's latency
  const nb = path.join(d, 'nb-ext');
  const ext = await cli(
    [
      'search',
      '--external-evaluator',
      `node ${localEval}`,
      '--budget',
      '10',
      '--generations',
      '2',
      '--out',
      nb,
    ],
    env,
  );
  assert.equal(ext.code, 0, ext.err);
  assert.match(ext.out, /evaluations 10\b/);
  const spec = JSON.parse(
    fs.readFileSync(path.join(nb, 'archs', fs.readdirSync(path.join(nb, 'archs'))[0]!), 'utf8'),
  ) as { evaluation: { predictedAccuracy: number; hw: Record<string, number> } };
  assert.ok(spec.evaluation.predictedAccuracy > 50);
  assert.ok(spec.evaluation.hw['edgegpu_latency']! > 0);
});
