// Security (issue 9, items 1–4): a foreign run folder or space file cannot run a command or send a key without the
// user's approval (recorded outside the folder) or the value given again; a key echoed by a server is redacted from
// stderr, events.jsonl and llm.jsonl; CSV cells a spreadsheet would take for formulas are neutralised.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import type { RunConfig } from '../../src/core/runstore';
import { cli, repoRoot, tmp } from '../support/cli';
import { LlmTestServer } from '../support/llm-server';

const localEval = path.join(repoRoot, 'examples/evaluators/local-eval.mjs');

/** A trust store of its own for each "user" (a test never touches the real ~/.config). */
const storeEnv = (dir: string): Record<string, string> => ({
  LLM_NAS_TRUST_FILE: path.join(dir, 'trust.json'),
});

/** Lets a completed run folder continue for `more` generations (so a resume evaluates again). */
function extend(dir: string, generations: number, budget: number): void {
  const f = path.join(dir, 'config.json');
  const c = JSON.parse(fs.readFileSync(f, 'utf8')) as RunConfig;
  c.generations = generations;
  c.budget = budget;
  fs.writeFileSync(f, JSON.stringify(c, null, 2));
  const ev = path.join(dir, 'events.jsonl');
  fs.writeFileSync(
    ev,
    fs
      .readFileSync(ev, 'utf8')
      .split('\n')
      .filter((l) => !l.includes('"search/completed"'))
      .join('\n'),
  );
}

