// `--partition live` (issue 12, item 6): NB201 niches by the convolutions on live edges only. Checked against an
// independent oracle (the four input→output paths of the cell), with hand-checkable invariants, through the
// validator, the provider, the CLI flag and the bench row.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runSearcher } from '../../src/core/nb201/bench';
import { latencyTasks } from '../../src/core/nb201/benchmark';
import {
  nb201NicheOf,
  nb201NicheSizes,
  nb201Partition,
  nb201PartitionMode,
} from '../../src/core/nb201/partition';
import { nb201Provider } from '../../src/core/nb201/provider';
import { nb201Space, OP_CONV1, OP_CONV3, type Nb201Arch } from '../../src/core/nb201/space';
import { Validator } from '../../src/core/validator';
import { partitionOption } from '../../src/cli/partition';
import { UsageError } from '../../src/cli/input';
import { nb201TestConfig } from '../support/config';
import { parseKnowledgeBase } from '../../src/core/knowledge';
import { defaultKnowledgeBase } from '../../src/core/llm/prompts';
import { fitSeedKnowledgeBase } from '../../src/core/llm/seed';

// edge indices of the cell's four input→output paths: 0→3, 0→1→3, 0→2→3, 0→1→2→3
const PATHS = [[3], [0, 4], [1, 5], [0, 2, 5]];
function liveEdges(a: Nb201Arch): Set<number> {
  const live = new Set<number>();
  for (const p of PATHS) if (p.every((k) => a[k] !== 0)) p.forEach((k) => live.add(k));
  return live;
}
function oracleNiche(a: Nb201Arch): number {
  const live = liveEdges(a);
  const c3 = [...live].filter((k) => a[k] === OP_CONV3).length;
  const c1 = [...live].filter((k) => a[k] === OP_CONV1).length;
  return c3 === 0 ? (c1 === 0 ? 0 : 1) : Math.min(c3, 4) + 1;
}

test('live niches over all 15,625 cells: the oracle agrees, sizes sum to the space, dead convs move cells down', () => {
  const raw = nb201NicheSizes('raw');
  const live = nb201NicheSizes('live');
  assert.deepEqual(raw, [729, 3367, 6144, 3840, 1280, 265]);
  assert.equal(
    live.reduce((s, n) => s + n, 0),
    15625,
  );
  const oracle = [0, 0, 0, 0, 0, 0];
  const p = nb201Partition('live');
  let moved = 0;
  for (const a of nb201Space.enumerate()) {
    const k = nb201NicheOf(a, 'live');
    assert.equal(k, oracleNiche(a), nb201Space.format(a));
    oracle[k]!++;
    p.niches.forEach((n) => assert.equal(n.contains(a), n.id === k));
    assert.equal(p.niches[k]!.distance(a), 0);
    assert.equal(p.nicheOf(a), k);
    const r = nb201NicheOf(a, 'raw');
    // a dead conv can only lower the count: never a higher niche than the paper's
    assert.ok(k <= r, nb201Space.format(a));
    const dead3 = nb201Space.deadOps(a).filter((e) => a[e] === OP_CONV3).length;
    const c3 = a.filter((o) => o === OP_CONV3).length;
    // a dead 3×3 puts the cell in a lower niche, unless it stays at "four or more" live 3×3s
    if (dead3 > 0 && c3 - dead3 < 4) {
      assert.ok(k < r, `${nb201Space.format(a)} has a dead 3×3 and stays in N${r}`);
      moved++;
    }
    if (nb201Space.deadOps(a).length === 0) assert.equal(k, r);
  }
  assert.deepEqual(live, oracle);
  // the paper's N4 loses cells whose third 3×3 is dead; N0 gains the disconnected and dead-conv cells
  assert.ok(live[4]! < raw[4]! && live[0]! > raw[0]!);
  assert.deepEqual(live, [1983, 3521, 5792, 3100, 1007, 222]);
  assert.ok(moved > 2000, `${moved} cells moved down`);
});

