// The editor's run glue without VS Code (issue 13): an unreachable LLM endpoint fails with a message naming the
// setting, cards showing the failure and a filled log, and Resume takes the current endpoint settings; Pause
// says "pausing" until the generation in progress is evaluated; step mode survives a resume from the folder;
// the knowledge base is not "pending" over blank lines; New Search's pickers and the panel's pure helpers.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { test } from 'node:test';
import { RunStore } from '../../src/core/runstore';
import {
  editorWording,
  isEndpointError,
  testConnection,
  withBuiltinOperator,
  withCurrentLlmSettings,
  type LlmSettingsLike,
} from '../../src/extension/endpoint';
import { readKbState, sameKnowledge } from '../../src/extension/kb';
import { estimateDuration, formatDuration, predictorItems, stepTitle } from '../../src/extension/pickers';
import { compareRuns, renameRun, runInfo, runLabel } from '../../src/extension/runinfo';
import { readStepping, RunSession } from '../../src/extension/session';
import {
  coverageClass,
  coverageCount,
  firstOfEachId,
  frontStyle,
  phaseLabel,
  progressLine,
} from '../../webview/format';
import type { CoverageBin } from '../../src/protocol';
import { nb201TestConfig } from '../support/config';
import { llmConfig, tmpDir } from '../support/llm-run';
import { LlmTestServer } from '../support/llm-server';
import { waitFor } from '../support/wait';

/** A loopback port nothing listens on (bound, then closed). */
async function closedPort(): Promise<number> {
  const s = http.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

const settings = (endpoint: string, over: Partial<LlmSettingsLike> = {}): LlmSettingsLike => ({
  endpoint,
  model: 'loopback-model',
  maxInFlight: 6,
  temperature: 0.7,
  priceInPer1k: 0.15,
  priceOutPer1k: 0.6,
  costCapUsd: 5,
  maxOutputTokens: 0,
  outputTokensField: 'max_tokens',
  ...over,
});

test('Test connection: unreachable, key refused, reachable with and without the model', async () => {
  const port = await closedPort();
  const down = await testConnection(`http://127.0.0.1:${port}/v1`, 'm', undefined, 2000);
  assert.equal(down.ok, false);
  assert.match(down.message, /cannot reach http:\/\/127\.0\.0\.1:\d+\/v1 \(ECONNREFUSED\)/);
  assert.match(down.message, /llmNas\.llm\.endpoint/);
  assert.equal((await testConnection('not a url', 'm', undefined)).ok, false);

  const seen: (string | undefined)[] = [];
  const srv = http.createServer((req, res) => {
    seen.push(req.headers.authorization);
    if (req.headers.authorization !== 'Bearer good') {
      res.writeHead(401).end('{}');
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ data: [{ id: 'gpt-x' }, { id: 'loopback-model' }] }));
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(srv.address() as AddressInfo).port}/v1`;
  try {
    const refused = await testConnection(url, 'loopback-model', 'bad');
    assert.equal(refused.ok, false);
    assert.match(refused.message, /refused the API key \(401\).*Set API Key/);
    const ok = await testConnection(url, 'loopback-model', 'good');
    assert.equal(ok.ok, true);
    assert.equal(ok.modelListed, true);
    const other = await testConnection(url, 'nope', 'good');
    assert.equal(other.ok, true);
    assert.equal(other.modelListed, false);
    assert.match(other.message, /does not list "nope" \(it offers gpt-x, loopback-model\)/);
    assert.deepEqual(seen, ['Bearer bad', 'Bearer good', 'Bearer good']);
  } finally {
    srv.close();
  }
  // the repository's test server has no /models route: reachable is all it can say
  const llm = await LlmTestServer.start();
  try {
    const r = await testConnection(llm.url, 'loopback-model', undefined);
    assert.equal(r.ok, true);
    assert.match(r.message, /reachable \(HTTP 404 on \/models/);
  } finally {
    await llm.close();
  }
});

test('resume takes the current LLM settings; the built-in fallback drops the LLM options', () => {
  const c = llmConfig('http://127.0.0.1:9/v1', {}, { promptsDir: undefined, kbUpdate: false });
  const r = withCurrentLlmSettings(c, settings('http://127.0.0.1:4242/v1', { model: 'other' }));
  const o = r.config.operatorOptions as Record<string, unknown>;
  assert.equal(o['baseURL'], 'http://127.0.0.1:4242/v1');
  assert.equal(o['model'], 'other');
  assert.equal(o['kbUpdate'], false, 'options the settings do not carry stay');
  assert.equal(o['apiKeyEnv'], 'LLM_NAS_TEST_KEY');
  assert.ok(r.changed.includes('baseURL') && r.changed.includes('model'), r.changed.join());
  assert.equal(withCurrentLlmSettings(nb201TestConfig(), settings('x')).changed.length, 0);
  const b = withBuiltinOperator(c);
  assert.equal(b.operator, 'builtin');
  assert.equal(b.operatorOptions, undefined);
  assert.equal(
    editorWording('is the server running and --base-url right? check --model'),
    'is the server running and the setting llmNas.llm.endpoint right? check llmNas.llm.model',
  );
  assert.ok(isEndpointError('cannot reach the LLM endpoint http://x (ECONNREFUSED) after 1 retries'));
  assert.ok(!isEndpointError('out of memory'));
});

test('endpoint unreachable mid-run: failed with the setting named, every card in error, log filled; Resume with the current endpoint completes', async () => {
  const dir = path.join(tmpDir(), 'run');
  const port = await closedPort();
  const s = RunSession.start(dir, llmConfig(`http://127.0.0.1:${port}/v1`, { generations: 2, budget: 40 }));
  await s.done;
  const snap = s.model.snapshot().state;
  assert.equal(snap.run?.phase, 'failed');
  assert.equal(snap.run?.endpointError, true);
  assert.match(snap.run?.error ?? '', /cannot reach the LLM endpoint .*ECONNREFUSED/);
  assert.match(snap.run?.error ?? '', /llmNas\.llm\.endpoint/);
  assert.doesNotMatch(snap.run?.error ?? '', /--base-url/);
  assert.ok(snap.niches.length > 1);
  for (const c of snap.niches) {
    assert.equal(c.phase, 'error', `${c.name} shows the failure`);
    assert.match(c.message ?? '', /cannot reach/);
  }
  assert.ok(
    snap.log.some((l) => /^\d\d:\d\d:\d\d {2}run failed: cannot reach/.test(l)),
    snap.log.join('\n'),
  );
  // generation 0 (random samples, no LLM) completed for every niche: one timestamped log line each
  const gen0 = snap.log.filter((l) => / generation 0 done: /.test(l));
  assert.equal(gen0.length, snap.niches.length, snap.log.join('\n'));
  assert.match(gen0[0]!, /evaluated, archive \d+, best proxy score 0\.\d{3}, lowest latency \d+\.\d{3} ms/);
  s.dispose();

  // the user fixes the setting; Resume rewrites config.json with it and the run finishes
  const llm = await LlmTestServer.start();
  process.env['LLM_NAS_TEST_KEY'] = 'sk-test';
  try {
    const before = RunStore.open(dir).readConfig();
    const r = withCurrentLlmSettings(before, settings(llm.url));
    fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify(r.config));
    const s2 = RunSession.resume(dir);
    await s2.done;
    const after = s2.model.snapshot().state;
    assert.equal(after.run?.phase, 'completed', after.run?.error);
    assert.equal(after.run?.evaluations, 40);
    assert.ok(llm.requests.length > 0, 'the new endpoint was called');
    assert.equal(runInfo(dir).status, 'completed');
    s2.dispose();
  } finally {
    delete process.env['LLM_NAS_TEST_KEY'];
    await llm.close();
  }
});

