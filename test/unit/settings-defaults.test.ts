// The extension's settings take their defaults from package.json alone (src/extension/config.ts passes none);
// those defaults must be the core's, so a search started from VS Code with untouched settings is the CLI's.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { createRegistry } from '../../src/core/compose';
import { DEFAULT_SETTINGS } from '../../src/core/llm/settings';
import { RUN_DEFAULTS } from '../../src/core/runconfig';

type Section = { properties: Record<string, { default?: unknown }> };
const pkg = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf8')) as {
  contributes: { configuration: Section | Section[] };
};
const sections = ([] as Section[]).concat(pkg.contributes.configuration);
const properties = Object.assign({}, ...sections.map((s) => s.properties)) as Section['properties'];
const dflt = (key: string): unknown => properties[`llmNas.${key}`]?.default;

test('package.json holds a default for every setting config.ts reads', () => {
  const src = fs.readFileSync(path.join(__dirname, '..', '..', 'src', 'extension', 'config.ts'), 'utf8');
  const keys = [...src.matchAll(/get(?:<[^>]*>)?\('([^']+)'\)/g)].map((m) => m[1]!);
  assert.ok(keys.length >= 20, `config.ts reads ${keys.length} settings`);
  for (const k of keys) assert.notEqual(dflt(k), undefined, `llmNas.${k} has a default in package.json`);
});

test("the settings' defaults are the core's: the default space's, the loop's and the LLM client's", () => {
  const d = createRegistry().spaceProvider(String(dflt('defaults.space'))).defaults;
  assert.equal(dflt('defaults.space'), 'nb201');
  assert.equal(dflt('defaults.dataset'), d.dataset);
  assert.deepEqual(dflt('defaults.devices'), d.devices);
  assert.equal(dflt('defaults.metric'), d.metric);
  assert.equal(dflt('defaults.predictor'), d.predictor);
  assert.equal(dflt('defaults.operator'), RUN_DEFAULTS.operator);
  assert.equal(dflt('defaults.generations'), RUN_DEFAULTS.generations);
  assert.equal(dflt('defaults.budget'), RUN_DEFAULTS.budget);
  assert.equal(dflt('defaults.seed'), RUN_DEFAULTS.seed);
  assert.equal(dflt('llm.endpoint'), DEFAULT_SETTINGS.baseURL);
  assert.equal(dflt('llm.model'), DEFAULT_SETTINGS.model);
  assert.equal(dflt('llm.temperature'), DEFAULT_SETTINGS.temperature);
  assert.equal(dflt('llm.maxInFlight'), DEFAULT_SETTINGS.maxInflight);
});
