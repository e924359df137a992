// --device local on NB201 and FBNet: the run's cost metrics gain local_latency (CPU latency measured here by
// onnxruntime), added to the space's own evaluation; NB201 drops the true-front score for such a run.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { nb201Exporter } from '../../src/core/nb201/export.js';
import { nb201Space } from '../../src/core/nb201/space.js';
import { LOCAL_LATENCY, targetOfArch, withLocalLatency } from '../../src/core/modelexport/local-latency.js';
import { createRegistry } from '../../src/core/compose.js';
import { costMetricsOf } from '../../src/core/registry.js';
import { RUN_FORMAT, type RunConfig } from '../../src/core/runstore.js';
import type { Evaluator } from '../../src/core/evaluator.js';

const registry = createRegistry();

process.env['LLM_NAS_CACHE_DIR'] = fs.mkdtempSync(path.join(os.tmpdir(), 'llm-nas-local-'));
process.on('exit', () => fs.rmSync(process.env['LLM_NAS_CACHE_DIR']!, { recursive: true, force: true }));

function config(space: string, dataset: string, devices: string[], predictor: string): RunConfig {
  return {
    format: RUN_FORMAT,
    id: 't',
    createdAt: '',
    space,
    dataset,
    devices,
    metric: 'latency',
    costMetrics: costMetricsOf(devices, 'latency'),
    predictor,
    operator: 'builtin',
    partition: true,
    generations: 1,
    budget: 5,
    adaptive: true,
    seed: 0,
  };
}

test('withLocalLatency adds the measurement to the inner evaluation and keeps its predictor', async () => {
  const inner: Evaluator<readonly number[]> = {
    id: 'x',
    predictor: { id: 'p', unit: 'u', labels: 0 },
    metrics: ['edgegpu_latency'],
    evaluate: () =>
      Promise.resolve({ predictedAccuracy: 0.5, proxies: { a: 1 }, hw: { edgegpu_latency: 2 } }),
  };
  const seen: string[] = [];
  const ev = withLocalLatency(
    inner,
    (a) => targetOfArch(nb201Exporter, nb201Space, 'nb201', 'cifar10', a),
    (t) => {
      seen.push(t.source.arch);
      return Promise.resolve(1.25);
    },
  );
  assert.deepEqual(ev.metrics, ['edgegpu_latency', LOCAL_LATENCY]);
  const a = nb201Space.parse('|nor_conv_3x3~0|+|none~0|none~1|+|skip_connect~0|none~1|none~2|');
  const e = await ev.evaluate(a);
  assert.deepEqual(e.hw, { edgegpu_latency: 2, local_latency: 1.25 });
  assert.equal(e.predictedAccuracy, 0.5);
  assert.deepEqual(seen, [nb201Space.format(a)]);
});

test('NB201 with --device edgegpu,local measures here and has no true-front score', async () => {
  const c = config('nb201', 'cifar10', ['edgegpu', 'local'], 'rank-avg');
  registry.checkConfig(c);
  const parts = registry.buildRun(c);
  assert.equal(parts.scoreTruth, undefined);
  assert.ok(registry.buildRun(config('nb201', 'cifar10', ['edgegpu'], 'rank-avg')).scoreTruth);
  const a = nb201Space.parse(
    '|nor_conv_3x3~0|+|nor_conv_3x3~0|none~1|+|skip_connect~0|none~1|nor_conv_1x1~2|',
  );
  const e = await parts.evaluator.evaluate(a);
  assert.ok(e.hw['edgegpu_latency']! > 0);
  assert.ok(e.hw[LOCAL_LATENCY]! > 0 && Number.isFinite(e.hw[LOCAL_LATENCY]!));
  // measured once per machine: the second evaluation reads the on-disk cache
  const again = await registry.buildRun(c).evaluator.evaluate(a);
  assert.equal(again.hw[LOCAL_LATENCY], e.hw[LOCAL_LATENCY]);
  assert.ok(fs.existsSync(path.join(process.env['LLM_NAS_CACHE_DIR']!, 'local-cpu-latency.json')));
});

test('FBNet with --device local alone: cost metric local_latency, no lookup-table metric needed', async () => {
  const c = config('fbnet', 'cifar100', ['local'], 'params');
  registry.checkConfig(c);
  const parts = registry.buildRun(c);
  assert.deepEqual(parts.costMetrics, [LOCAL_LATENCY]);
  const e = await parts.evaluator.evaluate(parts.space.parse(new Array(22).fill('k3_e1').join('|')));
  assert.ok(e.hw[LOCAL_LATENCY]! > 0);
});

test('an unknown device is still refused, naming local among the valid ones', () => {
  assert.throws(
    () => registry.checkConfig(config('nb201', 'cifar10', ['gpu'], 'rank-avg')),
    /valid: .*local/,
  );
});
