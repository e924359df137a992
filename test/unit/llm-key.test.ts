// Where the LLM client's API key comes from: a resolver passed in (the extension's SecretStorage, through
// HostEnv.apiKeyFor and the operator factory), or by default the environment variable the settings name. No
// process-wide setter: two clients in one process may use different resolvers.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ApiKeyResolver } from '../../src/core/env';
import { LlmClient } from '../../src/core/llm/client';
import { llmOperatorFactory, LlmOperator } from '../../src/core/llm/index';
import { DEFAULT_SETTINGS } from '../../src/core/llm/settings';
import { nb201Space } from '../../src/core/nb201/space';
import type { RunConfig } from '../../src/core/runstore';
import { ask } from '../support/llm-ask';
import { LlmTestServer } from '../support/llm-server';

test('the key comes from the resolver passed in, else from the named environment variable', async (t) => {
  const srv = await LlmTestServer.start();
  t.after(() => srv.close());
  process.env.LLM_NAS_KEY_TEST = 'sk-from-env-0001';
  t.after(() => delete process.env.LLM_NAS_KEY_TEST);
  const settings = { ...DEFAULT_SETTINGS, baseURL: srv.url, model: 'loop', maxRetries: 0 };
  settings.apiKeyEnv = 'LLM_NAS_KEY_TEST';
  const asked: { baseURL: string; apiKeyEnv: string }[] = [];
  const resolver: ApiKeyResolver = (s) => {
    asked.push({ baseURL: s.baseURL, apiKeyEnv: s.apiKeyEnv });
    return Promise.resolve('sk-from-resolver-0002');
  };
  await ask(new LlmClient(settings, { apiKeyFor: resolver }));
  await ask(new LlmClient(settings));
  assert.deepEqual(
    srv.requests.map((r) => r.authorization),
    ['Bearer sk-from-resolver-0002', 'Bearer sk-from-env-0001'],
  );
  assert.deepEqual(asked, [{ baseURL: srv.url, apiKeyEnv: 'LLM_NAS_KEY_TEST' }]);
});

test("the operator factory hands the host's resolver to the operator's client", async (t) => {
  const srv = await LlmTestServer.start();
  t.after(() => srv.close());
  const config = {
    operatorOptions: { baseURL: srv.url, model: 'loop', maxRetries: 0, apiKeyEnv: 'LLM_NAS_UNSET_KEY' },
  } as unknown as RunConfig;
  const withKey = llmOperatorFactory(config, nb201Space as never, undefined, {
    apiKeyFor: () => 'sk-host-0003',
  });
  const without = llmOperatorFactory(config, nb201Space as never);
  assert.ok(withKey instanceof LlmOperator && without instanceof LlmOperator);
  await ask(withKey.client);
  await ask(without.client);
  // a loopback endpoint without a key gets the placeholder the local servers ignore
  assert.deepEqual(
    srv.requests.map((r) => r.authorization),
    ['Bearer sk-host-0003', 'Bearer not-needed'],
  );
  assert.equal('apiKeyFor' in without.options, false);
});