test('Pause: "pausing" while the generation is evaluated, then "paused"; step mode survives a resume', async () => {
  const dir = path.join(tmpDir(), 'run');
  const s = RunSession.start(dir, nb201TestConfig({ id: 'p', generations: 6, budget: 120, seed: 5 }));
  const seen: string[] = [];
  let atPause = '';
  s.onChange(() => {
    // ask for a pause while a niche is evaluating generation 1
    if (!atPause && s.model.busy && s.model.generation >= 0) {
      atPause = 'asked';
      s.pause();
      atPause = `${s.model.runPhase} ${phaseLabel(s.model.summary())}`;
    }
    const p = s.model.runPhase;
    if (seen[seen.length - 1] !== p) seen.push(p);
  });
  await waitFor(() => atPause !== '', 20000);
  assert.equal(atPause, 'pausing pausing…', 'a generation is in progress');
  await waitFor(() => s.model.runPhase === 'paused', 20000);
  assert.ok(!s.model.busy);
  assert.deepEqual(seen.slice(-2), ['pausing', 'paused']);
  s.stop();
  await s.done;
  s.dispose();

  // step mode is recorded in the folder: a resume without options pauses after one more generation
  const dir2 = path.join(tmpDir(), 'run');
  const a = RunSession.start(dir2, nb201TestConfig({ id: 's', generations: 5, budget: 100, seed: 2 }), {
    stepping: true,
  });
  await waitFor(() => a.model.runPhase === 'paused', 20000);
  assert.equal(readStepping(dir2), true);
  const done = a.model.generation;
  a.dispose(); // the window reloads
  await a.done;
  const b = RunSession.resume(dir2);
  assert.equal(b.model.stepping, true);
  await waitFor(() => b.model.runPhase === 'paused', 20000);
  assert.equal(b.model.generation, done + 1, 'one generation, then paused again');
  assert.equal(b.model.summary().stepping, true);
  b.resume(); // leaves step mode
  await b.done;
  assert.equal(b.model.runPhase, 'completed');
  assert.equal(readStepping(dir2), false);
  b.dispose();
});

