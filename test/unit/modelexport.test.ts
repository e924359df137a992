// Model export against PyTorch (Debian's python3-torch as the reference): for NB201 (incl. degenerate cells),
// FBNet and AutoFormer T/S/B, the exported .py loads and runs, its parameter count and multiply-adds equal the
// spec's, and with the ONNX model's weights loaded into it, the module and ONNX Runtime give the same logits on
// the same input (|diff| <= 1e-6 + 1e-5·max|logit|, float32; measured: ≤ 1e-6 relative). Without python3-torch the PyTorch part is
// skipped with a message saying how to install it (scripts/test.sh installs it when run as root).

import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import * as ort from 'onnxruntime-node';
import { onnx } from 'onnx-proto';
import { fbnetSpace } from '../../src/core/fbnet/space.js';
import { gaussianInput } from '../../src/core/engine/inputs.js';
import { nb201Space } from '../../src/core/nb201/space.js';
import { exportOnnx, onnxInitializers, EXPORT_OPSET } from '../../src/core/modelexport/onnx.js';
import { pytorchSource } from '../../src/core/modelexport/pytorch.js';
import { specComplexity, targetOfSpec, type ExportTarget } from '../../src/core/modelexport/target.js';
import type { SpecFile } from '../../src/core/runstore.js';
import type { VitTarget } from '../../src/core/vit/export.js';
import { vitCost } from '../../src/core/vit/net.js';
import { vitSpace, type VitVariant } from '../../src/core/vit/space.js';

const PY = '/usr/bin/python3';
const CHECK = path.join(__dirname, '..', 'support', 'modelexport_check.py');
const TORCH =
  spawnSync(PY, ['-c', 'import torch, numpy'], { encoding: 'utf8' }).status === 0
    ? undefined
    : 'python3-torch is not installed (/usr/bin/python3 cannot import torch): run `apt-get install -y python3-torch` ' +
      '(scripts/test.sh does it when run as root); the PyTorch reference checks of the model export are SKIPPED';
if (TORCH) process.stderr.write(`modelexport.test: ${TORCH}\n`);

function spec(space: string, dataset: string, arch: string, id: string): SpecFile {
  return {
    format: 'llm-nas-spec-v1',
    space,
    dataset,
    evaluatedAt: '2026-01-01T00:00:00.000Z',
    id,
    niche: 0,
    generation: 0,
    arch,
    spec: { arch },
    operator: 'test',
    parents: [],
    rationale: '',
    evaluation: { predictedAccuracy: 0, proxies: {}, hw: {} },
  } as SpecFile;
}

function vitArch(v: VitVariant, pick: 'min' | 'mixed'): string {
  const s = vitSpace(v);
  const c = s.choices;
  const depth = pick === 'min' ? Math.min(...c.depth) : c.depth[1]!;
  const mlp = Array.from({ length: depth }, (_, i) =>
    pick === 'min' ? c.mlp[0]! : c.mlp[i % c.mlp.length]!,
  );
  const heads = Array.from({ length: depth }, (_, i) =>
    pick === 'min' ? c.heads[0]! : c.heads[(i + 1) % c.heads.length]!,
  );
  return s.format({ embed: pick === 'min' ? c.embed[0]! : c.embed[1]!, depth, mlp, heads });
}

const NB = {
  // every op on a live path: node1 = pool(x), node2 = conv1(x) + conv3(node1), node3 = x + 0 + conv3(node2)
  all: '|avg_pool_3x3~0|+|nor_conv_1x1~0|nor_conv_3x3~1|+|skip_connect~0|none~1|nor_conv_3x3~2|',
  disconnected: '|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|none~0|none~1|none~2|',
  allSkip: '|skip_connect~0|+|skip_connect~0|skip_connect~1|+|skip_connect~0|skip_connect~1|skip_connect~2|',
};
const FB = [
  'k3_e1',
  'k3_e1_g2',
  'skip',
  'k5_e6',
  'k3_e3',
  'skip',
  'k5_e1_g2',
  'k5_e3',
  'k3_e6',
  'skip',
  'k5_e1',
  'k3_e1',
  'k3_e6',
  'k5_e6',
  'skip',
  'k3_e3',
  'k5_e3',
  'k3_e1_g2',
  'skip',
  'k5_e6',
  'k3_e1',
  'skip',
].join('|');

interface Case {
  name: string;
  target: ExportTarget;
  /** AutoFormer: the ONNX model and the outputs are compared at this resolution (the spec's figures at 224). */
  testResolution?: number;
}

