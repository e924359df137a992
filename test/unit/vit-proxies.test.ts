// ViT zero-cost proxies on the inference engine against the PyTorch reference (scripts/gen-vit-fixtures.py:
// an independent torch ViT with the same deterministic weights), and the measured, cached CPU latency.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { vitCost } from '../../src/core/vit/net';
import { LatencyCache } from '../../src/core/engine/cache';
import { measureVitLatency, scoreVit } from '../../src/core/vit/scorer';

const fx = JSON.parse(
  fs.readFileSync(path.join(__dirname, '..', 'fixtures', 'fbnet', 'vit-proxies.json'), 'utf8'),
) as {
  res: number;
  patch: number;
  classes: number;
  batch: number;
  seed: number;
  cases: {
    arch: { embed: number; depth: number; mlp: number[]; heads: number[] };
    naswot: number;
    params_m: number;
  }[];
  autoformer_T_params_m: number;
};

test('NASWOT over GELU inputs and params match PyTorch for two small ViTs', async () => {
  const cfg = { resolution: fx.res, patch: fx.patch, numClasses: fx.classes };
  for (const c of fx.cases) {
    const s = await scoreVit(c.arch, cfg, { batch: fx.batch, seed: fx.seed });
    assert.ok(
      Math.abs(s['naswot']! - c.naswot) < 1e-6 * Math.abs(c.naswot),
      `naswot ${s['naswot']} vs ${c.naswot}`,
    );
    assert.equal(s['params'], c.params_m);
  }
});

test('analytic params of AutoFormer-T equal the PyTorch module count', () => {
  const t = {
    embed: 192,
    depth: 13,
    heads: [3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 4, 3, 3],
    mlp: [3.5, 3.5, 3.0, 3.5, 3.0, 3.0, 4.0, 4.0, 3.5, 4.0, 3.5, 4.0, 3.5],
  };
  assert.equal(
    vitCost(t, { resolution: 224, patch: 16, numClasses: 1000 }).paramsM,
    fx.autoformer_T_params_m,
  );
});

test('latency is a positive median of repeated batch-1 runs, and the cache keeps it per machine context', async () => {
  const a = { embed: 64, depth: 2, mlp: [2, 4], heads: [1, 2] };
  const ms = await measureVitLatency(
    a,
    { resolution: 32, patch: 8, numClasses: 10 },
    { warmup: 1, runs: 5, threads: 1 },
  );
  assert.ok(Number.isFinite(ms) && ms > 0);
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'vit-lat-')), 'c.json');
  const c1 = new LatencyCache(file, 'ctx-a');
  c1.set('k', ms);
  assert.equal(new LatencyCache(file, 'ctx-a').get('k'), ms);
  assert.equal(new LatencyCache(file, 'ctx-b').get('k'), undefined, 'another machine context measures anew');
});