test('resume of a foreign folder does not run its external evaluator command until approved', async () => {
  const d = tmp();
  const mark = path.join(d, 'ran');
  const dir = path.join(d, 'run');
  const command = `touch ${mark} && node ${localEval}`;
  const alice = storeEnv(path.join(d, 'alice'));
  const bob = storeEnv(path.join(d, 'bob'));
  const made = await cli(
    // FBNet: a space that took an external evaluator before this change too
    [
      'search',
      '--space',
      'fbnet',
      '--external-evaluator',
      command,
      '--budget',
      '12',
      '--generations',
      '2',
      '--out',
      dir,
    ],
    alice,
  );
  assert.equal(made.code, 0, made.err);
  assert.ok(fs.existsSync(mark));
  extend(dir, 3, 18);
  fs.rmSync(mark);
  const before = fs.readdirSync(path.join(dir, 'archs')).length;

  // another user (another trust store) resumes it: refused, nothing run
  const refused = await cli(['resume', dir], bob);
  assert.equal(refused.code, 2, refused.err);
  assert.ok(!fs.existsSync(mark), 'the folder command ran without approval');
  assert.match(refused.err, /asks to run the shell command "touch .* && node .*local-eval\.mjs"/);
  assert.match(refused.err, /llm-nas trust /);
  assert.match(refused.err, /--external-evaluator '/);
  assert.doesNotMatch(refused.err, /\n\s+at /);
  assert.equal(refused.err.trim().split('\n').length, 1);

  // approved with `llm-nas trust DIR`: it runs
  const ok = await cli(['trust', dir], bob);
  assert.equal(ok.code, 0, ok.err);
  assert.match(ok.out, /approved for .*: run the shell command/);
  const resumed = await cli(['resume', dir], bob);
  assert.equal(resumed.code, 0, resumed.err);
  assert.ok(fs.existsSync(mark));
  assert.ok(fs.readdirSync(path.join(dir, 'archs')).length > before);

  // the owner (whose search approved its own folder) resumes without being asked
  extend(dir, 4, 24);
  const owner = await cli(['resume', dir], alice);
  assert.equal(owner.code, 0, owner.err);
});

test('search --space-file: the file’s evaluator.command runs only when approved or given again', async () => {
  const d = tmp();
  const mark = path.join(d, 'ran');
  const src = JSON.parse(
    fs.readFileSync(path.join(repoRoot, 'examples/user-space/tiny-cnn.space.json'), 'utf8'),
  ) as Record<string, unknown>;
  const command = `touch ${mark} && node ${localEval}`;
  const file = path.join(d, 'x.space.json');
  fs.writeFileSync(file, JSON.stringify({ ...src, evaluator: { command } }));
  const env = storeEnv(d);
  const args = ['search', '--space-file', file, '--budget', '8', '--generations', '2'];
  const refused = await cli([...args, '--out', path.join(d, 'a')], env);
  assert.equal(refused.code, 2, refused.err);
  assert.match(refused.err, /x\.space\.json asks to run the shell command "touch /);
  assert.ok(!fs.existsSync(mark));
  assert.ok(!fs.existsSync(path.join(d, 'a')), 'a refused search must not create its folder');
  const given = await cli([...args, '--external-evaluator', command, '--out', path.join(d, 'b')], env);
  assert.equal(given.code, 0, given.err);
  assert.ok(fs.existsSync(mark));
  fs.rmSync(mark);
  assert.equal((await cli(['trust', file], env)).code, 0);
  const approved = await cli([...args, '--out', path.join(d, 'c')], env);
  assert.equal(approved.code, 0, approved.err);
  assert.ok(fs.existsSync(mark));
  // the approval is for that exact command: an edited file asks again
  fs.writeFileSync(file, JSON.stringify({ ...src, evaluator: { command: `${command} # changed` } }));
  const edited = await cli([...args, '--out', path.join(d, 'e')], env);
  assert.equal(edited.code, 2, edited.err);
});

test('resume does not send a key to a folder’s endpoint until approved; a key echoed in a 401 is redacted', async (t) => {
  const srv = await LlmTestServer.start();
  t.after(() => srv.close());
  const d = tmp();
  const dir = path.join(d, 'run');
  const secret = 'ghp_SECRETsecret1234567890';
  const alice = { ...storeEnv(path.join(d, 'alice')), SOME_TOKEN: secret };
  const bob = { ...storeEnv(path.join(d, 'bob')), SOME_TOKEN: secret };
  const llm = ['--operator', 'llm', '--model', 'loop', '--base-url', srv.url, '--api-key-env', 'SOME_TOKEN'];
  const made = await cli(
    ['search', ...llm, '--generations', '2', '--budget', '36', '--seed', '3', '--out', dir],
    alice,
  );
  assert.equal(made.code, 0, made.err);
  extend(dir, 3, 54);
  const served = srv.requests.length;
  assert.ok(served > 0);

  const refused = await cli(['resume', dir], bob);
  assert.equal(refused.code, 2, refused.err);
  assert.equal(srv.requests.length, served, 'a request went to the folder’s endpoint without approval');
  assert.match(
    refused.err,
    /send the value of the environment variable SOME_TOKEN as the API key to http:\/\/127/,
  );
  assert.match(refused.err, /--base-url http:\/\/127\.0\.0\.1:\d+\/v1 --api-key-env SOME_TOKEN/);

  // given again, it goes; a gateway that echoes the Authorization header in its 401 body
  srv.script = (r) => ({
    kind: 'status',
    status: 401,
    body: { error: { message: `invalid credentials in header "Authorization: ${r.authorization}"` } },
  });
  const failed = await cli(['resume', dir, '--base-url', srv.url, '--api-key-env', 'SOME_TOKEN'], bob);
  assert.ok(srv.requests.length > served);
  assert.equal(srv.requests.at(-1)!.authorization, `Bearer ${secret}`);
  assert.equal(failed.code, 1, failed.err);
  assert.match(failed.err, /rejected the API key \(401\)/);
  for (const [name, text] of [
    ['stderr', failed.err],
    ['stdout', failed.out],
    ['events.jsonl', fs.readFileSync(path.join(dir, 'events.jsonl'), 'utf8')],
    ['llm.jsonl', fs.readFileSync(path.join(dir, 'llm.jsonl'), 'utf8')],
  ] as const) {
    assert.ok(!text.includes(secret), `the key is in ${name}`);
    assert.ok(!text.includes(secret.slice(4)), `part of the key is in ${name}`);
  }
  assert.match(fs.readFileSync(path.join(dir, 'events.jsonl'), 'utf8'), /run\/failed.*\[REDACTED\]/);
});

test('CSV export: a rationale starting with = is written as a neutralised text cell', async () => {
  const d = tmp();
  const dir = path.join(d, 'run');
  const r = await cli(['search', '--budget', '8', '--generations', '1', '--out', dir], storeEnv(d));
  assert.equal(r.code, 0, r.err);
  const specs = fs.readdirSync(path.join(dir, 'archs'));
  for (const name of specs) {
    const f = path.join(dir, 'archs', name);
    const s = JSON.parse(fs.readFileSync(f, 'utf8')) as { rationale: string };
    s.rationale = "=cmd|' /C calc'!A0";
    fs.writeFileSync(f, JSON.stringify(s));
  }
  const exported = await cli(['export', dir, '--all', '--format', 'csv'], storeEnv(d));
  assert.equal(exported.code, 0, exported.err);
  const csv = exported.out;
  const lines = csv.trim().split('\n');
  assert.equal(lines.length, specs.length + 1);
  for (const l of lines.slice(1)) assert.ok(l.endsWith(`,"'=cmd|' /C calc'!A0"`), l);
  assert.ok(!/,=cmd/.test(csv));
});