const CASES: Case[] = [
  { name: 'nb201-cifar10-all-ops', target: targetOfSpec(spec('nb201', 'cifar10', NB.all, 'nb201-a')) },
  {
    name: 'nb201-imagenet16-all-ops',
    target: targetOfSpec(spec('nb201', 'ImageNet16-120', NB.all, 'nb201-a')),
  },
  {
    name: 'nb201-disconnected',
    target: targetOfSpec(spec('nb201', 'cifar10', NB.disconnected, 'nb201-d')),
  },
  { name: 'nb201-all-skip', target: targetOfSpec(spec('nb201', 'cifar10', NB.allSkip, 'nb201-s')) },
  { name: 'fbnet-cifar100', target: targetOfSpec(spec('fbnet', 'cifar100', FB, 'fbnet-x')) },
  ...(['T', 'S', 'B'] as const).map((v) => ({
    name: `autoformer-${v.toLowerCase()}`,
    target: targetOfSpec(
      spec(`autoformer-${v.toLowerCase()}`, 'imagenet', vitArch(v, v === 'T' ? 'mixed' : 'min'), `vit-${v}`),
    ),
    testResolution: 32,
  })),
];

const BATCH = 2;

async function writeCase(dir: string, c: Case): Promise<{ expectFlops: number; linearBias: boolean }> {
  fs.mkdirSync(dir, { recursive: true });
  const t = c.target;
  fs.writeFileSync(path.join(dir, 'model.py'), pytorchSource(t));
  const e = exportOnnx(t, c.testResolution ? { resolution: c.testResolution } : {});
  const res = e.inputShape[2];
  // weights for the module, as read back from the .onnx file's initialisers
  const inits = onnxInitializers(e.bytes);
  const manifest: Record<string, { dims: number[]; offset: number }> = {};
  const parts: Buffer[] = [];
  let offset = 0;
  for (const [name, { dims, data }] of inits) {
    if (name.includes('__')) continue; // the builder's own constants (scalars, shapes)
    manifest[name] = { dims, offset };
    parts.push(Buffer.from(data.buffer, data.byteOffset, data.byteLength));
    offset += data.length;
  }
  fs.writeFileSync(path.join(dir, 'weights.bin'), Buffer.concat(parts));
  fs.writeFileSync(path.join(dir, 'weights.json'), JSON.stringify(manifest));
  const x = gaussianInput(7, 'export-test', BATCH * 3 * res * res);
  fs.writeFileSync(path.join(dir, 'input.bin'), Buffer.from(x.buffer));
  const session = await ort.InferenceSession.create(e.bytes, { intraOpNumThreads: 1, interOpNumThreads: 1 });
  const out = await session.run({ x: new ort.Tensor('float32', x, [BATCH, 3, res, res]) });
  await session.release();
  const y = out['logits']!;
  assert.deepEqual(y.dims, [BATCH, e.numClasses]);
  fs.writeFileSync(path.join(dir, 'output.bin'), Buffer.from((y.data as Float32Array).buffer));
  const vitFlops =
    t.kind === 'vit'
      ? vitCost((t as VitTarget).shape, { ...(t as VitTarget).cfg, resolution: res }).flopsM * 1e6
      : undefined;
  fs.writeFileSync(
    path.join(dir, 'meta.json'),
    JSON.stringify({
      num_classes: e.numClasses,
      input_shape: [BATCH, 3, res, res],
      output_shape: [BATCH, e.numClasses],
      flops_resolution: res,
      linear_bias_flops: t.kind !== 'vit',
      ...(t.kind === 'vit' ? { build_kwargs: { img_size: res } } : {}),
    }),
  );
  return {
    expectFlops: vitFlops ?? specComplexity(t).flopsM * 1e6,
    linearBias: t.kind !== 'vit',
  };
}

