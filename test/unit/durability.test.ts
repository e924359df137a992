// Durability (issue 9, items 5 and 8): the CLI is SIGKILLed at every named write point (test/support/kill-at.mjs)
// and resumed, and run folders are damaged the ways users and crashes damage them; after resume the folder
// equals an uninterrupted run's (same front, same spec files, one arch/evaluated event per spec, one
// search/completed, no temp file) — or resume refuses with a message naming the file. Nothing is lost.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { nonDominated } from '../../src/core/pareto';
import { SearchRun, type FrontFile, type RunNotice } from '../../src/core/run';

const root = path.join(__dirname, '..', '..');
const hook = path.join(root, 'test', 'support', 'kill-at.mjs');
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'llm-nas-dur-'));
const ARGS = ['--budget', '120', '--generations', '6', '--seed', '5'];

/** Runs `llm-nas search` with the kill hook; resolves with the signal that ended it (null: exited). */
function search(out: string, killAt: string): Promise<{ code: number | null; signal: string | null }> {
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        '--import',
        hook,
        path.join(root, 'src/cli/main.ts'),
        'search',
        ...ARGS,
        '--out',
        out,
      ],
      { cwd: root, stdio: 'ignore', env: { ...process.env, LLMNAS_KILL_AT: killAt } },
    );
    child.on('exit', (code, signal) => resolve({ code, signal }));
  });
}

