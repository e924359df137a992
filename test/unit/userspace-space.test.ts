// User-defined spaces: the shipped example validates and searches end to end from the CLI with the local
// external-evaluator example (this is the CI run of both examples); malformed files get errors with JSON paths;
// constraints, features and the expression language behave as documented.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import type { FrontFile } from '../../src/core/run';
import { SpaceError } from '../../src/core/space';
import { buildUserSpace, readDefinitionFile, validateDefinition } from '../../src/core/userspace/definition';
import { compile } from '../../src/core/userspace/expr';
import { Rng } from '../../src/core/rng';

const root = path.join(__dirname, '..', '..');
const example = path.join(root, 'examples', 'user-space', 'tiny-cnn.space.json');

test('the example space validates; constraints hold for every sample; features follow their expressions', () => {
  const def = readDefinitionFile(example);
  const s = buildUserSpace(def);
  assert.equal(s.id, 'user:tiny-cnn');
  const rng = new Rng(4);
  for (let i = 0; i < 300; i++) {
    const a = s.sample(rng);
    const v = s.toJSON(a)['slots'] as Record<string, number | string>;
    assert.ok((v['depth'] as number) * (v['width'] as number) <= 256);
    assert.ok(!(v['kernel'] === 7 && (v['width'] as number) > 32));
    assert.deepEqual(s.parse(s.format(a)), a);
    const d = v['depth'] as number;
    const w = v['width'] as number;
    const k = v['kernel'] as number;
    assert.equal(s.features(a)['params_k'], (d * w * w * k * k + 3 * w * k * k + w * 10) / 1000);
  }
  assert.throws(() => s.parse('depth=6 width=64 kernel=3 act=relu pool=max'), /SRAM budget/);
  assert.throws(
    () => s.parse({ slots: { depth: 2, width: 16, kernel: 3, act: 'tanh' } }),
    (e: unknown) =>
      e instanceof SpaceError &&
      e.issues.some((i) => i.path === '$.slots.act' && /valid: relu, hswish, gelu/.test(i.message)) &&
      e.issues.some((i) => i.path === '$.slots.pool' && i.message === 'missing'),
  );
});

test('a malformed space file: every problem reported with its JSON path', () => {
  const issues = validateDefinition({
    format: 'llm-nas-space-v2',
    id: 'Bad Id',
    slots: [
      { name: 'depth', choices: [2, 2] },
      { name: '9lives', choices: [] },
      { name: 'act', choices: ['relu', { x: 1 }, 'has space'] },
    ],
    features: { f: 'depth * nope', g: 'max(depth,' },
    constraints: [{ expr: 'depth >> 2' }],
    partition: { feature: 'zzz', niches: 0 },
    costModel: { gpu_latency: 'depth' },
    evaluator: { command: '' },
    extra: true,
  });
  const paths = issues.map((i) => i.path);
  for (const p of [
    '$.format',
    '$.id',
    '$.slots[0].choices[1]',
    '$.slots[1].name',
    '$.slots[1].choices',
    '$.slots[2].choices[1]',
    '$.slots[2].choices[2]',
    '$.features.f',
    '$.features.g',
    '$.constraints[0].expr',
    '$.partition.feature',
    '$.partition.niches',
    '$.costModel.gpu_latency',
    '$.evaluator.command',
    '$.extra',
  ])
    assert.ok(paths.includes(p), `missing ${p} in ${paths.join(', ')}`);
  assert.match(issues.find((i) => i.path === '$.features.f')!.message, /unknown name "nope"/);
  const f = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'us-')), 'broken.json');
  fs.writeFileSync(f, '{\n  "format": "llm-nas-space-v1",\n  "slots": [\n}');
  assert.throws(() => readDefinitionFile(f), /broken\.json is not valid JSON .*\S/);
});

test('expressions: precedence, comparisons, functions; no names beyond slots and features', () => {
  const env = (n: string): number | undefined => ({ a: 3, b: 4 })[n];
  const names = new Set(['a', 'b']);
  assert.equal(compile('a + b * 2 ^ 2', names)(env), 19);
  assert.equal(compile('-a + max(a, b, 10) - sqrt(b)', names)(env), 5);
  assert.equal(compile('a < b && !(a == 4) || 0', names)(env), 1);
  assert.throws(() => compile('process.exit(1)', names), /unexpected character "\."/);
  assert.throws(() => compile('process', names), /unknown name "process"/);
  assert.throws(() => compile('constructor', names), /unknown name/);
  assert.throws(() => compile('a +', names), /end of expression/);
});

test('CI run of the examples: the CLI searches the example space with the local external evaluator', () => {
  const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'us-run-')), 'run');
  const args = [
    'search',
    '--space-file',
    example,
    '--generations',
    '3',
    '--budget',
    '24',
    '--seed',
    '2',
    '--out',
    out,
  ];
  // the space file's evaluator.command runs once approved (docs/security.md): a trust store of this test's own
  const env = { ...process.env, LLM_NAS_TRUST_FILE: path.join(path.dirname(out), 'trust.json') };
  const cliRun = (a: string[]) =>
    spawnSync(process.execPath, ['--import', 'tsx', path.join(root, 'src/cli/main.ts'), ...a], {
      cwd: root,
      encoding: 'utf8',
      env,
    });
  const trusted = cliRun(['trust', example]);
  assert.equal(trusted.status, 0, trusted.stderr);
  const r = cliRun(args);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /\[external\] user_tiny-cnn-[0-9a-f]+#1: measuring/);
  const front = JSON.parse(fs.readFileSync(path.join(out, 'front.json'), 'utf8')) as FrontFile;
  assert.equal(front.space, 'user:tiny-cnn');
  assert.equal(front.evaluations, 24);
  assert.ok(front.front.length >= 3);
  for (const e of front.front) assert.ok(e.hw['mcu_latency']! > 1 && e.predictedAccuracy > 50);
  // the run folder is self-contained: the config carries the definition
  const cfg = JSON.parse(fs.readFileSync(path.join(out, 'config.json'), 'utf8')) as {
    spaceOptions: { definition: { id: string } };
  };
  assert.equal(cfg.spaceOptions.definition.id, 'tiny-cnn');
  const bad = spawnSync(
    process.execPath,
    [
      '--import',
      'tsx',
      path.join(root, 'src/cli/main.ts'),
      'search',
      '--space',
      'fbnet',
      '--predictor',
      'external',
    ],
    { cwd: root, encoding: 'utf8' },
  );
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /needs --external-evaluator/);
});