test('ONNX exports state opset, input, output, provenance and initialisation; weights are named as the module', () => {
  const t = CASES[0]!.target;
  const e = exportOnnx(t);
  const m = onnx.ModelProto.decode(e.bytes);
  assert.equal(Number(m.opsetImport![0]!.version), EXPORT_OPSET);
  const input = m.graph!.input![0]!;
  assert.equal(input.name, 'x');
  assert.deepEqual(
    input.type!.tensorType!.shape!.dim!.map((d) => d.dimParam || Number(d.dimValue)),
    ['N', 3, 32, 32],
  );
  assert.equal(m.graph!.output![0]!.name, 'logits');
  const meta = Object.fromEntries(m.metadataProps!.map((p) => [p.key, p.value]));
  assert.equal(meta['llm_nas.arch'], NB.all);
  assert.match(meta['llm_nas.init']!, /U\(-1\/sqrt\(fan_in\)/);
  assert.match(m.docString!, /Opset 17/);
  const names = [...onnxInitializers(e.bytes).keys()];
  for (const k of ['stem.conv.weight', 'cells.0.edge1.conv.weight', 'cells.5.downsample.conv.weight'])
    assert.ok(names.includes(k), k);
  // the PyTorch source names the same modules and carries the arch in its docstring
  const src = pytorchSource(t);
  assert.match(src, /^"""NAS-Bench-201 network/);
  assert.ok(src.includes(`Architecture: ${NB.all}`));
  assert.match(src, /def build\(num_classes=10\)/);
  assert.doesNotMatch(src, /^import (?!torch)|^from (?!torch|collections)/m);
});

test('every exported ONNX model runs in ONNX Runtime with a symbolic batch', async () => {
  for (const c of CASES.filter((c) => c.target.kind !== 'vit' || c.name === 'autoformer-t')) {
    const e = exportOnnx(c.target, c.testResolution ? { resolution: c.testResolution } : {});
    const r = e.inputShape[2];
    const s = await ort.InferenceSession.create(e.bytes);
    for (const n of [1, 3]) {
      const out = await s.run({
        x: new ort.Tensor('float32', gaussianInput(1, 'b', n * 3 * r * r), [n, 3, r, r]),
      });
      assert.deepEqual(out['logits']!.dims, [n, e.numClasses], c.name);
      assert.ok((out['logits']!.data as Float32Array).every(Number.isFinite), c.name);
    }
    await s.release();
  }
});

test('PyTorch modules match the spec and ONNX Runtime (NB201 incl. degenerate cells, FBNet, AutoFormer T/S/B)', async (t) => {
  if (TORCH) {
    t.skip(TORCH);
    return;
  }
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'llm-nas-export-'));
  try {
    const expect = new Map<string, { expectFlops: number; linearBias: boolean }>();
    for (const c of CASES) expect.set(c.name, await writeCase(path.join(root, c.name), c));
    // negative control: the same NB201 case with a subtly wrong module (average pooling counting the padding)
    // must be caught by the comparison
    const control = path.join(root, 'control-count-include-pad');
    await writeCase(control, CASES[0]!);
    const src = fs.readFileSync(path.join(control, 'model.py'), 'utf8');
    assert.ok(src.includes('count_include_pad=False'));
    fs.writeFileSync(
      path.join(control, 'model.py'),
      src.replace('count_include_pad=False', 'count_include_pad=True'),
    );
    const out = execFileSync(PY, [CHECK, ...CASES.map((c) => path.join(root, c.name)), control], {
      encoding: 'utf8',
      maxBuffer: 1 << 24,
    });
    const rows = out
      .trim()
      .split('\n')
      .map(
        (l) =>
          JSON.parse(l) as {
            case: string;
            params: number;
            flops: number;
            max_abs_diff: number;
            max_abs_ref: number;
            missing: string[];
            unused: string[];
            shape_mismatch: string[];
          },
      );
    assert.equal(rows.length, CASES.length + 1);
    const ctl = rows.pop()!;
    assert.ok(
      ctl.max_abs_diff > 1e-6 + 1e-5 * ctl.max_abs_ref,
      `the negative control was not caught: ${ctl.max_abs_diff} (max |logit| ${ctl.max_abs_ref})`,
    );
    t.diagnostic(
      `negative control (count_include_pad=True): max |torch - ort| ${ctl.max_abs_diff.toExponential(2)}`,
    );
    for (const r of rows) {
      const c = CASES.find((x) => x.name === r.case)!;
      const spec = specComplexity(c.target);
      assert.equal(r.params, Math.round(spec.paramsM * 1e6), `${r.case}: params`);
      const ef = expect.get(r.case)!.expectFlops;
      assert.ok(Math.abs(r.flops - ef) <= 1e-6 * ef + 1, `${r.case}: FLOPs ${r.flops} vs ${ef}`);
      assert.deepEqual(r.missing, [], `${r.case}: module weights without an ONNX initialiser`);
      assert.deepEqual(r.unused, [], `${r.case}: ONNX initialisers the module does not have`);
      assert.deepEqual(r.shape_mismatch, [], `${r.case}: shapes`);
      assert.ok(
        r.max_abs_diff <= 1e-6 + 1e-5 * r.max_abs_ref,
        `${r.case}: |torch - onnxruntime| = ${r.max_abs_diff} (max |logit| ${r.max_abs_ref})`,
      );
      assert.ok(r.max_abs_ref > 0, `${r.case}: logits are not all zero (the bias at least)`);
      t.diagnostic(
        `${r.case}: params ${r.params}, FLOPs ${r.flops}, max |torch - ort| ${r.max_abs_diff.toExponential(2)} (max |logit| ${r.max_abs_ref.toExponential(2)})`,
      );
    }
    // the NB201 figures are the published table's, so the module reproduces NAS-Bench-201's own counts
    const nbSpace = nb201Space.features(nb201Space.parse(NB.all));
    assert.equal(
      rows.find((r) => r.case === 'nb201-cifar10-all-ops')!.params,
      Math.round(nbSpace['params_m']! * 1e6),
    );
    assert.ok(fbnetSpace('cifar100').features(fbnetSpace('cifar100').parse(FB))['n_skip']! >= 5);
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});