type Event = { type: string; id?: string; seq: number };
const events = (dir: string): Event[] =>
  fs
    .readFileSync(path.join(dir, 'events.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Event);
const specs = (dir: string): Map<string, unknown> =>
  new Map(
    fs
      .readdirSync(path.join(dir, 'archs'))
      .filter((f) => f.endsWith('.json') && !f.startsWith('.'))
      .sort()
      .map((f) => {
        const { evaluatedAt: _e, ...rest } = JSON.parse(
          fs.readFileSync(path.join(dir, 'archs', f), 'utf8'),
        ) as Record<string, unknown>;
        return [f, rest] as const;
      }),
  );
const frontOf = (dir: string): unknown => {
  const f = JSON.parse(fs.readFileSync(path.join(dir, 'front.json'), 'utf8')) as FrontFile;
  assert.equal(f.complete, true, `${dir}: front.json not complete`);
  return f.front.map((e) => [e.id, e.predictedAccuracy, e.hw]);
};
const tmpFiles = (dir: string): string[] =>
  [dir, path.join(dir, 'archs'), path.join(dir, 'kb')]
    .filter((d) => fs.existsSync(d))
    .flatMap((d) => fs.readdirSync(d).filter((f) => f.endsWith('.tmp')));

/** The folder equals the uninterrupted run's: front, specs, one event per spec, one search/completed. */
function assertSameAsReference(dir: string, ref: string, what: string): void {
  assert.deepEqual(frontOf(dir), frontOf(ref), `${what}: front differs`);
  const a = specs(dir);
  const b = specs(ref);
  assert.deepEqual([...a.keys()], [...b.keys()], `${what}: spec files differ`);
  for (const [f, s] of b) assert.deepEqual(a.get(f), s, `${what}: archs/${f} differs`);
  const ev = events(dir);
  const ids = ev.filter((e) => e.type === 'arch/evaluated').map((e) => `${e.id}.json`);
  assert.equal(new Set(ids).size, ids.length, `${what}: an evaluation is logged twice`);
  assert.deepEqual([...ids].sort(), [...a.keys()], `${what}: events and spec files disagree`);
  assert.equal(ev.filter((e) => e.type === 'search/completed').length, 1, `${what}: search/completed count`);
  assert.deepEqual(
    ev.map((e) => e.seq),
    ev.map((_, i) => i),
    `${what}: seq numbers`,
  );
  assert.deepEqual(tmpFiles(dir), [], `${what}: temp files left`);
}

async function resume(dir: string): Promise<{ run: SearchRun; notices: RunNotice[] }> {
  const notices: RunNotice[] = [];
  const run = SearchRun.resume(dir, { onNotice: (n) => notices.push(n) });
  await run.done;
  return { run, notices };
}

const repairs = (ns: RunNotice[]): string =>
  ns
    .filter((n) => n.type === 'run/repaired')
    .map((n) => (n.type === 'run/repaired' ? `${n.file}: ${n.message}` : ''))
    .join('\n');

// Every named write point, at its first occurrence and further into the run (a full run reaches them
// spec-* 120, event-* 242, front-* 37, kb-* 8, other-* (config.json) 1 times).
const KILLS = [
  'other-renamed:1',
  'kb-tmp:3',
  'kb-renamed:8',
  'spec-tmp:1',
  'spec-tmp:61',
  'spec-renamed:1',
  'spec-renamed:60',
  'spec-renamed:120',
  'event-torn:1',
  'event-torn:121',
  'event-torn:242',
  'event-appended:2',
  'event-appended:241',
  'front-tmp:19',
  'front-renamed:36',
];

const ref = path.join(work, 'ref');
const base = path.join(work, 'base'); // killed mid-run (spec 60 renamed, its event not written)

const once = <T>(f: () => Promise<T>): (() => Promise<T>) => {
  let p: Promise<T> | undefined;
  return () => (p ??= f());
};
const counts = path.join(work, 'counts.json');
const refReady = once(async () => assert.equal((await search(ref, `count:${counts}`)).code, 0));
// the folder the damage cases start from: killed mid-run (generation 2 or so), spec 60 without its event
const baseReady = once(async () => assert.equal((await search(base, 'spec-renamed:60')).signal, 'SIGKILL'));

test('reference run and the counted write points', async () => {
  await refReady();
  const c = JSON.parse(fs.readFileSync(counts, 'utf8')) as Record<string, number>;
  // the kill list below relies on these counts; if the run changes, this says so first
  assert.deepEqual(
    [c['spec-renamed'], c['event-appended'], c['front-renamed'], c['kb-renamed'], c['other-renamed']],
    [120, 242, 37, 8, 1],
  );
});

test(`SIGKILL at each of ${KILLS.length} write points, then resume: the folder equals the uninterrupted run's`, async () => {
  await refReady();
  // what each kind of kill leaves, and the repair resume must report for it
  const expected: [RegExp, RegExp][] = [
    [/^spec-renamed:/, /had a spec file but no event/],
    [/-tmp:/, /removed 1 temp file\(s\) left by an interrupted write/],
    [/^event-torn:/, /was torn by an interrupted write and is dropped/],
  ];
  let reached = 0;
  // two at a time: the kills are separate processes
  for (let i = 0; i < KILLS.length; i += 2) {
    const batch = KILLS.slice(i, i + 2);
    const results = await Promise.all(batch.map((k) => search(path.join(work, k), k)));
    for (const [j, k] of batch.entries()) {
      assert.equal(results[j]!.signal, 'SIGKILL', `${k}: the kill point was not reached`);
      const dir = path.join(work, k);
      const before = specs(dir);
      const { run, notices } = await resume(dir);
      assert.equal(run.status, 'completed', k);
      for (const f of before.keys()) assert.ok(specs(dir).has(f), `${k}: archs/${f} lost`);
      assertSameAsReference(dir, ref, k);
      for (const [point, msg] of expected)
        if (point.test(k)) assert.match(repairs(notices), msg, `${k}: repair not reported`);
      reached++;
    }
  }
  assert.equal(reached, KILLS.length);
});

test('killed before config.json is in place: resume refuses naming it (nothing was run)', async () => {
  const dir = path.join(work, 'other-tmp:1');
  assert.equal((await search(dir, 'other-tmp:1')).signal, 'SIGKILL');
  assert.throws(() => SearchRun.resume(dir), /config\.json: not found — this folder is not an LLM-NAS run/);
});

test('a full disk (ENOSPC) at a spec write and at an event append: the run fails, resume ends equal', async () => {
  await refReady();
  for (const k of ['enospc-spec:40', 'enospc-event:100']) {
    const dir = path.join(work, k);
    const r = await search(dir, k);
    assert.equal(r.signal, null, k);
    assert.notEqual(r.code, 0, `${k}: the run must fail`);
    assert.ok(
      events(dir).some((e) => e.type === 'run/failed'),
      `${k}: run/failed recorded`,
    );
    const { run } = await resume(dir);
    assert.equal(run.status, 'completed', k);
    assertSameAsReference(dir, ref, k);
  }
});

test('a spec written but its event not: resume appends the event and says so', async () => {
  await refReady();
  const dir = path.join(work, 'spec-event');
  assert.equal((await search(dir, 'spec-renamed:30')).signal, 'SIGKILL');
  const ev = events(dir).filter((e) => e.type === 'arch/evaluated').length;
  assert.equal(fs.readdirSync(path.join(dir, 'archs')).length, ev + 1, 'one spec has no event');
  const { notices } = await resume(dir);
  assert.match(
    repairs(notices),
    /events\.jsonl: 1 evaluation\(s\) had a spec file but no event \(archs\/nb201-\d+\.json\): events appended/,
  );
  assertSameAsReference(dir, ref, 'spec without event');
});

/** A copy of the mid-run folder, damaged by `damage`, resumed; the folder must equal the reference. */
async function repaired(name: string, damage: (dir: string) => void, expect: RegExp): Promise<void> {
  await Promise.all([refReady(), baseReady()]);
  const dir = path.join(work, name);
  fs.cpSync(base, dir, { recursive: true });
  damage(dir);
  const { run, notices } = await resume(dir);
  assert.equal(run.status, 'completed', name);
  assert.match(repairs(notices), expect, name);
  assertSameAsReference(dir, ref, name);
}

/** A copy of the mid-run folder, damaged, resumed: refused with a message naming the file; nothing appended. */
async function refused(name: string, damage: (dir: string) => void, expect: RegExp): Promise<void> {
  await Promise.all([refReady(), baseReady()]);
  const dir = path.join(work, name);
  fs.cpSync(base, dir, { recursive: true });
  damage(dir);
  const before = fs.readFileSync(path.join(dir, 'events.jsonl'), 'utf8');
  await assert.rejects(
    (async () => SearchRun.resume(dir).done)(),
    (e: unknown) => expect.test((e as Error).message),
    name,
  );
  assert.equal(
    fs.readFileSync(path.join(dir, 'events.jsonl'), 'utf8'),
    before,
    `${name}: events.jsonl changed`,
  );
}

/** A spec of generation 0 (so it sits in a completed generation's population). */
const earlySpec = (dir: string): string => {
  for (const f of fs.readdirSync(path.join(dir, 'archs')).sort()) {
    const s = JSON.parse(fs.readFileSync(path.join(dir, 'archs', f), 'utf8')) as { generation: number };
    if (s.generation === 0) return path.join(dir, 'archs', f);
  }
  throw new Error('no generation-0 spec');
};
const editSpec = (f: string, edit: (s: { evaluation: Record<string, unknown> }) => void): void => {
  const s = JSON.parse(fs.readFileSync(f, 'utf8')) as { evaluation: Record<string, unknown> };
  edit(s);
  fs.writeFileSync(f, JSON.stringify(s));
};

const TORN: [string, (d: string) => void, RegExp][] = [
  [
    'accuracy-text',
    (d) => editSpec(earlySpec(d), (s) => (s.evaluation['predictedAccuracy'] = 'high')),
    /archs\/nb201-\d+\.json: evaluation\.predictedAccuracy: expected a finite number, got "high" — rebuilt from events\.jsonl line \d+/,
  ],
  [
    'accuracy-null',
    (d) => editSpec(earlySpec(d), (s) => (s.evaluation['predictedAccuracy'] = null)),
    /archs\/nb201-\d+\.json: evaluation\.predictedAccuracy: expected a finite number, got null — rebuilt/,
  ],
  [
    'latency-text',
    (d) =>
      editSpec(
        earlySpec(d),
        (s) => ((s.evaluation['hw'] as Record<string, unknown>)['edgegpu_latency'] = 'x'),
      ),
    /evaluation\.hw\.edgegpu_latency: expected a number, got "x" — rebuilt/,
  ],
  [
    'spec-truncated',
    (d) => {
      const f = earlySpec(d);
      fs.writeFileSync(f, fs.readFileSync(f, 'utf8').slice(0, 40));
    },
    /archs\/nb201-\d+\.json: corrupted JSON .* — rebuilt from events\.jsonl/,
  ],
  [
    'spec-deleted',
    (d) => fs.rmSync(earlySpec(d)),
    /1 spec file\(s\) were missing \(nb201-\d+\): rebuilt from events\.jsonl/,
  ],
  [
    'archs-deleted',
    (d) => fs.rmSync(path.join(d, 'archs'), { recursive: true }),
    /archs: archs\/ was missing: rebuilt \d+ spec file\(s\) from events\.jsonl/,
  ],
  [
    'events-deleted',
    (d) => fs.rmSync(path.join(d, 'events.jsonl')),
    /events\.jsonl was missing: rebuilt \d+ arch\/evaluated event\(s\) from archs\//,
  ],
  [
    'event-torn-by-hand',
    (d) => fs.appendFileSync(path.join(d, 'events.jsonl'), '{"seq": 999, "type": "arch/eval'),
    /events\.jsonl: line \d+ was torn by an interrupted write and is dropped/,
  ],
  [
    'front-garbled',
    (d) => fs.writeFileSync(path.join(d, 'front.json'), '{"front": 3'),
    /front\.json: corrupted JSON .* — rewritten from the spec files/,
  ],
  [
    'temp-files',
    (d) => {
      fs.writeFileSync(path.join(d, '.front.json.1.2.tmp'), '{');
      fs.writeFileSync(path.join(d, 'archs', '.nb201-00001.json.1.3.tmp'), '');
    },
    /removed 2 temp file\(s\) left by an interrupted write/,
  ],
];

const REFUSED: [string, (d: string) => void, RegExp][] = [
  [
    'spec-disagrees',
    (d) => editSpec(earlySpec(d), (s) => (s.evaluation['predictedAccuracy'] = 0.123456789)),
    /archs\/nb201-\d+\.json: disagrees with events\.jsonl line \d+ \(predictedAccuracy 0\.123456789 vs [\d.]+\); delete the spec file/,
  ],
  [
    'spec-broken-no-event',
    (d) => {
      fs.rmSync(path.join(d, 'events.jsonl'));
      editSpec(earlySpec(d), (s) => (s.evaluation['predictedAccuracy'] = 'NaN'));
      fs.writeFileSync(path.join(d, 'events.jsonl'), '');
    },
    /archs\/nb201-\d+\.json: evaluation\.predictedAccuracy: expected a finite number, got "NaN"; events\.jsonl holds no copy/,
  ],
  [
    'event-line-garbled',
    (d) => {
      const f = path.join(d, 'events.jsonl');
      const lines = fs.readFileSync(f, 'utf8').split('\n');
      lines[5] = '#garbage';
      fs.writeFileSync(f, lines.join('\n'));
    },
    /events\.jsonl: line 6 is not valid JSON/,
  ],
  [
    'event-accuracy-null',
    (d) => {
      const f = path.join(d, 'events.jsonl');
      const lines = fs.readFileSync(f, 'utf8').split('\n');
      const i = lines.findIndex((l) => l.includes('"arch/evaluated"'));
      const e = JSON.parse(lines[i]!) as { evaluation: Record<string, unknown> };
      e.evaluation['predictedAccuracy'] = null;
      lines[i] = JSON.stringify(e);
      fs.writeFileSync(f, lines.join('\n'));
    },
    /events\.jsonl: line \d+: evaluation\.predictedAccuracy: expected a finite number, got null/,
  ],
  [
    'config-budget',
    (d) => {
      const f = path.join(d, 'config.json');
      fs.writeFileSync(f, JSON.stringify({ ...JSON.parse(fs.readFileSync(f, 'utf8')), budget: 'lots' }));
    },
    /config\.json: budget: expected a positive integer, got "lots"/,
  ],
  [
    'archive-id-gone',
    (d) => {
      // the spec and the event of an archive member both gone
      const f = earlySpec(d);
      const id = path.basename(f, '.json');
      fs.rmSync(f);
      const ev = path.join(d, 'events.jsonl');
      const kept = fs
        .readFileSync(ev, 'utf8')
        .split('\n')
        .filter((l) => !(l.includes('"arch/evaluated"') && l.includes(`"id":"${id}"`)));
      fs.writeFileSync(ev, kept.join('\n'));
    },
    /events\.jsonl: generation \d+ of N\d names nb201-\d+, which has neither a spec file/,
  ],
];

test(`${TORN.length} damaged folders are repaired with a message naming the file, and end equal to the uninterrupted run`, async () => {
  for (const [name, damage, expect] of TORN) await repaired(name, damage, expect);
});

test(`${REFUSED.length} damaged folders that cannot be repaired are refused naming the file, untouched`, async () => {
  for (const [name, damage, expect] of REFUSED) await refused(name, damage, expect);
});

test('resuming a completed run appends nothing (no second search/completed)', async () => {
  await refReady();
  const dir = path.join(work, 'complete');
  fs.cpSync(ref, dir, { recursive: true });
  const before = fs.readFileSync(path.join(dir, 'events.jsonl'), 'utf8');
  const { run, notices } = await resume(dir);
  assert.equal(run.status, 'completed');
  assert.match(repairs(notices), /already complete/);
  assert.equal(fs.readFileSync(path.join(dir, 'events.jsonl'), 'utf8'), before);
  assertSameAsReference(dir, ref, 'completed');
});

test('nonDominated terminates on NaN objectives (was an endless loop)', () => {
  const t0 = Date.now();
  const nd = nonDominated([
    [NaN, 1],
    [0, 2],
    [NaN, NaN],
    [-1, 3],
  ]);
  assert.ok(Date.now() - t0 < 100);
  assert.deepEqual(nd, [1, 3]); // a point with a NaN objective is on no front
});
