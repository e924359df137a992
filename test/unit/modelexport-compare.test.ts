// compare / plot / measure over run folders: HV and IGD against the union front by hand, the benchmark's own
// scores on NB201 runs, the SVG and PNG pictures, and the measured-here latency.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { compareMarkdown, compareRuns } from '../../src/core/modelexport/compare.js';
import { measureTarget, MEASURED_HERE } from '../../src/core/modelexport/measure.js';
import { plotData, plotSvg, svgToPng } from '../../src/core/modelexport/plot.js';
import { loadTarget } from '../../src/core/modelexport/target.js';
import { RUN_FORMAT, type RunConfig } from '../../src/core/runstore.js';
import { nb201Space } from '../../src/core/nb201/space.js';

const FB_ARCH = new Array(22).fill('skip').join('|');

function writeRun(
  dir: string,
  id: string,
  points: { acc: number; lat: number; gen: number; arch?: string; space?: string; trueAcc?: number }[],
  space = 'fbnet',
  dataset = 'cifar100',
  metric = 'pixel3_latency',
): void {
  fs.mkdirSync(path.join(dir, 'archs'), { recursive: true });
  const config: RunConfig = {
    format: RUN_FORMAT,
    id,
    createdAt: '2026-01-01T00:00:00Z',
    space,
    dataset,
    devices: [metric.split('_')[0]!],
    metric: 'latency',
    costMetrics: [metric],
    predictor: 'params',
    operator: 'builtin',
    partition: true,
    generations: 2,
    budget: 10,
    adaptive: true,
    seed: 0,
  };
  fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify(config));
  const front = points.map((p, i) => {
    const sid = `${id}-${i}`;
    const arch = p.arch ?? FB_ARCH;
    fs.writeFileSync(
      path.join(dir, 'archs', `${sid}.json`),
      JSON.stringify({
        format: 'llm-nas-spec-v1',
        space,
        dataset,
        evaluatedAt: '2026-01-01T00:00:00Z',
        id: sid,
        niche: 0,
        generation: p.gen,
        arch,
        spec: { arch },
        operator: 'test',
        parents: [],
        rationale: '',
        evaluation: {
          predictedAccuracy: p.acc,
          proxies: {},
          hw: { [metric]: p.lat },
          ...(p.trueAcc !== undefined ? { trueAccuracy: p.trueAcc } : {}),
        },
      }),
    );
    return {
      id: sid,
      niche: 0,
      arch,
      predictedAccuracy: p.acc,
      hw: { [metric]: p.lat },
      ...(p.trueAcc !== undefined ? { trueAccuracy: p.trueAcc } : {}),
    };
  });
  fs.writeFileSync(
    path.join(dir, 'front.json'),
    JSON.stringify({
      run: id,
      space,
      dataset,
      costMetrics: [metric],
      predictor: { id: 'params', unit: 'M', labels: 0 },
      evaluations: points.length,
      wallMs: 1,
      complete: true,
      front,
    }),
  );
}

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'llm-nas-compare-'));
process.on('exit', () => fs.rmSync(root, { recursive: true, force: true }));
const A = path.join(root, 'run-a');
const B = path.join(root, 'run-b');
writeRun(A, 'a', [
  { acc: 0.9, lat: 4, gen: 0 },
  { acc: 0.5, lat: 1, gen: 1 },
]);
writeRun(B, 'b', [{ acc: 0.8, lat: 2, gen: 0 }]);

test('compare: HV and IGD against the union front equal the hand computation; regions name the owners', () => {
  const c = compareRuns([A, B], 2);
  assert.equal(c.unionSize, 3);
  assert.equal(c.accuracy, 'predicted');
  const [a, b] = c.runs;
  // union normalised: a1 (0, 1), a2 (1, 0), b (0.25, 1/3); reference 1.1; HV(union) = 0.71
  assert.ok(Math.abs(a!.union.hvRatio - 0.21 / 0.71) < 1e-12, String(a!.union.hvRatio));
  assert.ok(Math.abs(b!.union.hvRatio - (0.85 * (1.1 - 1 / 3)) / 0.71) < 1e-12, String(b!.union.hvRatio));
  assert.ok(Math.abs(a!.union.igd - Math.sqrt(0.0625 + 4 / 9) / 3) < 1e-12);
  assert.equal(a!.union.pointsOnUnion, 2);
  assert.equal(b!.union.pointsOnUnion, 1);
  assert.equal(a!.truth, undefined); // FBNet has no true front
  assert.deepEqual(
    c.regions.map((r) => r.owners),
    [
      [
        { name: 'run-a', points: 1 },
        { name: 'run-b', points: 1 },
      ],
      [{ name: 'run-a', points: 1 }],
    ],
  );
  const md = compareMarkdown(c);
  assert.match(md, /\| run-a \| 2 \| 2 \| 0\.2958 \|/);
  assert.doesNotMatch(md, /true front/);
});

test('compare refuses runs of different tasks', () => {
  const C = path.join(root, 'run-c');
  writeRun(C, 'c', [{ acc: 0.7, lat: 3, gen: 0 }], 'fbnet', 'cifar100', 'raspi4_latency');
  assert.throws(() => compareRuns([A, C]), /not the task of/);
});

