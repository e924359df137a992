// FBNet hardware metrics: HW-NAS-Bench's lookup tables summed along the architecture reproduce all 5,000 x 4
// published HELP latencies bit for bit, and every table key the space can need exists.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { test } from 'node:test';
import {
  FBNET_METRICS,
  FBNET_OPS,
  FBNET_SETTINGS,
  layerShapes,
  loadFbnetLut,
  lutCost,
  lutKeys,
} from '../../src/core/fbnet/lut';

const fixture = JSON.parse(
  zlib
    .gunzipSync(fs.readFileSync(path.join(__dirname, '..', 'fixtures', 'fbnet', 'help-latency.json.gz')))
    .toString('utf8'),
) as { columns: string[]; rows: [number[], number, number, number, number][] };

test('the summed LUT reproduces all 5,000 x 4 HELP FBNet latencies exactly (CIFAR-100 setting)', () => {
  assert.equal(fixture.rows.length, 5000);
  const metrics = ['eyeriss_latency', 'fpga_latency', 'pixel3_latency', 'raspi4_latency'] as const;
  assert.deepEqual(fixture.columns.slice(1), [...metrics]);
  let compared = 0;
  for (const [ops, ...values] of fixture.rows) {
    metrics.forEach((m, j) => {
      assert.equal(lutCost(ops, FBNET_SETTINGS['cifar100']!, m), values[j], `${m} of ${ops.join(',')}`);
      compared++;
    });
  }
  assert.equal(compared, 20000);
});

test('schedule: 22 layers, 7 stages, CIFAR-100 ends at 4x4 and ImageNet at 7x7; 26 table keys per arch', () => {
  const c = layerShapes(FBNET_SETTINGS['cifar100']!);
  assert.equal(c.length, 22);
  assert.deepEqual(
    c.filter((l) => l.stride === 2).map((l) => l.cin),
    [24, 32, 112],
  );
  const last = c[21]!;
  assert.equal(last.h / last.stride, 4);
  const i = layerShapes(FBNET_SETTINGS['ImageNet']!);
  assert.equal(i[21]!.h, 7);
  assert.equal(lutKeys(new Array<number>(22).fill(0), FBNET_SETTINGS['cifar100']!).length, 26);
});

test('every key a uniform architecture needs exists in all 8 tables, for all three settings', () => {
  const lut = loadFbnetLut();
  for (const ds of ['cifar100', 'cifar10', 'ImageNet'])
    for (let o = 0; o < FBNET_OPS.length; o++)
      for (const m of FBNET_METRICS) {
        const v = lutCost(new Array<number>(22).fill(o), FBNET_SETTINGS[ds]!, m);
        assert.ok(Number.isFinite(v) && v >= 0, `${ds} ${FBNET_OPS[o]!.name} ${m}`);
      }
  assert.equal(Object.keys(lut.lut).length, 8);
  assert.ok(!('edgetpu_latency' in lut.lut), 'HW-NAS-Bench has no FBNet Edge TPU table');
});
