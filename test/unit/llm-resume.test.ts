// Kill + resume of an LLM run equals the uninterrupted run (issue 9, item 7): a search in a child process is
// killed with SIGKILL in the middle of a generation (some niches done, one niche's stage-1 call answered and its
// evolve call in flight); the resumed run rebuilds every prompt from the folder, answers the interrupted
// generation's recorded calls from llm.jsonl instead of paying again, and ends with the same architectures,
// front, knowledge base and prompts as a run that was never interrupted.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import type { LlmClient } from '../../src/core/llm/client';
import { readLlmLog } from '../../src/core/llm/index';
import { SearchRun } from '../../src/core/run';
import { LlmTestServer } from '../support/llm-server';
import { llmConfig, readTree, tmpDir } from '../support/llm-run';
import { waitFor } from '../support/wait';

const events = (dir: string): Record<string, unknown>[] =>
  fs.existsSync(path.join(dir, 'events.jsonl'))
    ? fs
        .readFileSync(path.join(dir, 'events.jsonl'), 'utf8')
        .split('\n')
        .filter((l) => l.trim())
        .flatMap((l) => {
          try {
            return [JSON.parse(l) as Record<string, unknown>];
          } catch {
            return [];
          }
        })
    : [];

/** What must be equal: spec files (minus the time), front, knowledge base and its versions. */
function outcome(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const [name, text] of readTree(dir)) {
    if (name.startsWith('archs/')) {
      const { evaluatedAt: _e, ...rest } = JSON.parse(text) as Record<string, unknown>;
      out.set(name, JSON.stringify(rest));
    } else if (name === 'front.json') {
      const { wallMs: _w, ...rest } = JSON.parse(text) as Record<string, unknown>;
      out.set(name, JSON.stringify(rest));
    } else if (name === 'knowledge-base.md' || name.startsWith('kb/')) out.set(name, text);
  }
  return out;
}

/** Each call of llm.jsonl by key: the prompt and the reply. */
const calls = (dir: string): Map<string, string> =>
  new Map(
    readLlmLog(path.join(dir, 'llm.jsonl')).map((r) => [
      r.key,
      JSON.stringify([r.request.messages, r.reply?.content ?? null]),
    ]),
  );

test('an LLM run killed mid-generation resumes to the uninterrupted run, paying no call twice', async (t) => {
  const config = llmConfig('', { generations: 4, budget: 120 });
  // the uninterrupted run
  const a = await LlmTestServer.start();
  t.after(() => a.close());
  const full = path.join(tmpDir(), 'full');
  const runA = SearchRun.start(full, {
    ...config,
    operatorOptions: { ...config.operatorOptions, baseURL: a.url },
  });
  await runA.done;
  assert.equal(runA.status, 'completed');
  await a.close();

  // the same run in a child process, killed once generation 2 is half done: N3's evolve call hangs while the
  // other niches finish the generation
  const hang = (r: { niche: number; generation: number; stage: string }): boolean =>
    r.niche === 3 && r.generation === 2 && r.stage === 'evolve';
  const b = await LlmTestServer.start({ script: (r) => (hang(r) ? { kind: 'hang' } : undefined) });
  t.after(() => b.close());
  const dir = path.join(tmpDir(), 'killed');
  const cfgFile = path.join(tmpDir(), 'config.json');
  fs.writeFileSync(
    cfgFile,
    JSON.stringify({ ...config, operatorOptions: { ...config.operatorOptions, baseURL: b.url } }),
  );
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', path.join(__dirname, '../support/llm-child.ts'), 'start', dir, cfgFile],
    {
      stdio: 'ignore',
    },
  );
  const exited = new Promise<void>((r) => child.on('exit', () => r()));
  await waitFor(() => {
    const done = events(dir).filter((e) => e.type === 'generation/completed' && e.generation === 2);
    return b.requests.some(hang) && done.length === 5;
  }, 120_000);
  child.kill('SIGKILL');
  await exited;
  await b.close();
  // every request but the hanging one was answered before the kill
  const answeredBefore = b.requests.filter((r) => !hang(r)).length;
  assert.equal(b.requests.filter(hang).length, 1);
  const before = calls(dir);
  assert.ok(before.has('N3/g2/kb-update/0'), 'N3 had its stage-1 reply before the kill');
  assert.ok(!before.has('N3/g2/evolve/0'), 'N3 evolve call was in flight at the kill');
  assert.ok(
    !events(dir).some((e) => e.type === 'generation/completed' && e.niche === 3 && e.generation === 2),
  );

  // resume against a fresh server
  const c = await LlmTestServer.start();
  t.after(() => c.close());
  const cfg = JSON.parse(fs.readFileSync(path.join(dir, 'config.json'), 'utf8')) as {
    operatorOptions: Record<string, unknown>;
  };
  cfg.operatorOptions.baseURL = c.url;
  fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify(cfg));
  const runC = SearchRun.resume(dir);
  await runC.done;
  assert.equal(runC.status, 'completed');
  // one call was answered from llm.jsonl: N3's stage 1. Its re-rendered prompt shows N3's rules as already
  // revised by that very reply (knowledge-base.md holds the revision), so it differs from the recorded one; the
  // reply, and so everything after it, is the recorded one
  const { replayed } = (runC.parts.operator as unknown as { client: LlmClient }).client;
  assert.deepEqual(replayed, { calls: 1, promptChanged: 1 });

  // no call paid twice: every call of the uninterrupted run was answered exactly once across the two servers
  assert.equal(answeredBefore + c.requests.length, a.requests.length);
  assert.ok(!c.requests.some((r) => r.niche === 3 && r.generation === 2 && r.stage === 'kb-update'));
  // same prompts and replies, call by call (the resumed prompts were rebuilt from the folder)
  const want = calls(full);
  const got = calls(dir);
  assert.deepEqual([...got.keys()].sort(), [...want.keys()].sort());
  for (const [k, v] of want) assert.equal(got.get(k), v, k);
  // same architectures, front and knowledge base
  const wantOut = outcome(full);
  const gotOut = outcome(dir);
  assert.deepEqual([...gotOut.keys()].sort(), [...wantOut.keys()].sort());
  for (const [k, v] of wantOut) assert.equal(gotOut.get(k), v, k);
});