test('knowledge base: blank lines are not a pending edit; the built-in operator says the edit changes nothing', async () => {
  const dir = path.join(tmpDir(), 'run');
  const s = RunSession.start(dir, nb201TestConfig({ id: 'kb', generations: 3, budget: 60 }));
  await s.done;
  const file = path.join(dir, 'knowledge-base.md');
  const text = fs.readFileSync(file, 'utf8');
  const niches = s.model.nicheCards();
  fs.writeFileSync(file, text.replace(/\n/g, '\n\n') + '\n\n');
  assert.equal(readKbState(dir, niches).state.pending, false, 'only blank lines differ');
  fs.writeFileSync(file, text.replace('## Global\n', '## Global\n\n- a new rule added by hand\n'));
  assert.equal(readKbState(dir, niches).state.pending, true, 'a real edit is pending');
  assert.ok(sameKnowledge('# a\n\n- x  \n', '# a\n- x\n', 0));
  s.model.apply({ type: 'kb/edited', generation: 2, file: 'kb/user-gen-02.md' });
  const last = s.model.snapshot().state.log.at(-1) ?? '';
  assert.match(last, /built-in operator does not read the knowledge base/);
  assert.doesNotMatch(last, /took effect/);
  s.dispose();
});

test('New Search pickers: predictors once each, grouped; duration from measured runs; step titles', () => {
  const items = predictorItems(
    ['rank-avg', 'naswot', 'nbsz_synflow', 'live', 'live', 'external'],
    'rank-avg',
  );
  const labels = items.filter((x) => !x.separator).map((x) => x.label);
  assert.deepEqual(labels, ['rank-avg', 'live', 'naswot', 'nbsz_synflow', 'external']);
  assert.deepEqual(
    items.filter((x) => x.separator).map((x) => x.label.split(' ')[0]),
    ['Recommended', 'One', 'Published', 'Your'],
  );
  assert.match(items.find((x) => x.label === 'rank-avg')!.description!, /^default · mean percentile rank/);
  assert.match(items.find((x) => x.label === 'nbsz_synflow')!.description!, /SynFlow.*NAS-Bench-Suite-Zero/);

  const root = tmpDir();
  for (const [i, wall, n] of [
    [0, 600_000, 200],
    [1, 150_000, 100],
  ] as const) {
    fs.mkdirSync(path.join(root, `r${i}`));
    fs.writeFileSync(
      path.join(root, `r${i}`, 'front.json'),
      JSON.stringify({ space: 'autoformer-t', predictor: { id: 'rank-avg' }, evaluations: n, wallMs: wall }),
    );
  }
  const e = estimateDuration(300, 'autoformer-t', 'rank-avg', root)!;
  assert.equal(e.basis, 'measured');
  assert.equal(e.runs, 2);
  assert.ok(Math.abs(e.secondsPerEvaluation - 2.5) < 1e-9, `${e.secondsPerEvaluation}`); // 750 s / 300
  assert.equal(formatDuration(e.seconds), '13 min');
  assert.equal(estimateDuration(300, 'fbnet', 'rank-avg', root)!.basis, 'typical');
  assert.equal(formatDuration(40), '40 s');
  assert.equal(formatDuration(3900), '1 h 05 min');
  assert.equal(stepTitle(3, 9, 'dataset'), 'LLM-NAS: New Search (3/9) — dataset');
});

test('runs: names, status and best HV for the Runs view and the resume picker; compare', async () => {
  const dir = path.join(tmpDir(), 'run');
  const s = RunSession.start(dir, nb201TestConfig({ id: 'named', generations: 2, budget: 40 }));
  await s.done;
  s.dispose();
  renameRun(dir, '  first try ');
  const info = runInfo(dir);
  assert.equal(info.name, 'first try');
  assert.equal(info.status, 'completed');
  assert.ok(info.hvRatio! > 0 && info.hvRatio! <= 1);
  const l = runLabel(dir);
  assert.equal(l.label, 'first try');
  assert.match(
    l.description,
    new RegExp(`^completed · 40/40 evaluated · best HV ratio ${info.hvRatio!.toFixed(3)}$`),
  );
  assert.match(l.detail, /nb201 · cifar10 · edgegpu_latency · operator builtin · predictor rank-avg/);
  const md = compareRuns([dir, dir]);
  assert.match(md, /\| HV ratio \(benchmark truth\) \| 0\.\d{4} \| 0\.\d{4} \|/);
  renameRun(dir, '');
  assert.equal(runInfo(dir).name, undefined);
});

