// The CLI with --operator llm against the loopback server: a search with the cost summary, --replay with the
// server gone, a budget stop, the 401 message (no stack trace), and flags checked before anything starts.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { LlmTestServer } from '../support/llm-server';
import { tmpDir } from '../support/llm-run';

const root = path.join(__dirname, '..', '..');

/** Runs the CLI asynchronously (the server lives in this process, so the event loop must keep running). */
function cli(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; out: string; err: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'src/cli/main.ts'), ...args], {
      cwd: root,
      env: { ...process.env, ...env },
    });
    let out = '';
    let err = '';
    p.stdout.on('data', (d: Buffer) => (out += d.toString()));
    p.stderr.on('data', (d: Buffer) => (err += d.toString()));
    p.on('close', (code) => resolve({ code: code ?? -1, out, err }));
  });
}

const common = [
  'search',
  '--operator',
  'llm',
  '--model',
  'loop',
  '--generations',
  '2',
  '--budget',
  '36',
  '--seed',
  '5',
];

test('CLI: search --operator llm, then --replay RUN with no server into an identical front', async (t) => {
  const srv = await LlmTestServer.start();
  t.after(() => srv.close());
  const dir = path.join(tmpDir(), 'run');
  const r = await cli(
    [...common, '--base-url', srv.url, '--price-in', '0.5', '--price-out', '1.5', '--out', dir],
    {
      OPENAI_API_KEY: 'sk-cli-secret',
    },
  );
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /LLM: \d+ calls, [\d,]+ tokens \([\d,]+ in \/ [\d,]+ out\), cost \d+\.\d{4}/);
  assert.match(r.out, /\n {2}N5: \d+ calls/);
  const cfg = JSON.parse(fs.readFileSync(path.join(dir, 'config.json'), 'utf8')) as Record<string, unknown>;
  assert.deepEqual(cfg.operatorOptions, { baseURL: srv.url, model: 'loop', priceIn: 0.5, priceOut: 1.5 });
  assert.doesNotMatch(fs.readFileSync(path.join(dir, 'llm.jsonl'), 'utf8'), /sk-cli-secret/);
  await srv.close();
  const copy = path.join(tmpDir(), 'copy');
  const rep = await cli(['search', '--replay', dir, '--out', copy]);
  assert.equal(rep.code, 0, rep.err);
  assert.match(rep.out, /replaying .* from its llm\.jsonl \(no endpoint\)/);
  const front = (d: string): unknown => {
    const { wallMs: _w, ...f } = JSON.parse(fs.readFileSync(path.join(d, 'front.json'), 'utf8')) as Record<
      string,
      unknown
    >;
    return f;
  };
  assert.deepEqual(front(copy), front(dir));
  assert.equal(
    fs.readFileSync(path.join(copy, 'llm.jsonl'), 'utf8'),
    fs.readFileSync(path.join(dir, 'llm.jsonl'), 'utf8'),
  );
});

test('CLI: a budget stop ends cleanly with the message; resume --max-tokens continues', async (t) => {
  const srv = await LlmTestServer.start({ delayMs: 50 });
  t.after(() => srv.close());
  const dir = path.join(tmpDir(), 'run');
  const r = await cli([...common, '--base-url', srv.url, '--max-tokens', '2000', '--out', dir]);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /stopped: LLM budget reached: \d+ tokens of --max-tokens 2000/);
  assert.match(r.err, /LLM budget reached.*no new LLM call will start/);
  const again = await cli(['resume', dir, '--max-tokens', '1000000']);
  assert.equal(again.code, 0, again.err);
  assert.match(again.out, /budget raised: --max-tokens 1000000/);
  assert.equal(fs.readdirSync(path.join(dir, 'archs')).length, 36);
});

test('CLI: 401 prints "check your API key" without a stack trace; bad flags fail before starting', async (t) => {
  const srv = await LlmTestServer.start({
    script: () => ({
      kind: 'status',
      status: 401,
      body: { error: { message: 'Incorrect API key provided' } },
    }),
  });
  t.after(() => srv.close());
  const r = await cli([...common, '--base-url', srv.url, '--out', path.join(tmpDir(), 'run')]);
  assert.equal(r.code, 1);
  assert.match(
    r.err,
    /llm-nas: the LLM endpoint http:\/\/127\.0\.0\.1:\d+\/v1 rejected the API key \(401\): check your API key/,
  );
  assert.doesNotMatch(r.err, /\n\s+at /);
  const noKey = await cli([...common, '--base-url', 'https://api.example.com/v1'], { OPENAI_API_KEY: '' });
  assert.equal(noKey.code, 2);
  assert.match(noKey.err, /no API key for https:\/\/api\.example\.com\/v1: set OPENAI_API_KEY/);
  const bad = await cli([...common, '--base-url', srv.url, '--max-inflight', '0']);
  assert.equal(bad.code, 2);
  assert.match(bad.err, /maxInflight must be an integer in \[1, 1024\]/);
});

test('CLI: --max-output-tokens goes out as max_tokens, or as max_completion_tokens when asked', async (t) => {
  const srv = await LlmTestServer.start();
  t.after(() => srv.close());
  const run = (dir: string, ...extra: string[]): ReturnType<typeof cli> =>
    cli([
      ...common,
      '--generations',
      '2',
      '--budget',
      '24',
      '--base-url',
      srv.url,
      '--max-output-tokens',
      '900',
      ...extra,
      '--out',
      path.join(tmpDir(), dir),
    ]);
  const plain = await run('a');
  assert.equal(plain.code, 0, plain.err);
  assert.ok(srv.requests.length > 0);
  assert.ok(
    srv.requests.every((r) => r.body.max_tokens === 900 && r.body.max_completion_tokens === undefined),
  );
  const seen = srv.requests.length;
  const reasoning = await run('b', '--output-tokens-field', 'max_completion_tokens');
  assert.equal(reasoning.code, 0, reasoning.err);
  const later = srv.requests.slice(seen);
  assert.ok(later.length > 0);
  assert.ok(later.every((r) => r.body.max_completion_tokens === 900 && r.body.max_tokens === undefined));
  const bad = await cli([...common, '--base-url', srv.url, '--output-tokens-field', 'max_output']);
  assert.equal(bad.code, 2);
  assert.match(bad.err, /outputTokensField must be max_tokens or max_completion_tokens, got "max_output"/);
});

test('CLI: bench --operator llm --max-tokens caps the whole bench and stops it cleanly with the rows done', async (t) => {
  const srv = await LlmTestServer.start();
  t.after(() => srv.close());
  const json = path.join(tmpDir(), 'bench.json');
  const r = await cli([
    'bench',
    '--operator',
    'llm',
    '--model',
    'loop',
    '--base-url',
    srv.url,
    '--budget',
    '30',
    '--seeds',
    '1',
    '--max-tokens',
    '60000',
    '--json',
    json,
  ]);
  assert.equal(r.code, 0, r.err);
  assert.match(
    r.out,
    /stopped: LLM budget for the whole bench reached \(--max-tokens 60000\): the bench stopped after \d+ complete rows/,
  );
  const out = JSON.parse(fs.readFileSync(json, 'utf8')) as { stopped?: string; rows: { tokens: number }[] };
  assert.ok(out.stopped);
  // 36 rows would be the whole bench (18 tasks x 2 searchers); the cap ended it early
  assert.ok(out.rows.length < 36);
  // tokens of the calls the server answered: the cap plus at most the calls already in flight when it was reached
  const used = out.rows.reduce((n, row) => n + row.tokens, 0);
  assert.ok(used <= 60000, `complete rows used ${used} tokens`);
});
