// The composition root and the run-config builder: a Registry holds exactly what it is given (no plug-in
// registers itself on import), the host's environment reaches the parts it builds, and the CLI's and the
// extension's run configs come from one builder with the space's defaults.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { createRegistry } from '../../src/core/compose';
import { ConfigError } from '../../src/core/errors';
import { nb201Provider } from '../../src/core/nb201/provider';
import { BuiltinOperator } from '../../src/core/operator';
import type { SpaceProvider } from '../../src/core/provider';
import { Registry } from '../../src/core/registry';
import { buildRunConfig, newRunId } from '../../src/core/runconfig';
import { userSpaceProvider } from '../../src/core/userspace/provider';
import { nb201TestConfig } from '../support/config';

const root = path.join(__dirname, '..', '..');

test('a Registry holds exactly the spaces and operators it is given', () => {
  const small = new Registry({
    spaces: [nb201Provider],
    operators: { builtin: () => new BuiltinOperator() },
  });
  assert.deepEqual(small.spaceIds(), ['nb201']);
  assert.deepEqual(small.operatorIds(), ['builtin']);
  // the full composition has more, and building it changed nothing in the small one
  const full = createRegistry();
  assert.deepEqual(full.spaceIds(), ['nb201', 'fbnet', 'autoformer-t', 'autoformer-s', 'autoformer-b']);
  assert.deepEqual(full.operatorIds(), ['builtin', 'llm']);
  assert.deepEqual(small.spaceIds(), ['nb201']);
  assert.throws(
    () => small.spaceProvider('fbnet'),
    (e: unknown) => {
      assert.ok(e instanceof ConfigError);
      assert.match(e.message, /unknown space "fbnet"; valid: nb201$/);
      return true;
    },
  );
  assert.throws(
    () => small.checkConfig(nb201TestConfig({ operator: 'llm' })),
    /unknown operator "llm"; valid: builtin/,
  );
  // a user-defined space travels in its config: only a registry given the carried-space reader accepts it
  const def = JSON.parse(
    fs.readFileSync(path.join(root, 'examples/user-space/tiny-cnn.space.json'), 'utf8'),
  ) as {
    id: string;
  };
  const config = { space: `user:${def.id}`, spaceOptions: { definition: def } };
  assert.throws(() => small.providerOf(config), /unknown space/);
  const withUser = new Registry({
    spaces: [nb201Provider],
    operators: {},
    carriedSpace: userSpaceProvider,
  });
  assert.equal(withUser.providerOf(config).id, `user:${def.id}`);
});

test("the host's environment reaches what the registry builds (operator factory and provider)", () => {
  const seen: unknown[] = [];
  const spy: SpaceProvider = {
    ...nb201Provider,
    build(c, env) {
      seen.push(['space', env]);
      return nb201Provider.build(c, env);
    },
  };
  const env = { cacheDir: '/tmp/llm-nas-composition-test', externalLog: (): void => {} };
  const r = new Registry({
    spaces: [spy],
    operators: {
      builtin: (_c, _s, _p, e) => {
        seen.push(['operator', e]);
        return new BuiltinOperator();
      },
    },
    env,
  });
  r.buildRun(nb201TestConfig());
  assert.deepEqual(seen, [
    ['space', env],
    ['operator', env],
  ]);
});

test("one run-config builder: the space's defaults, objectives from devices × metric, a unique run id", () => {
  const registry = createRegistry();
  const now = new Date('2026-12-02T06:00:00.000Z');
  const c = buildRunConfig(registry, { space: 'fbnet' }, now);
  const d = registry.spaceProvider('fbnet').defaults;
  assert.equal(c.dataset, d.dataset);
  assert.deepEqual(c.devices, d.devices);
  assert.deepEqual(c.costMetrics, [`${d.devices[0]}_${d.metric}`]);
  assert.equal(c.predictor, d.predictor);
  assert.equal(c.operator, 'builtin');
  assert.equal(c.createdAt, now.toISOString());
  assert.match(c.id, /^20261202-060000-[a-z0-9]{1,4}$/);
  assert.equal(c.spaceOptions, undefined);
  assert.equal(c.operatorOptions, undefined, 'the built-in operator carries no LLM options');
  // an external evaluator makes "external" the default predictor
  const e = buildRunConfig(registry, { space: 'nb201', spaceOptions: { externalEvaluator: 'node eval.js' } });
  assert.equal(e.predictor, 'external');
  // LLM options are kept for the LLM operator only
  const l = buildRunConfig(registry, { space: 'nb201', operator: 'llm', operatorOptions: { model: 'm' } });
  assert.deepEqual(l.operatorOptions, { model: 'm' });
  // a bad choice is a ConfigError listing the valid values
  assert.throws(
    () => buildRunConfig(registry, { space: 'nb201', devices: ['gpu'] }),
    /unknown device "gpu"; valid: edgegpu/,
  );
  assert.throws(() => buildRunConfig(registry, { space: 'nope' }), /unknown space "nope"/);
  assert.notEqual(newRunId(now), newRunId(now));
});
