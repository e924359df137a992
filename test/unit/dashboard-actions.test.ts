// The dashboard's model and picture actions without VS Code: where files go in the run folder, the saved plot
// (the same SVG as `llm-nas plot`, a PNG of it), the measured-here text and what the panel gets of a measurement.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { plotData, plotSvg } from '../../src/core/modelexport/plot.js';
import { measureTarget } from '../../src/core/modelexport/measure.js';
import { loadTarget } from '../../src/core/modelexport/target.js';
import { SearchRun, type FrontFile } from '../../src/core/run.js';
import { RunStore } from '../../src/core/runstore.js';
import {
  checkArchId,
  measuredHere,
  modelPath,
  overlayCandidates,
  overlayFronts,
  plotPath,
  writeRunPlot,
} from '../../src/extension/dashboard-actions.js';
import { measuredText, measuredTitle } from '../../webview/format.js';
import { nb201TestConfig } from '../support/config.js';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'llm-nas-dash-actions-'));
process.on('exit', () => fs.rmSync(root, { recursive: true, force: true }));

test('architecture ids: spec-file names only; models and plots go under the run folder', () => {
  assert.equal(checkArchId('n0-12'), 'n0-12');
  for (const bad of ['../x', 'a/b', '', '.hidden', 'a b'])
    assert.throws(() => checkArchId(bad), /not an architecture id/, bad);
  assert.equal(modelPath('/r', 'n1-3', 'pytorch'), path.join('/r', 'models', 'n1-3.py'));
  assert.equal(modelPath('/r', 'n1-3', 'onnx'), path.join('/r', 'models', 'n1-3.onnx'));
  assert.throws(() => modelPath('/r', '../../etc/passwd', 'onnx'));
  assert.equal(plotPath('/r', 'svg'), path.join('/r', 'plots', 'pareto.svg'));
  assert.equal(plotPath('/r', 'png'), path.join('/r', 'plots', 'pareto.png'));
});

test('Save plot writes the CLI picture of the run (SVG byte-equal to plotSvg), and a PNG of it', async () => {
  const dir = path.join(root, 'run');
  const run = SearchRun.start(dir, nb201TestConfig({ generations: 3, budget: 60 }));
  await run.done;
  const svgOut = plotPath(dir, 'svg');
  const n = await writeRunPlot([dir], 'svg', svgOut);
  const svg = fs.readFileSync(svgOut, 'utf8');
  assert.equal(n, Buffer.byteLength(svg));
  assert.equal(svg, plotSvg(plotData([dir])));
  const front = JSON.parse(fs.readFileSync(path.join(dir, 'front.json'), 'utf8')) as FrontFile;
  assert.ok(front.front.length > 1);
  assert.match(svg, /HV ratio \(true front\)/); // NB201 has a true front
  assert.match(svg, /non-dominated of 60 evaluated/);
  const pngOut = plotPath(dir, 'png');
  await writeRunPlot([dir], 'png', pngOut);
  const png = fs.readFileSync(pngOut);
  assert.equal(png.subarray(1, 4).toString('latin1'), 'PNG');
  assert.equal(png.readUInt32BE(16), 1920); // IHDR width: the CLI's default
  await assert.rejects(() => writeRunPlot([path.join(root, 'nothing')], 'svg', path.join(root, 'x.svg')));
});

test('a measurement as the panel shows it: "measured here", with batch, threads and runs', async () => {
  const dir = path.join(root, 'run');
  const id = (JSON.parse(fs.readFileSync(path.join(dir, 'front.json'), 'utf8')) as FrontFile).front[0]!.id;
  const m = await measureTarget(loadTarget(dir, id), { runs: 3, warmup: 1 });
  const p = measuredHere(id, m);
  assert.equal(p.archId, id);
  assert.equal(p.medianMs, m.medianMs);
  assert.ok(p.medianMs > 0);
  assert.deepEqual([p.batch, p.threads, p.runs, p.label], [1, 1, 3, 'measured here']);
  assert.equal(measuredText({ medianMs: 0.8349, label: 'measured here' }), '0.83 ms measured here');
  assert.equal(measuredText({ medianMs: 12.34, label: 'measured here' }), '12.3 ms measured here');
  assert.equal(measuredText({ medianMs: 153.6, label: 'measured here' }), '154 ms measured here');
  const t = measuredTitle(p);
  assert.match(t, /batch 1, 1 thread, median of 3/);
  assert.match(t, /not the lookup table/);
  assert.ok(t.endsWith(m.context));
});

test('overlay: the fronts of other runs of the task beside the shown one, in its axes', async () => {
  const dir = path.join(root, 'run');
  const other = path.join(root, 'run-seed2');
  await SearchRun.start(other, nb201TestConfig({ generations: 3, budget: 60, seed: 2 })).done;
  const energy = path.join(root, 'run-energy');
  await SearchRun.start(
    energy,
    nb201TestConfig({ generations: 2, budget: 30, costMetrics: ['edgegpu_energy'], metric: 'energy' }),
  ).done;
  fs.mkdirSync(path.join(root, 'not-a-run'));
  assert.deepEqual(
    overlayCandidates(dir).map((c) => c.name),
    ['run-seed2'],
  );
  const [o] = await overlayFronts(dir, [other]);
  const f = JSON.parse(fs.readFileSync(path.join(other, 'front.json'), 'utf8')) as FrontFile;
  assert.equal(o!.name, 'run-seed2');
  assert.deepEqual(
    o!.front.map((m) => m.id),
    f.front.map((m) => m.id),
  );
  const specs = new Map(
    RunStore.open(other)
      .readSpecs()
      .map((s) => [s.id, s]),
  );
  for (const m of o!.front) {
    const s = specs.get(m.id)!;
    assert.equal(m.predicted, s.evaluation.predictedAccuracy);
    assert.deepEqual(m.hw, [s.evaluation.hw['edgegpu_latency']]);
    assert.equal(m.truth, s.evaluation.trueAccuracy);
    assert.ok(typeof m.truth === 'number');
  }
  await assert.rejects(() => overlayFronts(dir, [energy]), /overlay runs of one task/);
});
