// Ctrl-C (issue 9, item 6) on the real CLI, by sending SIGINT to it: the first stops a search or a resume at the
// next safe point (run/stopped written, external evaluator process groups killed, how to resume printed), the
// second exits at once, and the folder is still resumable.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { repoRoot, startCli, tmp, cli } from '../support/cli';
import { LlmTestServer } from '../support/llm-server';
import { waitFor } from '../support/wait';

const localEval = path.join(repoRoot, 'examples/evaluators/local-eval.mjs');

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

const events = (dir: string): { type: string }[] =>
  fs
    .readFileSync(path.join(dir, 'events.jsonl'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { type: string });

test('Ctrl-C on a built-in search and on its resume: stops at the next safe point, writes run/stopped', async () => {
  const d = tmp();
  const dir = path.join(d, 'run');
  const env = { LLM_NAS_TRUST_FILE: path.join(d, 'trust.json') };
  for (const args of [
    ['search', '--budget', '6000', '--generations', '60', '--out', dir],
    ['resume', dir],
  ]) {
    const p = startCli(args, env);
    await waitFor(
      () => /generation \d+ done \(\d+ of 60\)/.test(p.out()) || /resuming/.test(p.out()),
      60_000,
    );
    await new Promise((r) => setTimeout(r, 300));
    const t0 = Date.now();
    p.child.kill('SIGINT');
    const r = await p.done;
    const ms = Date.now() - t0;
    assert.equal(r.code, 130, r.err);
    assert.ok(ms < 15_000, `took ${ms} ms to stop`);
    assert.match(r.err, /stopping at the next safe point/);
    assert.match(r.out, new RegExp(`continue with: llm-nas resume ${dir.replace(/[/\\]/g, '.')}`));
    const ev = events(dir);
    assert.equal(ev.at(-1)!.type, 'run/stopped');
    assert.ok(!ev.some((e) => e.type === 'search/completed'), `${args[0]} ran to the end`);
  }
  assert.equal(events(dir).filter((e) => e.type === 'run/stopped').length, 2);
});

test('Ctrl-C with an external evaluator running: its process group is killed; twice exits now, resumable', async () => {
  const d = tmp();
  const pids = path.join(d, 'pids');
  const hang = path.join(d, 'hang');
  fs.writeFileSync(hang, '');
  // while the flag file exists, each evaluation leaves a grandchild and waits for it
  // (and ignores SIGTERM, so a stop waits for the SIGKILL after the grace period)
  const command = `trap '' TERM; if [ -f ${hang} ]; then sleep 300 & echo $! >> ${pids}; wait; fi; node ${localEval}`;
  const env = { LLM_NAS_TRUST_FILE: path.join(d, 'trust.json') };
  const started = (): number[] =>
    fs.existsSync(pids) ? fs.readFileSync(pids, 'utf8').split('\n').filter(Boolean).map(Number) : [];

  // once: the run stops, the evaluator's group (sh and its sleep) is killed by the abort
  const one = path.join(d, 'one');
  const a = startCli(
    ['search', '--external-evaluator', command, '--budget', '12', '--generations', '2', '--out', one],
    env,
  );
  await waitFor(() => started().length >= 1, 60_000);
  a.child.kill('SIGINT');
  const ra = await a.done;
  assert.equal(ra.code, 130, ra.err);
  assert.equal(events(one).at(-1)!.type, 'run/stopped');
  await waitFor(() => started().every((p) => !alive(p)), 10_000);

  // twice: exits at once, killing what the run started; the folder resumes to the end
  fs.rmSync(pids);
  const two = path.join(d, 'two');
  const b = startCli(
    ['search', '--external-evaluator', command, '--budget', '12', '--generations', '2', '--out', two],
    env,
  );
  await waitFor(() => started().length >= 1, 60_000);
  b.child.kill('SIGINT');
  // the second Ctrl-C while the first waits for the evaluator (which ignores SIGTERM) to end
  await waitFor(() => /stopping at the next safe point/.test(b.err()), 10_000);
  b.child.kill('SIGINT');
  const rb = await b.done;
  assert.equal(rb.code, 130, rb.err);
  assert.match(rb.err, /exiting now; continue with: llm-nas resume /);
  await waitFor(() => started().every((p) => !alive(p)), 10_000);
  fs.rmSync(hang);
  const resumed = await cli(['resume', two], env);
  assert.equal(resumed.code, 0, resumed.err);
  assert.match(resumed.out, /evaluations 12\b/);
  assert.ok(events(two).some((e) => e.type === 'search/completed'));
});

test('Ctrl-C on an LLM search with calls in flight: requests aborted, run/stopped, resumable', async (t) => {
  const srv = await LlmTestServer.start({ delayMs: 400 });
  t.after(() => srv.close());
  const d = tmp();
  const dir = path.join(d, 'run');
  const env = { LLM_NAS_TRUST_FILE: path.join(d, 'trust.json') };
  const args = ['--operator', 'llm', '--model', 'loop', '--base-url', srv.url, '--generations', '4'];
  const p = startCli(['search', ...args, '--budget', '72', '--seed', '4', '--out', dir], env);
  await waitFor(() => srv.inflight > 0, 60_000);
  p.child.kill('SIGINT');
  const r = await p.done;
  assert.equal(r.code, 130, r.err);
  assert.match(r.err, /stopping at the next safe point/);
  const ev = events(dir);
  assert.equal(ev.at(-1)!.type, 'run/stopped');
  await waitFor(() => srv.inflight === 0, 10_000);
  const resumed = await cli(['resume', dir], env);
  assert.equal(resumed.code, 0, resumed.err);
  assert.ok(events(dir).some((e) => e.type === 'search/completed'));
});