test('compare on NB201 adds the benchmark HV ratio and IGD (true front) and uses true accuracy', () => {
  const cells = [
    '|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_3x3~2|',
    '|avg_pool_3x3~0|+|skip_connect~0|nor_conv_1x1~1|+|none~0|skip_connect~1|avg_pool_3x3~2|',
  ];
  const N1 = path.join(root, 'nb-1');
  const N2 = path.join(root, 'nb-2');
  writeRun(
    N1,
    'n1',
    cells.map((arch, i) => ({ arch, acc: 0.5 + i, lat: 1 + i, gen: 0, trueAcc: 90 - 10 * i })),
    'nb201',
    'cifar10',
    'edgegpu_latency',
  );
  writeRun(
    N2,
    'n2',
    [{ arch: cells[1]!, acc: 0.1, lat: 2, gen: 0, trueAcc: 80 }],
    'nb201',
    'cifar10',
    'edgegpu_latency',
  );
  const c = compareRuns([N1, N2]);
  assert.equal(c.accuracy, 'true');
  const [r1, r2] = c.runs;
  assert.ok(r1!.truth && r2!.truth);
  assert.ok(r1!.truth.hvRatio > 0 && r1!.truth.hvRatio <= 1);
  // run 1 contains run 2's only architecture, so it scores at least as well against the true front
  assert.ok(r1!.truth.hvRatio >= r2!.truth.hvRatio);
  assert.equal(r1!.union.hvRatio, 1);
  assert.match(compareMarkdown(c), /HV ratio \(true front\)/);
  assert.ok(nb201Space.parse(cells[0]!));
});

test('plot: SVG with both runs, fronts, HV history; PNG renders at the asked width', async () => {
  const d = plotData([A, B]);
  assert.equal(d.series.length, 2);
  assert.deepEqual(
    d.series[0]!.hv.map((h) => h.generation),
    [0, 1],
  );
  // after generation 1 run a holds both its points: its union HV ratio
  assert.ok(Math.abs(d.series[0]!.hv[1]!.hvRatio - 0.21 / 0.71) < 1e-12);
  assert.ok(Math.abs(d.series[0]!.hv[0]!.hvRatio - 0.11 / 0.71) < 1e-12);
  const svg = plotSvg(d);
  assert.match(svg, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
  assert.ok(svg.trimEnd().endsWith('</svg>'));
  assert.match(svg, /run-a \(2 non-dominated of 2 evaluated\)/);
  assert.match(svg, /HV ratio \(union front\)/);
  assert.equal((svg.match(/r="4"/g) ?? []).length, 3); // the front markers
  const png = await svgToPng(svg, 800);
  assert.deepEqual([...png.subarray(1, 4)], [...Buffer.from('PNG')]);
  assert.equal(Buffer.from(png).readUInt32BE(16), 800); // IHDR width
});

test('measure: a positive median labelled "measured here", with batch and threads in its context', async () => {
  const dir = path.join(root, 'nb-1');
  const t = loadTarget(dir, 'n1-1');
  const m = await measureTarget(t, { runs: 3, warmup: 1, batch: 2 });
  assert.equal(m.label, MEASURED_HERE);
  assert.ok(m.medianMs > 0 && Number.isFinite(m.medianMs));
  assert.match(m.context, /^measured here: .*batch 2, 1 intra-op thread, 1 warm-up runs, median of 3$/);
});

const REPO = path.join(__dirname, '..', '..');
const CLI = path.join(REPO, 'src', 'cli', 'main.ts');
const cli = (...args: string[]) =>
  spawnSync(process.execPath, ['--import', 'tsx', CLI, ...args], { encoding: 'utf8', cwd: REPO });

test('CLI: export-model writes the .py and .onnx files, and refuses what it cannot export with exit 2', () => {
  const py = path.join(root, 'a0.py');
  const r = cli('export-model', A, 'a-0', '--format', 'pytorch', '--out', py);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout.trim(), py);
  assert.match(fs.readFileSync(py, 'utf8'), /class FBNet\(nn\.Module\)/);
  const ox = path.join(root, 'a0.onnx');
  const o = cli('export-model', path.join(A, 'archs', 'a-0.json'), '--format', 'onnx', '--out', ox);
  assert.equal(o.status, 0, o.stderr);
  assert.match(o.stderr, /Opset 17/);
  assert.ok(fs.statSync(ox).size > 1000);
  const bad = cli('export-model', A, 'a-0', '--format', 'tflite');
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /--format must be pytorch or onnx/);
  const missing = cli('export-model', A, 'nope', '--format', 'onnx');
  assert.equal(missing.status, 2); // a folder without that id is the user's mistake (RunFolderError: exit 2)
  assert.match(missing.stderr, /no architecture "nope" in this run/);
  const user = path.join(root, 'user-run');
  writeRun(user, 'u', [{ acc: 1, lat: 1, gen: 0, arch: 'x' }], 'my-space', 'd', 'cpu_latency');
  const u = cli('export-model', user, 'u-0', '--format', 'pytorch');
  assert.equal(u.status, 2);
  assert.match(u.stderr, /user-defined or external space/);
});

test('CLI: compare prints the table, plot writes the SVG; runs of different tasks are a usage error', () => {
  const c = cli('compare', A, B);
  assert.equal(c.status, 0, c.stderr);
  assert.match(c.stdout, /\| run-b \| 1 \| 1 \| 0\.9178 \|/);
  const svg = path.join(root, 'f.svg');
  const p = cli('plot', A, B, '--out', svg);
  assert.equal(p.status, 0, p.stderr);
  assert.match(fs.readFileSync(svg, 'utf8'), /<svg /);
  const x = cli('compare', A, path.join(root, 'run-c'));
  assert.equal(x.status, 2);
  assert.match(x.stderr, /compare runs of one task/);
});