test('hand-checked cells: a dead 3×3 on 1→2 does not count once node 2 reaches the output only through none', () => {
  // three 3×3s, the one on 1→2 dead (2→3 is none and node 2 feeds nothing else): raw N4, live N3
  const a = nb201Space.parse(
    '|nor_conv_3x3~0|+|skip_connect~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|none~2|',
  );
  assert.deepEqual(nb201Space.deadOps(a), [1, 2]);
  assert.equal(nb201NicheOf(a, 'raw'), 4);
  assert.equal(nb201NicheOf(a, 'live'), 3);
  // a disconnected cell: every conv dead, live N0
  const d = nb201Space.parse('|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_1x1~1|+|none~0|none~1|none~2|');
  assert.equal(nb201NicheOf(d, 'raw'), 3);
  assert.equal(nb201NicheOf(d, 'live'), 0);
});

test('the validator rejects by the live count: out of the live niche, with its constraint in the message', () => {
  const live = nb201Partition('live');
  const raw = nb201Partition('raw');
  const v = new Validator(nb201Space);
  const spec = '|nor_conv_3x3~0|+|skip_connect~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|none~2|';
  const r = v.check(spec, live.niches[4]!);
  assert.equal(r.ok, false);
  assert.ok(!r.ok && r.kind === 'outside-niche');
  assert.match(!r.ok ? r.message : '', /outside niche N4 \(exactly three nor_conv_3x3 on live edges/);
  assert.equal(new Validator(nb201Space).check(spec, raw.niches[4]!).ok, true);
  assert.equal(v.check(spec, live.niches[3]!).ok, true);
});

test('plumbing: spaceOptions.partition picks the partition; the CLI flag is checked', () => {
  const built = (partition?: string) =>
    nb201Provider.build(nb201TestConfig(partition ? { spaceOptions: { partition } } : {})).partition;
  assert.equal(built().kind, 'nb201-conv');
  assert.equal(built('live').kind, 'nb201-conv-live');
  assert.match(built('live').niches[2]!.constraint, /^exactly one nor_conv_3x3 on live edges/);
  assert.throws(() => built('dead'), /partition must be "raw" or "live", got "dead"/);
  assert.equal(nb201PartitionMode(undefined), 'raw');
  assert.equal(partitionOption('live', 'nb201'), 'live');
  assert.throws(
    () => partitionOption('both', 'nb201'),
    (e) => e instanceof UsageError && /raw or live/.test(e.message),
  );
  assert.throws(() => partitionOption('live', 'fbnet'), /--space nb201 only/);
});

test('bench row llm-nas-builtin-livepartition searches the live niches', async () => {
  const task = latencyTasks()[0]!;
  const [a, b] = await Promise.all([
    runSearcher('llm-nas-builtin-livepartition', task, 'rank-avg', 60, 0, { generations: 3 }),
    runSearcher('llm-nas-builtin', task, 'rank-avg', 60, 0, { generations: 3 }),
  ]);
  assert.equal(new Set(a).size, a.length);
  assert.ok(a.length >= 50 && a.length <= 60, `${a.length}`);
  assert.notDeepEqual(a, b);
  // every live niche got its share of initial samples
  const niches = new Set(a.map((i) => nb201NicheOf(nb201Space.fromIndex(i), 'live')));
  assert.equal(niches.size, 6);
  await assert.rejects(runSearcher('llm-nas-builtin-bogus', task, 'rank-avg', 10, 0), /unknown searcher/);
});

test('the shipped seed knowledge base fits the live niches: N2–N5 by title, N0 and N1 by position, nothing dropped', () => {
  const fitted = fitSeedKnowledgeBase(defaultKnowledgeBase('nb201')!, nb201Partition('live'));
  assert.deepEqual([...fitted.kb.niches.keys()], [0, 1, 2, 3, 4, 5]);
  assert.equal(fitted.notes.length, 2);
  assert.match(
    fitted.notes[0]!,
    /section N0 \(no convolution.*\) kept as N0 \(no convolution on a live edge.*\) by position/,
  );
  assert.match(fitted.notes[1]!, /section N1 .* kept as N1 .* by position/);
  assert.doesNotThrow(() => parseKnowledgeBase(fitted.text, { niches: 6 }));
});
