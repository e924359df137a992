// Units in files (issue 13): every new spec carries the unit of each hardware metric its space documents
// (hwUnits, additive: folders without it still read and resume), and the CSV header names the units and what the
// predictor's score is (edgegpu_latency_ms, edgegpu_energy_mJ, predicted_accuracy_percentile).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { exportRun, hwColumn, predictedColumn } from '../../src/core/export';
import { createRegistry } from '../../src/core/compose';
import { standardHwUnits } from '../../src/core/units';
import { SearchRun } from '../../src/core/run';
import { RunStore } from '../../src/core/runstore';
import { readDefinitionFile } from '../../src/core/userspace/definition';
import { userProviderOf } from '../../src/core/userspace/provider';
import { nb201TestConfig } from '../support/config';

const registry = createRegistry();

const root = path.join(__dirname, '..', '..');
const tmp = (): string => fs.mkdtempSync(path.join(os.tmpdir(), 'llm-nas-units-'));
const specsOf = (dir: string): Record<string, unknown>[] =>
  fs
    .readdirSync(path.join(dir, 'archs'))
    .map((f) => JSON.parse(fs.readFileSync(path.join(dir, 'archs', f), 'utf8')) as Record<string, unknown>);

test('the space providers document units: ms for *_latency, mJ for *_energy; a user space none', () => {
  assert.deepEqual(standardHwUnits(['edgegpu_latency', 'edgegpu_energy', 'local_latency', 'flops']), {
    edgegpu_latency: 'ms',
    edgegpu_energy: 'mJ',
    local_latency: 'ms',
  });
  const nb = registry.hwUnitsOf({ space: 'nb201' });
  assert.equal(nb['edgegpu_latency'], 'ms');
  assert.equal(nb['eyeriss_energy'], 'mJ');
  // HW-NAS-Bench's arithmetic intensity is a ratio whose unit the data does not document: none is claimed
  assert.equal(nb['eyeriss_arithmetic_intensity'], undefined);
  assert.equal(nb['local_latency'], 'ms');
  for (const m of registry.spaceProvider('nb201').hwMetrics.filter((x) => /_(latency|energy)$/.test(x)))
    assert.ok(nb[m], `nb201 ${m} has a unit`);
  const fb = registry.hwUnitsOf({ space: 'fbnet' });
  for (const m of registry.spaceProvider('fbnet').hwMetrics) assert.ok(fb[m], `fbnet ${m} has a unit`);
  assert.equal(fb['pixel3_latency'], 'ms');
  assert.deepEqual(registry.hwUnitsOf({ space: 'autoformer-t' }), { cpu_latency: 'ms' });
  const user = userProviderOf(readDefinitionFile(path.join(root, 'examples/user-space/tiny-cnn.space.json')));
  assert.equal(user.hwUnits, undefined);
  assert.deepEqual(registry.hwUnitsOf({ space: 'no-such-space' }), {});
});

test('column names: the unit after the metric, the predictor score named by what it is', () => {
  assert.equal(hwColumn('edgegpu_latency', 'ms'), 'edgegpu_latency_ms');
  assert.equal(hwColumn('edgegpu_energy', 'mJ'), 'edgegpu_energy_mJ');
  assert.equal(hwColumn('device_latency', undefined), 'device_latency');
  assert.equal(
    predictedColumn('mean rank percentile (0..1) of published naswot, logsynflow, zen and params'),
    'predicted_accuracy_percentile',
  );
  assert.equal(predictedColumn('synflow zero-cost proxy score (higher is better)'), 'proxy_score');
  assert.equal(predictedColumn('accuracy reported by "node eval.mjs"'), 'predicted_accuracy');
  assert.equal(predictedColumn(undefined), 'predicted_accuracy');
});

test('specs carry hwUnits for their hw keys; the CSV header has the units; old folders still read', async () => {
  const dir = path.join(tmp(), 'run');
  const config = nb201TestConfig({
    devices: ['edgegpu'],
    metric: 'energy',
    costMetrics: ['edgegpu_energy'],
    generations: 2,
    budget: 40,
  });
  const run = SearchRun.start(dir, config);
  await run.done;
  assert.equal(run.status, 'completed');
  const specs = specsOf(dir);
  assert.equal(specs.length, 40);
  for (const s of specs) {
    const hw = (s['evaluation'] as { hw: Record<string, number> }).hw;
    const units = s['hwUnits'] as Record<string, string>;
    assert.deepEqual(
      Object.keys(units).sort(),
      Object.keys(hw)
        .filter((k) => k !== 'eyeriss_arithmetic_intensity')
        .sort(),
      'one unit per latency / energy key',
    );
    assert.equal(units['edgegpu_energy'], 'mJ');
    assert.equal(units['edgegpu_latency'], 'ms');
  }
  // every field a spec carries is documented in the schema
  const schema = JSON.parse(fs.readFileSync(path.join(root, 'schemas/spec.schema.json'), 'utf8')) as {
    properties: Record<string, unknown>;
    required: string[];
  };
  for (const k of Object.keys(specs[0]!)) assert.ok(k in schema.properties, `${k} in spec.schema.json`);
  assert.ok(!schema.required.includes('hwUnits'), 'additive: old specs stay valid');

  const header = exportRun(dir, 'csv', 'all').split('\n')[0]!.split(',');
  assert.deepEqual(header.slice(0, 6), [
    'id',
    'niche',
    'generation',
    'arch',
    'operator',
    'predicted_accuracy_percentile',
  ]);
  assert.ok(header.includes('edgegpu_energy_mJ'), header.join(','));
  assert.ok(header.includes('edgegpu_latency_ms'));
  assert.ok(!header.includes('edgegpu_energy'), 'no unitless duplicate');

  // an older folder: specs without hwUnits export with the provider's units and resume without a repair
  for (const f of fs.readdirSync(path.join(dir, 'archs'))) {
    const p = path.join(dir, 'archs', f);
    const s = JSON.parse(fs.readFileSync(p, 'utf8')) as Record<string, unknown>;
    delete s['hwUnits'];
    fs.writeFileSync(p, JSON.stringify(s));
  }
  assert.deepEqual(exportRun(dir, 'csv', 'all').split('\n')[0]!.split(','), header);
  const repairs: string[] = [];
  RunStore.open(dir).restoreState(config, (file, message) => repairs.push(`${file}: ${message}`));
  assert.deepEqual(repairs, []);
  // and a folder with hwUnits is read back by resume's checks as it is (no repair either)
  const dir2 = path.join(tmp(), 'run2');
  await SearchRun.start(dir2, { ...config, generations: 1, budget: 10 }).done;
  const repairs2: string[] = [];
  RunStore.open(dir2).restoreState({ ...config, generations: 1, budget: 10 }, (f, m) =>
    repairs2.push(`${f}: ${m}`),
  );
  assert.deepEqual(repairs2, []);
  assert.ok(specsOf(dir2).every((s) => s['hwUnits'] !== undefined));
});
