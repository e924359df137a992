// The dashboard's pure helpers (webview/format.ts) under node, without a DOM: the header's lines and which run
// controls show in each phase, niche-card and plot wording, the front table's rows, the quality tab's note,
// the coverage texts, the log's window and the measured-here figures.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { HistoryRow, PlotPoint, RunPhase, RunSummary } from '../../src/protocol';
import {
  cardGeneration,
  coverageCellText,
  coverageLine,
  etaText,
  formatSeconds,
  frontMembers,
  hiddenControls,
  LOG_LINES,
  logWindow,
  measuredText,
  measuredTitle,
  metricLabel,
  plotSummary,
  qualityBasis,
  qualityNote,
  runSubtitle,
  shortMetric,
  whyText,
} from '../../webview/format';

const run = (o: Partial<RunSummary> = {}): RunSummary => ({
  id: 'r1',
  dir: '/runs/r1',
  space: 'nb201',
  dataset: 'cifar10',
  costMetrics: ['edgegpu_latency', 'edgegpu_energy'],
  costUnits: ['ms', 'mJ'],
  operator: 'llm',
  predictor: 'rank-avg',
  predictorUnit: 'rank',
  generations: 4,
  budget: 40,
  evaluations: 12,
  generation: 0,
  phase: 'running',
  stepping: false,
  live: true,
  ...o,
});

test('metric labels and durations', () => {
  assert.equal(shortMetric('edgegpu_latency'), 'latency');
  assert.equal(shortMetric('pixel3_energy_total'), 'energy total');
  assert.equal(shortMetric('flops'), 'flops');
  assert.equal(shortMetric(undefined), 'cost');
  assert.equal(metricLabel('edgegpu_latency', 'ms'), 'edgegpu latency (ms)');
  assert.equal(metricLabel('params_m', ''), 'params m');
  assert.equal(formatSeconds(2.4), '2 s');
  assert.equal(formatSeconds(89), '89 s');
  assert.equal(formatSeconds(90), '2 min');
  assert.equal(formatSeconds(3599), '1 h 00 min');
  assert.equal(formatSeconds(3 * 3600 + 7 * 60), '3 h 07 min');
  assert.equal(formatSeconds(Number.NaN), '?');
  assert.equal(formatSeconds(-1), '?');
});

test('header: subtitle, and the ETA only while evaluating with a measured rate', () => {
  assert.equal(
    runSubtitle(run()),
    'nb201 · cifar10 · edgegpu latency (ms) + edgegpu energy (mJ) · operator llm · predictor rank-avg · /runs/r1',
  );
  assert.equal(etaText(run()), '', 'no rate yet');
  assert.equal(
    etaText(run({ secondsPerEvaluation: 2.5 })),
    ' · about 70 s left (2.50 s per evaluation)',
    '28 evaluations left × 2.5 s (minutes from 90 s on)',
  );
  assert.equal(
    etaText(run({ secondsPerEvaluation: 2.5, evaluations: 39 })),
    ' · about 3 s left (2.50 s per evaluation)',
  );
  assert.equal(
    etaText(run({ secondsPerEvaluation: 2.5, evaluations: 50 })),
    ' · about 0 s left (2.50 s per evaluation)',
  );
  assert.equal(etaText(run({ secondsPerEvaluation: 2.5, phase: 'pausing' })).startsWith(' · about'), true);
  for (const phase of ['paused', 'stopped', 'completed', 'failed', 'interrupted'] as RunPhase[])
    assert.equal(etaText(run({ secondsPerEvaluation: 2.5, phase })), '', phase);
});

test('run controls: which show in each phase, for a live run and a folder opened for viewing', () => {
  const shown = (o: Partial<RunSummary>): string[] =>
    Object.entries(hiddenControls(run(o)))
      .filter(([, hidden]) => !hidden)
      .map(([k]) => k)
      .sort();
  assert.deepEqual(shown({ phase: 'running' }), ['pause', 'step', 'stop', 'testConnection']);
  assert.deepEqual(shown({ phase: 'pausing' }), ['resume', 'step', 'stop', 'testConnection']);
  assert.deepEqual(shown({ phase: 'paused' }), ['resume', 'step', 'stop', 'testConnection']);
  assert.deepEqual(shown({ phase: 'stopping' }), ['stop', 'testConnection']);
  assert.deepEqual(shown({ phase: 'completed' }), ['testConnection']);
  assert.deepEqual(
    shown({ phase: 'failed' }),
    ['testConnection'],
    'a live failed run resumes from the error bar',
  );
  assert.deepEqual(shown({ phase: 'failed', live: false }), ['resumeFolder', 'testConnection']);
  assert.deepEqual(shown({ phase: 'interrupted', live: false }), ['resumeFolder', 'testConnection']);
  assert.deepEqual(shown({ phase: 'stopped', live: false, operator: 'builtin' }), ['resumeFolder']);
  assert.deepEqual(
    shown({ phase: 'running', live: false }),
    ['testConnection'],
    'viewing a folder another process writes',
  );
});

