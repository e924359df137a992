// Protocol v2 where users see a front: front.json's truth (|F|, protocol) and the degenerate flag on front
// entries and specs, and the dashboard's Quality numbers, which come
// from the same scoring function as the bench (nb201/benchmark.scoreSearch).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { BENCHMARK_PROTOCOL, scoreSearch } from '../../src/core/nb201/benchmark';
import { nb201Degenerate } from '../../src/core/nb201/evaluator';
import { nb201Space } from '../../src/core/nb201/space';
import { createRegistry } from '../../src/core/compose';
import { SearchRun, type FrontFile } from '../../src/core/run';
import { nb201TestConfig } from '../support/config';

test('front.json: v2 truth with |F| and protocol; degenerate cells flagged in the front and the specs', async () => {
  const dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'front-v2-')), 'run');
  const run = SearchRun.start(dir, nb201TestConfig({ seed: 1 }));
  await run.done;
  const front = JSON.parse(fs.readFileSync(path.join(dir, 'front.json'), 'utf8')) as FrontFile;
  assert.equal(front.truth!.protocol, BENCHMARK_PROTOCOL);
  assert.ok(front.truth!.frontSize! >= 1 && front.truth!.frontSize! <= 24);
  // the same numbers as the bench's scoring of the run's evaluated cells under their predicted accuracies
  const specs = fs.readdirSync(path.join(dir, 'archs')).map(
    (f) =>
      JSON.parse(fs.readFileSync(path.join(dir, 'archs', f), 'utf8')) as {
        spec: string;
        evaluation: { predictedAccuracy: number; degenerate?: string };
      },
  );
  const pred = new Float64Array(nb201Space.size);
  const idx = specs.map((s) => {
    const i = nb201Space.index(nb201Space.parse(s.spec));
    pred[i] = s.evaluation.predictedAccuracy;
    return i;
  });
  const s = scoreSearch({ id: 'c10/edgegpu', dataset: 'cifar10', metrics: ['edgegpu_latency'] }, idx, pred);
  assert.equal(front.truth!.hvRatio, s.hvRatio);
  assert.equal(front.truth!.frontSize, s.frontSize);
  // every spec says what an independent definition says
  for (const sp of specs)
    assert.equal(sp.evaluation.degenerate, degenerateByPaths(nb201Space.parse(sp.spec)), sp.spec);
  // seed 1's front holds the low-latency disconnected cell the rank-average predictor likes
  const flagged = front.front.filter((r) => r.degenerate);
  assert.ok(flagged.length >= 1, 'a degenerate cell on the front');
  for (const r of flagged) assert.ok(['disconnected', 'identity'].includes(r.degenerate!));
});

/** Independent definition: no input→output path; or every edge on such a path is a skip connection. */
function degenerateByPaths(a: readonly number[]): string | undefined {
  if (nb201Space.isDisconnected(a)) return 'disconnected';
  const dead = new Set(nb201Space.deadOps(a));
  const onPath = a.filter((op, k) => op !== 0 && !dead.has(k));
  return onPath.every((op) => op === 1) ? 'identity' : undefined;
}

test('nb201Degenerate agrees with the path definition on all 15,625 cells', () => {
  for (let i = 0; i < nb201Space.size; i++) {
    const a = nb201Space.fromIndex(i);
    assert.equal(nb201Degenerate(a), degenerateByPaths(a), String(i));
  }
});

test('the dashboard’s truth scorer is the provider’s v2 scoring', () => {
  const parts = createRegistry().spaceProvider('nb201').build(nb201TestConfig());
  const specs = [0, 1, 2, 3, 100, 9465].map((i) => ({
    spec: nb201Space.format(nb201Space.fromIndex(i)),
    evaluation: { predictedAccuracy: i / 10000 },
  }));
  const s = parts.scoreTruth!(specs);
  assert.equal(s.protocol, BENCHMARK_PROTOCOL);
  assert.ok(s.frontSize! >= 1 && s.frontSize! <= 6);
});
