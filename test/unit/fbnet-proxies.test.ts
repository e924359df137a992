// The FBNet network on the inference engine against the PyTorch reference (scripts/gen-fbnet-fixtures.py: an
// independent torch FBNet with grouped convs, channel shuffle and projection skips, the same weights and inputs):
// NASWOT, logsynflow, Zen-NAS and params agree.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { scoreFbnet } from '../../src/core/fbnet/score';

const fx = JSON.parse(
  fs.readFileSync(path.join(__dirname, '..', 'fixtures', 'fbnet', 'fbnet-proxies.json'), 'utf8'),
) as { cases: { ops: number[]; proxies: Record<string, number> }[] };

const close = (a: number, e: number, rel: number, what: string): void =>
  assert.ok(Math.abs(a - e) <= rel * Math.abs(e), `${what}: ${a} vs PyTorch ${e}`);

for (const c of fx.cases)
  test(`FBNet ${c.ops.join('')} matches PyTorch`, async () => {
    const got = await scoreFbnet(c.ops, 'cifar100');
    close(got['naswot']!, c.proxies['naswot']!, 1e-4, 'naswot');
    close(got['logsynflow']!, c.proxies['logsynflow']!, 1e-6, 'logsynflow');
    close(got['zen']!, c.proxies['zen']!, 1e-4, 'zen');
    assert.equal(got['params'], c.proxies['params']);
  });