test('niche card generation row and the plot summary', () => {
  assert.equal(cardGeneration({ phase: 'evaluating', generation: 2 }, { generations: 4 }), '2 (of 0–3)');
  assert.equal(cardGeneration({ phase: 'done', generation: 3 }, { generations: 4 }), 'all 4 done');
  assert.equal(cardGeneration({ phase: 'waiting', generation: 0 }, undefined), '0 (of 0–0)');
  assert.equal(cardGeneration({ phase: 'done', generation: 0 }, undefined), 'all  done');
  assert.equal(plotSummary(12, 4, 0, 0), '12 points · 4 on the front');
  assert.equal(plotSummary(12, 4, 2, 1), '12 points · 4 on the front · 2 pinned · 1 niche hidden');
  assert.equal(plotSummary(0, 0, 0, 3), '0 points · 0 on the front · 3 niches hidden');
});

test('front table: members by first cost (unknown ids skipped), and why each was made', () => {
  const p = (id: string, hw: number[]): PlotPoint => ({
    id,
    niche: 0,
    generation: 0,
    arch: id,
    predicted: 0,
    hw,
  });
  const pts = [p('a', [3]), p('b', [1]), p('c', [2]), p('d', [])];
  assert.deepEqual(
    frontMembers(pts, ['a', 'zz', 'b', 'd']).map((x) => x.id),
    ['d', 'b', 'a'],
    'a point without a cost sorts as 0',
  );
  assert.deepEqual(frontMembers(pts, []), []);
  assert.equal(whyText({ operator: 'mutation', rationale: 'smaller' }), 'mutation: smaller');
  assert.equal(whyText({ rationale: 'smaller' }), 'smaller');
  assert.equal(whyText({ operator: 'random' }), '');
});

test('quality tab: true-front HV, else HV vs best known, else the front size', () => {
  const row = (o: Partial<HistoryRow>): HistoryRow => ({ generation: 0, evaluations: 1, frontSize: 1, ...o });
  assert.deepEqual(qualityBasis([row({ hvRatio: 0.5, knownHvRatio: 0.9 })]), {
    hasTruth: true,
    hasKnown: false,
  });
  assert.deepEqual(qualityBasis([row({}), row({ knownHvRatio: 0.9 })]), { hasTruth: false, hasKnown: true });
  assert.deepEqual(qualityBasis([]), { hasTruth: false, hasKnown: false });
  assert.match(qualityNote(true, false, undefined, 'nb201'), /^HV ratio and IGD of the protocol front/);
  const one = qualityNote(false, true, { runs: 1, size: 3 }, 'fbnet');
  assert.match(one, /^No true-front HV or IGD for fbnet:/);
  assert.match(one, /this run’s so far and 1 earlier run’s of the same space/);
  assert.match(qualityNote(false, true, { runs: 2, size: 3 }, 'fbnet'), /and 2 earlier runs’ of the same/);
  assert.match(qualityNote(false, true, undefined, 'fbnet'), /No earlier run of the same space/);
  assert.match(qualityNote(false, false, { runs: 2, size: 3 }, 'vit'), /No earlier run of the same space/);
});

test('coverage cell texts and the strip count', () => {
  const b = (wanted: boolean, hit: boolean) => ({ lo: 0, hi: 1, wanted, hit });
  assert.equal(coverageCellText(b(true, true), '0.000', '1.000', 'ms'), '0.000 – 1.000 ms: covered');
  assert.equal(coverageCellText(b(true, false), '0', '1', 'ms', 'to'), '0 to 1 ms: missed');
  assert.equal(coverageCellText(b(false, true), '0', '1', ''), '0 – 1 : front point outside the reference');
  assert.equal(coverageCellText(b(false, false), '0', '1', 'mJ'), '0 – 1 mJ: no reference point');
  assert.equal(
    coverageLine({ hit: 5, wanted: 7, outside: 0 }, 'true-front'),
    '5 of 7 ranges of the true front covered',
  );
  assert.equal(
    coverageLine({ hit: 1, wanted: 2, outside: 3 }, 'evaluated'),
    '1 of 2 ranges of the evaluated set covered (+3 outside it)',
  );
});

test('log window: appends lines and keeps the last LOG_LINES', () => {
  assert.equal(logWindow('', ['a', 'b']), 'a\nb\n');
  assert.equal(logWindow('a\nb\n', ['c']), 'a\nb\nc\n');
  assert.equal(logWindow('a\n', []), 'a\n');
  const many = Array.from({ length: 450 }, (_, i) => `line ${i}`);
  const text = logWindow('', many);
  const kept = text.split('\n');
  assert.equal(kept.length, LOG_LINES, 'the window counts the empty string after the last newline');
  assert.equal(kept[0], 'line 51');
  assert.equal(kept.at(-2), 'line 449');
  assert.equal(kept.at(-1), '');
});

test('measured-here figures say where they come from', () => {
  const m = {
    archId: 'a',
    medianMs: 12.345,
    label: 'measured here' as const,
    context: 'onnxruntime 1.20',
    batch: 1,
    threads: 1,
    runs: 20,
  };
  assert.equal(measuredText(m), '12.3 ms measured here');
  assert.equal(measuredText({ ...m, medianMs: 0.844 }), '0.84 ms measured here');
  assert.equal(measuredText({ ...m, medianMs: 123.6 }), '124 ms measured here');
  assert.equal(
    measuredTitle(m),
    "CPU latency measured here (batch 1, 1 thread, median of 20) — not the lookup table's device. onnxruntime 1.20",
  );
  assert.match(measuredTitle({ ...m, threads: 4 }), /4 threads/);
});
