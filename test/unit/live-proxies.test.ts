// Live zero-cost proxies against the PyTorch reference (test/fixtures/live/nb201-proxies.json, written by
// scripts/gen-proxy-fixtures.py from the same deterministic weights and inputs).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { buildNb201Net, NB201_NET_CONFIGS } from '../../src/core/nb201/net.js';
import {
  DEFAULT_SETTINGS,
  LIVE_PROXIES,
  makeInputs,
  scoreNet,
  settingsKey,
  type LiveProxy,
} from '../../src/core/engine/proxies.js';
import { normalTensor, tensorKey, uniformTensor } from '../../src/core/engine/weights.js';
import { imageBatch } from '../../src/core/engine/inputs.js';
import { nb201Space } from '../../src/core/nb201/space.js';

interface Case {
  arch: string;
  dataset: string;
  settings: { batch: number; zenBatch: number; zenAlpha: number; seed: number };
  proxies: Record<LiveProxy, number | null>;
}
const fixture = JSON.parse(
  fs.readFileSync(path.join(__dirname, '..', 'fixtures', 'live', 'nb201-proxies.json'), 'utf8'),
) as { probe: Record<string, number[]>; cases: Case[] };

function close(actual: number, expected: number | null, rel: number, what: string): void {
  if (expected === null) {
    assert.equal(actual, -Infinity, `${what}: expected -inf, got ${actual}`);
    return;
  }
  const err = Math.abs(actual - expected) / Math.max(Math.abs(expected), 1e-12);
  assert.ok(
    err <= rel,
    `${what}: ${actual} vs PyTorch ${expected} (relative error ${err.toExponential(2)} > ${rel})`,
  );
}

/**
 * jacov = −Σ log(λ + 1e-5) + 1/(λ + 1e-5) over the eigenvalues of a (B × B) correlation of float32 gradients, both
 * sides float32: worst relative error over the 9 cases 6.8e-5 (the deep skip-chain cell), the others ≤ 3e-6.
 */
const JACOV_REL = 2e-4;

describe('live proxies vs PyTorch', () => {
  it('generates the same weights, noise and normalised images as the Python reference', () => {
    assert.deepEqual(
      Array.from(
        uniformTensor(tensorKey(7, 'torch-default', 'cells.3.edge1.conv.weight'), 5, 1 / Math.sqrt(144)),
      ),
      fixture.probe['uniform'],
    );
    assert.deepEqual(
      Array.from(normalTensor(tensorKey(7, 'gaussian', 'stem.conv.weight'), 5)),
      fixture.probe['normal'],
    );
    assert.deepEqual(Array.from(imageBatch('cifar10', 1).subarray(0, 5)), fixture.probe['image0']);
  });

  it('another input batch: imageOffset reads the shipped images from that image on, and is part of the key', () => {
    const all = imageBatch('cifar10', 40);
    const px = 3 * 32 * 32;
    assert.deepEqual(imageBatch('cifar10', 8, undefined, 32), all.subarray(32 * px, 40 * px));
    assert.throws(
      () => imageBatch('cifar10', 32, undefined, 240),
      /holds 256 images, 32 asked from image 240/,
    );
    assert.throws(() => imageBatch('cifar10', 8, undefined, -1), /asked from image -1/);
    // the default batch's key is unchanged (the shipped tables' headers), another offset is another key
    assert.equal(settingsKey('cifar10', DEFAULT_SETTINGS), 'cifar10;b32;zb8;za0.01;s0');
    assert.equal(
      settingsKey('cifar10', { ...DEFAULT_SETTINGS, imageOffset: 32 }),
      'cifar10;b32;zb8;za0.01;s0;io32',
    );
    const a = makeInputs('cifar10', DEFAULT_SETTINGS);
    const b = makeInputs('cifar10', { ...DEFAULT_SETTINGS, imageOffset: 32 });
    assert.notDeepEqual(a.images, b.images);
    assert.deepEqual(a.zenX, b.zenX, 'the Gaussian inputs follow the seed, not the image batch');
  });

  for (const c of fixture.cases) {
    it(`${c.dataset} b${c.settings.batch} ${c.arch}`, async () => {
      const s = { ...DEFAULT_SETTINGS, proxies: LIVE_PROXIES, ...c.settings };
      const net = buildNb201Net(nb201Space.parse(c.arch), NB201_NET_CONFIGS[c.dataset]!);
      const got = await scoreNet(net, s, makeInputs(c.dataset, s));
      for (const p of ['naswot', 'meco', 'zen', 'params', 'flops'] as const)
        close(got[p]!, c.proxies[p], 1e-4, p);
      close(got.logsynflow!, c.proxies.logsynflow, 1e-6, 'logsynflow');
      // SWAP counts distinct binary patterns: a pre-activation within float rounding of 0 may flip one bit
      close(got.swap!, c.proxies.swap, 1e-4, 'swap');
      // AZ-NAS expressivity (sum over the 17 cells of an eigen-entropy, float32 covariances on both sides)
      close(got.expressivity!, c.proxies.expressivity, 1e-4, 'expressivity');
      // progressivity is a difference of two entropies (|value| ~0.003-0.3): an absolute tolerance
      const dp = Math.abs(got.progressivity! - c.proxies.progressivity!);
      assert.ok(dp <= 1e-3, `progressivity: ${got.progressivity} vs ${c.proxies.progressivity}`);
      // jacov: the adjoint graph's input gradient (onnx.ts emitInputGradient) against PyTorch autograd
      close(got.jacov!, c.proxies.jacov, JACOV_REL, 'jacov');
      // AZ-NAS trainability, forward-mode estimate on both sides (PyTorch: torch.autograd.forward_ad): a mean of
      // 17 terms −σ − 1/σ + 2 (|value| ~0.05-2). A ReLU whose pre-activation is within the two primals' rounding
      // of 0 masks the tangent on one side only, which moves M by ~1/(B·H·W) at that position: worst absolute
      // error over the 9 cases 4.1e-4 (one cell), the others ≤ 4.3e-5; asserted at 1e-3 absolute (or relative)
      const want = c.proxies.trainability!;
      const dt = Math.abs(got.trainability! - want);
      assert.ok(
        dt <= Math.max(1e-3, 1e-3 * Math.abs(want)),
        `trainability: ${got.trainability} vs PyTorch ${want}`,
      );
    });
  }
});