test('panel helpers: coverage counts only reference ranges; one generation numbering', () => {
  const bin = (wanted: boolean, hit: boolean): CoverageBin => ({ lo: 0, hi: 1, wanted, hit });
  // 7 filled cells, 5 of them where the reference has a point: "5 of 7" was the old, confusing count
  const bins = [
    bin(true, true),
    bin(true, true),
    bin(true, true),
    bin(true, true),
    bin(true, true),
    bin(false, true),
    bin(false, true),
    bin(true, false),
    bin(true, false),
    bin(false, false),
  ];
  assert.deepEqual(coverageCount(bins), { hit: 5, wanted: 7, outside: 2 });
  assert.deepEqual(
    bins.map(coverageClass).filter((c) => c.includes('hit')).length,
    5,
    'only covered reference ranges are drawn filled',
  );
  assert.equal(coverageClass(bin(false, true)), 'bin outside');
  const r = { generation: 1, generations: 5, evaluations: 60, budget: 150, phase: 'paused' as const };
  assert.equal(progressLine(r), '2 of 5 generations done · generation 2 next · 60 / 150 evaluated');
  assert.equal(
    progressLine({ ...r, phase: 'running' }),
    '2 of 5 generations done · generation 2 running · 60 / 150 evaluated',
  );
  assert.equal(
    progressLine({ ...r, generation: 4, phase: 'completed', evaluations: 150 }),
    '5 of 5 generations done · 150 / 150 evaluated',
  );
  assert.equal(phaseLabel({ phase: 'paused', stepping: true }), 'paused (step mode)');
});

test('plot: the front is a line only on the predicted axis; a tooltip names each point once', () => {
  assert.deepEqual(frontStyle('predicted'), { showLine: true, label: 'Global front' });
  assert.equal(frontStyle('truth').showLine, false);
  assert.match(frontStyle('truth').label, /chosen on predicted accuracy/);
  const items = [{ id: 'a' }, { id: 'b' }, { id: 'a' }, { id: undefined }];
  assert.deepEqual(
    firstOfEachId(items, (x) => x.id).map((x) => x.id),
    ['a', 'b', undefined],
  );
});

test('package.json: run commands hidden from the palette without a run; settings enums described; LLM-NAS title', () => {
  const pkg = JSON.parse(fs.readFileSync(path.join(__dirname, '../../package.json'), 'utf8')) as {
    contributes: {
      commands: { command: string }[];
      menus: { commandPalette: { command: string; when: string }[] };
      configuration: {
        id: string;
        title: string;
        properties: Record<string, { enum?: unknown[]; enumDescriptions?: unknown[] }>;
      }[];
    };
  };
  const when = new Map(pkg.contributes.menus.commandPalette.map((m) => [m.command, m.when]));
  for (const c of ['llmNas.pause', 'llmNas.resume', 'llmNas.step', 'llmNas.stop'])
    assert.match(when.get(c) ?? '', /llmNas\.runActive/, c);
  for (const c of ['llmNas.exportFront', 'llmNas.openKnowledgeBase'])
    assert.match(when.get(c) ?? '', /llmNas\.hasRun/, c);
  const ids = new Set(pkg.contributes.commands.map((c) => c.command));
  for (const c of [
    'llmNas.testConnection',
    'llmNas.renameRun',
    'llmNas.deleteRun',
    'llmNas.revealRun',
    'llmNas.compareRuns',
  ])
    assert.ok(ids.has(c), c);
  // categories titled "LLM-NAS…", each with the id that the Settings editor trims from its keys' labels
  const cats = pkg.contributes.configuration;
  assert.equal(cats[0]!.title, 'LLM-NAS');
  for (const c of cats) {
    assert.match(c.title, /^LLM-NAS/);
    for (const k of Object.keys(c.properties)) assert.equal(k.slice(0, k.lastIndexOf('.')), c.id, k);
  }
  const props = Object.assign({}, ...cats.map((c) => c.properties)) as (typeof cats)[number]['properties'];
  for (const k of ['llmNas.defaults.operator', 'llmNas.defaults.predictor', 'llmNas.llm.onEndpointFailure']) {
    assert.ok(props[k]!.enum!.length > 1, k);
    assert.equal(props[k]!.enumDescriptions!.length, props[k]!.enum!.length, k);
  }
  const preds = props['llmNas.defaults.predictor']!.enum as string[];
  assert.equal(new Set(preds).size, preds.length, 'each predictor once');
});
