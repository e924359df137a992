// The packed NB201/HW-NAS-Bench table against official HW-NAS-Bench values and NB201's known optima.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { HW_METRICS, loadNb201Table, NB201_DATASETS } from '../../src/core/nb201/table';
import { nb201Space } from '../../src/core/nb201/space';

const fixtures = path.join(__dirname, '..', 'fixtures');

// load time is measured by scripts/bench-core.ts, not asserted here (timed tests flake under load)
test('loads the packed table with all 15,625 cells; the shipped file stays under 10 MB', () => {
  const t = loadNb201Table();
  assert.equal(t.n, 15625);
  assert.ok(fs.statSync(path.join(__dirname, '..', '..', 'data', 'nb201.bin.gz')).size < 10e6);
});

test('matches the official HW-NAS-Bench example values for indices 0-2 on all datasets and metrics', () => {
  const ref = JSON.parse(
    fs.readFileSync(path.join(fixtures, 'hwnasbench_reference_examples.json'), 'utf8'),
  ) as {
    values: Record<string, Record<string, Record<string, number | string>>>;
  };
  const t = loadNb201Table();
  let checked = 0;
  for (const ds of NB201_DATASETS) {
    for (const idx of ['0', '1', '2']) {
      const r = ref.values[ds]![idx]!;
      assert.equal(nb201Space.format(nb201Space.fromIndex(Number(idx))), r.arch);
      for (const m of HW_METRICS) {
        assert.equal(t.hw(ds, m)[Number(idx)], r[m], `${ds}/${idx}/${m}`);
        checked++;
      }
    }
  }
  assert.equal(checked, 90);
});

test('known NB201 optima: CIFAR-10 94.3733 at 6111/13714, CIFAR-100 73.5133 at 9930, ImageNet16-120 47.3111 at 857', () => {
  const t = loadNb201Table();
  const argmax = (a: Float64Array): number[] => {
    const m = Math.max(...a);
    return [...a.keys()].filter((i) => a[i] === m);
  };
  const c10 = t.testAccuracy('cifar10');
  assert.deepEqual(argmax(c10), [6111, 13714]);
  assert.equal(c10[6111]!.toFixed(4), '94.3733');
  assert.deepEqual(argmax(t.testAccuracy('cifar100')), [9930]);
  assert.equal(t.testAccuracy('cifar100')[9930]!.toFixed(4), '73.5133');
  assert.deepEqual(argmax(t.testAccuracy('ImageNet16-120')), [857]);
  assert.equal(t.testAccuracy('ImageNet16-120')[857]!.toFixed(4), '47.3111');
});

test('EdgeTPU has values for exactly 10,926 cells; other metrics are complete', () => {
  const t = loadNb201Table();
  for (const ds of NB201_DATASETS) {
    for (const m of HW_METRICS) {
      const have = t.hw(ds, m).filter((v) => !Number.isNaN(v)).length;
      assert.equal(have, m === 'edgetpu_latency' ? 10926 : 15625, `${ds}/${m}`);
    }
  }
});

test('published proxies are present: FreeREA naswot/logsynflow and zen for all, 13 NB-Suite-Zero proxies where published', () => {
  const t = loadNb201Table();
  for (const ds of NB201_DATASETS) {
    for (const p of ['freerea_naswot', 'freerea_logsynflow', 'nbsz_zen'])
      assert.equal(t.proxy(ds, p).filter((v) => !Number.isNaN(v)).length, 15625, `${ds}/${p}`);
  }
  assert.equal(t.proxyNames('cifar10').filter((p) => p.startsWith('nbsz_')).length, 13);
  assert.equal(t.proxy('cifar10', 'nbsz_synflow').filter((v) => !Number.isNaN(v)).length, 9445);
});