// AZ-NAS's terms in the paper's own settings (ProxySettings.azBatch: a pass of their own on Gaussian noise,
// Kaiming-normal weights, the stem's output among the features), against scripts/gen-proxy-fixtures.py --az-paper
const azPaper = JSON.parse(
  fs.readFileSync(path.join(__dirname, '..', 'fixtures', 'live', 'nb201-az-paper.json'), 'utf8'),
) as { probe: Record<string, number[]>; cases: (Case & { settings: { azBatch: number } })[] };

describe('AZ-NAS terms in the paper settings (azBatch) vs PyTorch', () => {
  it('generates the same Kaiming-normal weights and noise, and azBatch is part of the key', () => {
    assert.deepEqual(
      Array.from(normalTensor(tensorKey(7, 'kaiming-normal', 'stem.conv.weight'), 5, Math.sqrt(2 / 27))),
      azPaper.probe['kaiming'],
    );
    const s = { ...DEFAULT_SETTINGS, seed: 7, azBatch: 16 };
    assert.deepEqual(Array.from(makeInputs('cifar10', s).azX!.subarray(0, 5)), azPaper.probe['az_x']);
    assert.equal(
      settingsKey('cifar10', { ...DEFAULT_SETTINGS, azBatch: 64 }),
      'cifar10;b32;zb8;za0.01;s0;az64',
    );
    assert.equal(makeInputs('cifar10', DEFAULT_SETTINGS).azX, undefined);
  });

  for (const c of azPaper.cases) {
    it(`${c.dataset} az${c.settings.azBatch} ${c.arch}`, async () => {
      const proxies = ['expressivity', 'progressivity', 'trainability'] as const;
      const s = { ...DEFAULT_SETTINGS, ...c.settings, proxies };
      const net = buildNb201Net(nb201Space.parse(c.arch), NB201_NET_CONFIGS[c.dataset]!);
      const got = await scoreNet(net, s, makeInputs(c.dataset, s));
      // 18 feature maps (the stem's and the 17 cells'), float32 covariances on both sides
      close(got.expressivity!, c.proxies.expressivity, 1e-4, 'expressivity');
      const dp = Math.abs(got.progressivity! - c.proxies.progressivity!);
      assert.ok(dp <= 1e-3, `progressivity: ${got.progressivity} vs ${c.proxies.progressivity}`);
      const want = c.proxies.trainability;
      if (want === null) assert.equal(got.trainability, -Infinity);
      else {
        const dt = Math.abs(got.trainability! - want);
        assert.ok(
          dt <= Math.max(1e-3, 1e-3 * Math.abs(want)),
          `trainability: ${got.trainability} vs PyTorch ${want}`,
        );
      }
      // the data pass's own terms differ: the paper settings are another input, other weights and one more map
      const data = await scoreNet(net, { ...s, azBatch: undefined }, makeInputs(c.dataset, s));
      assert.notEqual(data.expressivity, got.expressivity);
    });
  }
});
