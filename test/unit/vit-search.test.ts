// End to end from the CLI: an AutoFormer-T search with CPU latency measured here (and cached) over the paper's
// 9 niches (embed dim x depth); the params predictor keeps it fast enough for CI.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import type { FrontFile } from '../../src/core/run';

const root = path.join(__dirname, '..', '..');

test('CLI: search --space autoformer-t measures cpu_latency, caches it, and covers the 9 niches', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'vit-run-'));
  const out = path.join(tmp, 'run');
  const args = [
    'search',
    '--space',
    'autoformer-t',
    '--predictor',
    'params',
    '--generations',
    '1',
    '--budget',
    '9',
  ];
  const r = spawnSync(
    process.execPath,
    ['--import', 'tsx', path.join(root, 'src/cli/main.ts'), ...args, '--out', out],
    {
      cwd: root,
      encoding: 'utf8',
      env: { ...process.env, LLM_NAS_CACHE_DIR: tmp },
    },
  );
  assert.equal(r.status, 0, r.stderr);
  const front = JSON.parse(fs.readFileSync(path.join(out, 'front.json'), 'utf8')) as FrontFile;
  assert.equal(front.evaluations, 9);
  assert.match(front.predictor.unit, /params/);
  for (const e of front.front) assert.ok(e.hw['cpu_latency']! > 0);
  const niches = fs
    .readdirSync(path.join(out, 'archs'))
    .map((f) => (JSON.parse(fs.readFileSync(path.join(out, 'archs', f), 'utf8')) as { niche: number }).niche)
    .sort((a, b) => a - b);
  assert.deepEqual(niches, [0, 1, 2, 3, 4, 5, 6, 7, 8]);
  const cache = JSON.parse(fs.readFileSync(path.join(tmp, 'vit-cpu-latency.json'), 'utf8')) as Record<
    string,
    Record<string, number>
  >;
  const [context, entries] = Object.entries(cache)[0]!;
  assert.match(context, /threads 1; batch 1; warmup 3; median of 10/);
  assert.equal(Object.keys(entries).length, 9);
});
