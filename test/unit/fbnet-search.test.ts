// End to end from the CLI: an FBNet search (CIFAR-100, Pixel 3 latency from the lookup tables, FLOPs-quantile
// niches) writes a front whose latencies are the tables' sums; the params predictor keeps it fast enough for CI.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { FBNET_SETTINGS, lutCost } from '../../src/core/fbnet/lut';
import { fbnetSpace } from '../../src/core/fbnet/space';
import type { FrontFile } from '../../src/core/run';

const root = path.join(__dirname, '..', '..');

test('CLI: search --space fbnet --dataset cifar100 --device pixel3 runs end to end', () => {
  const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'fbnet-run-')), 'run');
  const args = [
    'search',
    '--space',
    'fbnet',
    '--dataset',
    'cifar100',
    '--device',
    'pixel3',
    '--predictor',
    'params',
  ];
  args.push('--generations', '3', '--budget', '24', '--niches', '3', '--out', out);
  const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(root, 'src/cli/main.ts'), ...args], {
    cwd: root,
    encoding: 'utf8',
  });
  assert.equal(r.status, 0, r.stderr);
  const front = JSON.parse(fs.readFileSync(path.join(out, 'front.json'), 'utf8')) as FrontFile;
  assert.equal(front.space, 'fbnet');
  assert.equal(front.evaluations, 24);
  assert.deepEqual(front.costMetrics, ['pixel3_latency']);
  const space = fbnetSpace('cifar100');
  for (const e of front.front)
    assert.equal(
      e.hw['pixel3_latency'],
      lutCost(space.parse(e.arch), FBNET_SETTINGS['cifar100']!, 'pixel3_latency'),
    );
  const niches = new Set(
    fs
      .readdirSync(path.join(out, 'archs'))
      .map(
        (f) => (JSON.parse(fs.readFileSync(path.join(out, 'archs', f), 'utf8')) as { niche: number }).niche,
      ),
  );
  assert.deepEqual([...niches].sort(), [0, 1, 2]);
});
