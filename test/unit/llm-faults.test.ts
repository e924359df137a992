// Fault scripts against the loopback OpenAI-compatible server, through the real `openai` client and a real run
// folder: each run either completes with nothing lost (every planned evaluation made, every call in llm.jsonl,
// the LLM's problems re-asked and then filled by the built-in operator, counted) or stops with a clear message.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import type { LlmRecord } from '../../src/core/llm/record';
import { readLlmLog } from '../../src/core/llm/index';
import { SearchRun, type RunNotice } from '../../src/core/run';
import {
  closedPort,
  LlmTestServer,
  parentsOf,
  scriptedModel,
  type Script,
  type ServedRequest,
} from '../support/llm-server';
import { llmConfig, tmpDir } from '../support/llm-run';

interface Outcome {
  run: SearchRun;
  srv: LlmTestServer;
  events: Record<string, unknown>[];
  records: LlmRecord[];
  notices: RunNotice[];
  error: Error | undefined;
  dir: string;
}

const BUDGET = 48;

async function runWith(
  script: Script | undefined,
  options: Record<string, unknown> = {},
  url?: string,
): Promise<Outcome> {
  const srv = await LlmTestServer.start({ ...(script ? { script } : {}) });
  const dir = path.join(tmpDir(), 'run');
  const notices: RunNotice[] = [];
  const run = SearchRun.start(dir, llmConfig(url ?? srv.url, { generations: 2, budget: BUDGET }, options), {
    onNotice: (n) => notices.push(n),
  });
  let error: Error | undefined;
  try {
    await run.done;
  } catch (e) {
    error = e as Error;
  }
  // let the server see connections the client closed (aborted or timed-out requests)
  for (let t = 0; t < 50 && srv.inflight > 0; t++) await new Promise((r) => setTimeout(r, 10));
  await srv.close();
  const events = fs
    .readFileSync(path.join(dir, 'events.jsonl'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  return { run, srv, events, records: readLlmLog(path.join(dir, 'llm.jsonl')), notices, error, dir };
}

/** The run finished with every planned evaluation, and every HTTP request answered is in llm.jsonl. */
function assertComplete(o: Outcome): void {
  assert.equal(o.error, undefined, o.error?.message);
  assert.equal(o.run.status, 'completed');
  assert.equal(o.events.filter((e) => e.type === 'arch/evaluated').length, BUDGET);
  assert.equal(fs.readdirSync(path.join(o.dir, 'archs')).length, BUDGET);
}

const evaluatedBy = (o: Outcome, prefix: string): number =>
  o.events.filter((e) => e.type === 'arch/evaluated' && String(e.operator).startsWith(prefix)).length;

/** Fault the first evolve request of each niche, answer the rest with the scripted model. */
function firstEvolve(fault: (r: ServedRequest) => ReturnType<Script>): Script {
  const done = new Set<number>();
  return (r) => {
    if (r.stage !== 'evolve' || done.has(r.niche)) return undefined;
    done.add(r.niche);
    return fault(r);
  };
}

/** Each niche's second evolve request (the first re-ask). */
const reasks = (o: Outcome): ServedRequest[] =>
  [0, 1, 2, 3, 4, 5].map((n) => o.srv.requests.filter((r) => r.stage === 'evolve' && r.niche === n)[1]!);

test('malformed JSON: the problem goes back in the re-ask, the next answer is used', async () => {
  const o = await runWith(firstEvolve(() => ({ kind: 'content', content: '{"candidates": [{"arch": oops' })));
  assertComplete(o);
  assert.equal(reasks(o).length, 6);
  for (const r of reasks(o)) assert.match(r.prompt, /could not be parsed/);
  assert.ok(evaluatedBy(o, 'llm:') >= 18, `${evaluatedBy(o, 'llm:')} LLM candidates`);
  assert.equal(o.records.length, o.srv.requests.length);
  assert.ok(o.notices.some((n) => n.type === 'llm/problem' && /could not be parsed/.test(n.message)));
});

test('valid JSON with the wrong schema is named in the re-ask', async () => {
  const o = await runWith(
    firstEvolve(() => ({ kind: 'content', content: '{"architectures": ["|none~0|"]}' })),
  );
  assertComplete(o);
  assert.equal(reasks(o).length, 6);
  for (const r of reasks(o)) assert.match(r.prompt, /wrong JSON schema: expected \{"candidates"/);
});

test('illegal ops are rejected by the validator and the reasons re-asked', async () => {
  const o = await runWith(
    firstEvolve(() => ({
      kind: 'content',
      content: JSON.stringify({
        candidates: [
          { arch: '|conv_5x5~0|+|none~0|none~1|+|none~0|none~1|none~2|', parents: [], rationale: 'x' },
        ],
      }),
    })),
  );
  assertComplete(o);
  const rejected = o.events.filter((e) => e.type === 'candidate/rejected');
  assert.equal(rejected.filter((e) => e.kind === 'illegal').length, 6);
  for (const r of reasks(o)) assert.match(r.prompt, /illegal architecture .*conv_5x5/);
});

test('out-of-niche and duplicate candidates are rejected with their reasons, then the niche is filled', async () => {
  const o = await runWith(
    firstEvolve((r) => {
      const parents = parentsOf(r.prompt);
      const other =
        r.niche === 5
          ? '|none~0|+|none~0|none~1|+|skip_connect~0|none~1|none~2|'
          : '|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|nor_conv_3x3~0|nor_conv_3x3~1|nor_conv_3x3~2|';
      return {
        kind: 'content',
        content: JSON.stringify({
          candidates: [
            { arch: parents[0]!.arch, parents: [parents[0]!.id], rationale: 'copy' },
            { arch: other, parents: [], rationale: 'elsewhere' },
          ],
        }),
      };
    }),
  );
  assertComplete(o);
  const kinds = o.events.filter((e) => e.type === 'candidate/rejected').map((e) => e.kind);
  assert.ok(kinds.filter((k) => k === 'duplicate').length >= 6);
  assert.equal(kinds.filter((k) => k === 'outside-niche').length, 6);
  for (const r of reasks(o)) {
    assert.match(r.prompt, /duplicates \(or is isomorphic to\) an architecture already evaluated/);
    assert.match(r.prompt, /is outside niche N\d/);
  }
});

test('finish_reason "length": complete candidates before the cut are kept, the truncation is reported', async () => {
  const o = await runWith(
    firstEvolve((r) => {
      const full = scriptedModel(r);
      const first = JSON.stringify((JSON.parse(full) as { candidates: unknown[] }).candidates[0]);
      return {
        kind: 'content',
        content: `{"candidates": [${first}, {"arch": "|nor_co`,
        finishReason: 'length',
      };
    }),
  );
  assertComplete(o);
  for (const r of reasks(o)) assert.match(r.prompt, /cut off at the token limit/);
  const firstAttempt = o.records.filter((r) => r.stage === 'evolve' && r.attempt === 0);
  assert.ok(firstAttempt.every((r) => r.reply?.finish_reason === 'length'));
  // the salvaged candidate of each niche was evaluated
  assert.ok(evaluatedBy(o, 'llm:') >= 6);
});

test('a model that always refuses: re-asked twice, then the built-in operator fills, counted as fallback', async () => {
  const o = await runWith((r) =>
    r.stage === 'evolve'
      ? { kind: 'content', content: null, refusal: 'I cannot help with that.' }
      : undefined,
  );
  assertComplete(o);
  assert.equal(evaluatedBy(o, 'llm:'), 0);
  const fb = o.events.filter((e) => e.type === 'operator/fallback');
  assert.equal(fb.length, 6);
  assert.equal(
    fb.reduce((n, e) => n + (e.filled as number), 0),
    BUDGET - evaluatedBy(o, 'sample'),
  );
  assert.equal(
    o.srv.requests.filter((r) => r.stage === 'evolve').length,
    6 * 3,
    '1 ask + 2 re-asks per niche',
  );
  assert.ok(o.notices.some((n) => n.type === 'llm/problem' && /the model refused/.test(n.message)));
});

test('empty choices are reported and absorbed', async () => {
  const o = await runWith(firstEvolve(() => ({ kind: 'choices0' })));
  assertComplete(o);
  for (const r of reasks(o)) assert.match(r.prompt, /the reply had no choices/);
});

test('429 with retry-after: the SDK waits as told and retries; one record per call', async () => {
  let hit = false;
  const o = await runWith((r) => {
    if (r.stage !== 'kb-update' || r.niche !== 2 || hit) return undefined;
    hit = true;
    return {
      kind: 'status',
      status: 429,
      headers: { 'retry-after': '1' },
      body: { error: { message: 'slow down' } },
    };
  });
  assertComplete(o);
  assert.equal(o.srv.requests.length, o.records.length + 1);
  const k = o.srv.requests.filter((r) => r.stage === 'kb-update' && r.niche === 2);
  assert.equal(k.length, 2);
  const rec = o.records.find((r) => r.key === 'N2/g1/kb-update/0')!;
  assert.equal(rec.error, undefined);
  assert.ok(rec.latencyMs >= 950, `waited ${rec.latencyMs} ms`);
});

test('500s: retried by the SDK; when they persist the call is logged as failed and the fallback fills', async () => {
  const o = await runWith((r) => (r.niche === 4 ? { kind: 'status', status: 500 } : undefined), {
    maxRetries: 1,
  });
  assertComplete(o);
  const n4 = o.records.filter((r) => r.niche === 4);
  assert.deepEqual(
    n4.map((r) => [r.stage, r.error?.kind, r.error?.status]),
    [
      ['kb-update', 'server', 500],
      ['evolve', 'server', 500],
    ],
  );
  assert.equal(
    o.srv.requests.filter((r) => r.niche === 4).length,
    4,
    '2 calls × (1 + 1 retry), no re-ask after a failed call',
  );
  assert.ok(o.events.some((e) => e.type === 'operator/fallback' && e.niche === 4));
  assert.ok(evaluatedBy(o, 'llm:') > 0);
});

test('a hanging request times out (the SDK aborts it), is logged, and the niche is filled', async () => {
  const o = await runWith((r) => (r.niche === 1 && r.stage === 'evolve' ? { kind: 'hang' } : undefined), {
    timeoutMs: 300,
    maxRetries: 0,
  });
  assertComplete(o);
  const rec = o.records.find((r) => r.key === 'N1/g1/evolve/0')!;
  assert.equal(rec.error?.kind, 'timeout');
  assert.ok(o.srv.aborted >= 1);
  assert.ok(o.events.some((e) => e.type === 'operator/fallback' && e.niche === 1));
});

test('connection refused: the run stops with a clear message and a resumable folder', async () => {
  const port = await closedPort();
  const o = await runWith(undefined, { maxRetries: 0 }, `http://127.0.0.1:${port}/v1`);
  assert.equal(o.run.status, 'failed');
  assert.match(
    o.error!.message,
    /cannot reach the LLM endpoint http:\/\/127\.0\.0\.1:\d+\/v1 .*is the server running/,
  );
  const last = o.events.at(-1)!;
  assert.equal(last.type, 'run/failed');
  // generation 0 is on disk and resumable
  assert.ok(o.events.some((e) => e.type === 'generation/completed' && e.generation === 0));
});

test('401: a clear "check your API key" error, no retries, and the key never reaches the run folder', async () => {
  process.env.LLM_NAS_TEST_KEY = 'sk-test-secret-4711';
  try {
    const o = await runWith(() => ({
      kind: 'status',
      status: 401,
      body: { error: { message: 'Incorrect API key provided', code: 'invalid_api_key' } },
    }));
    assert.equal(o.run.status, 'failed');
    assert.match(
      o.error!.message,
      /rejected the API key \(401\): check your API key \(environment variable LLM_NAS_TEST_KEY/,
    );
    const keys = o.srv.requests.map((r) => `${r.niche}/${r.stage}`);
    assert.equal(new Set(keys).size, keys.length, 'no request repeated');
    assert.ok(o.srv.requests.every((r) => r.authorization === 'Bearer sk-test-secret-4711'));
    for (const f of fs.readdirSync(o.dir, { recursive: true }) as string[]) {
      const p = path.join(o.dir, f);
      if (fs.statSync(p).isFile()) assert.doesNotMatch(fs.readFileSync(p, 'utf8'), /sk-test-secret/, f);
    }
  } finally {
    delete process.env.LLM_NAS_TEST_KEY;
  }
});

test('a server without structured outputs (400 on response_format) is switched to JSON extraction once', async () => {
  const o = await runWith((r) =>
    r.body.response_format
      ? {
          kind: 'status',
          status: 400,
          body: { error: { message: "response_format 'json_schema' is not supported" } },
        }
      : undefined,
  );
  assertComplete(o);
  const rejected = o.records.filter((r) => r.error?.kind === 'unsupported-schema');
  assert.ok(rejected.length >= 1 && rejected.length <= 6, `${rejected.length} calls before the switch`);
  // only the calls already under way when the first 400 came back carried response_format; none after the switch
  assert.equal(o.srv.requests.filter((r) => r.body.response_format).length, rejected.length);
  assert.ok(o.srv.requests.length > rejected.length + 6);
  assert.equal(o.records.filter((r) => !r.error).length, o.records.length - rejected.length);
  assert.ok(evaluatedBy(o, 'llm:') > 0);
});
