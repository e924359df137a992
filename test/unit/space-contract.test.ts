// The search-space contract, run over every registered space and a user-defined one (as Optuna runs every
// sampler through the same checks): a new space passes this file or is not done. Per space, on sampled
// architectures: the text form round-trips, the canonical key survives it, bad input is a SpaceError, every
// architecture lies in exactly one niche of the space's own partition, mutation and crossover stay legal, and
// the complexity features are finite numbers.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { parseDefinition } from '../../src/core/userspace/definition';
import { userProviderOf } from '../../src/core/userspace/provider';
import { createRegistry } from '../../src/core/compose';
import { costMetricsOf } from '../../src/core/registry';
import { type SpaceProvider } from '../../src/core/provider';
import { Rng } from '../../src/core/rng';
import { SpaceError, type SearchSpace } from '../../src/core/space';
import type { Partition } from '../../src/core/partition';
import type { RunConfig } from '../../src/core/runstore';
import { nb201TestConfig } from '../support/config';

const registry = createRegistry();

const SAMPLES = 40;

function partsOf(p: SpaceProvider): { space: SearchSpace<unknown>; partition: Partition<unknown> } {
  const d = p.defaults;
  const config = nb201TestConfig({
    space: p.id,
    dataset: d.dataset,
    devices: d.devices,
    metric: d.metric as RunConfig['metric'],
    costMetrics: costMetricsOf(d.devices, d.metric),
    predictor: d.predictor,
  });
  if (p.id.startsWith('user')) config.spaceOptions = { definition: userDefinition };
  const { space, partition } = p.build(config);
  return { space, partition };
}

const userDefinition = parseDefinition(
  JSON.parse(
    fs.readFileSync(
      path.join(__dirname, '..', '..', 'examples', 'user-space', 'tiny-cnn.space.json'),
      'utf8',
    ),
  ),
);

const providers: SpaceProvider[] = [
  ...registry.spaceIds().map((id) => registry.spaceProvider(id)),
  userProviderOf(userDefinition),
];

test('every registered space is covered by this contract', () => {
  const ids = providers.map((p) => p.id);
  for (const id of ['nb201', 'fbnet', 'autoformer-t', 'autoformer-s', 'autoformer-b'])
    assert.ok(ids.includes(id), `${id} is registered`);
  assert.ok(
    ids.some((id) => !registry.spaceIds().includes(id)),
    'a user-defined space is checked too',
  );
});

for (const provider of providers) {
  test(`space contract: ${provider.id}`, () => {
    const { space, partition } = partsOf(provider);
    const rng = new Rng(`contract/${provider.id}`);
    assert.ok(partition.niches.length >= 1);
    const archs = Array.from({ length: SAMPLES }, () => space.sample(rng));
    const legal = (a: unknown, what: string): void => {
      const text = space.format(a);
      const back = space.parse(text);
      assert.equal(space.format(back), text, `${provider.id}: ${what} round-trips through its text form`);
      assert.equal(space.canonicalKey(back), space.canonicalKey(a), `${provider.id}: ${what} keeps its key`);
      assert.equal(space.fileId(back), space.fileId(a), `${provider.id}: ${what} keeps its file id`);
    };
    for (const a of archs) {
      legal(a, 'a sample');
      // exactly one niche holds it, and it is the one nicheOf names
      const k = partition.nicheOf(a);
      assert.ok(
        Number.isInteger(k) && k >= 0 && k < partition.niches.length,
        `${provider.id}: niche index ${k}`,
      );
      const holders = partition.niches.filter((n) => n.contains(a)).map((n) => n.id);
      assert.deepEqual(
        holders,
        [partition.niches[k]!.id],
        `${provider.id}: ${space.format(a)} in exactly one niche`,
      );
      for (const [name, v] of Object.entries(space.features(a)))
        assert.ok(Number.isFinite(v), `${provider.id}: feature ${name} is a finite number (${v})`);
      assert.ok(space.describe(a).length > 0);
    }
    for (let i = 0; i + 1 < archs.length; i += 2) {
      legal(space.mutate(archs[i]!, rng, 0.3), 'a mutation');
      legal(space.crossover(archs[i]!, archs[i + 1]!, rng), 'a crossover');
    }
    for (const n of space.neighbours(archs[0]!).slice(0, 10)) legal(n, 'a neighbour');
    // bad input is a SpaceError with a message, never a crash of another kind
    for (const bad of ['', 'not an architecture', '{"x":1}', 42]) {
      assert.throws(
        () => space.parse(bad),
        (e: unknown) => e instanceof SpaceError && e.message.length > 0,
        `${provider.id}: ${JSON.stringify(bad)} is rejected as a SpaceError`,
      );
    }
    assert.ok(space.grammar().length > 0, `${provider.id}: the grammar is described (for prompts)`);
  });
}
