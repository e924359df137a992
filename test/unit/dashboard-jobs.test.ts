// The niche cards' job line: the dashboard model folds job/state events (each naming its niche) into per-niche
// counts of queued / running / done / failed candidates, live and when replayed from events.jsonl; a run without
// job events shows none.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { JobEvent } from '../../src/core/batch/contract';
import { DashboardModel, type ModelEvent } from '../../src/extension/dashboard-model';
import { nb201TestConfig } from '../support/config';

const niches = [
  { id: 0, name: 'N0', constraint: 'latency < 5 ms' },
  { id: 1, name: 'N1', constraint: 'latency >= 5 ms' },
];
const model = (live: boolean): DashboardModel =>
  new DashboardModel(nb201TestConfig({ id: 'jobs' }), '/nonexistent', niches, 'score', undefined, { live });
const job = (id: string, niche: number | undefined, state: JobEvent['state'], attempt = 1): JobEvent => ({
  type: 'job/state',
  backend: 'slurm',
  id,
  ...(niche === undefined ? {} : { niche }),
  state,
  job: `42_${id}`,
  attempt,
});

// niche 0: a done, b running, c failed, d requeued after a node failure (queued again), e cancelled by Stop;
// niche 1: f queued, g done; h names no niche (an evaluator without the search's context) and is not counted
const events: JobEvent[] = [
  ...['a', 'b', 'c', 'd', 'e'].map((id) => job(id, 0, 'submitted')),
  job('f', 1, 'submitted'),
  job('g', 1, 'submitted'),
  job('h', undefined, 'submitted'),
  job('a', 0, 'queued'),
  job('a', 0, 'running'),
  job('b', 0, 'running'),
  job('d', 0, 'running'),
  job('g', 1, 'running'),
  job('a', 0, 'done'),
  job('c', 0, 'failed'),
  job('d', 0, 'requeued'),
  job('d', 0, 'submitted', 2),
  job('g', 1, 'done'),
  job('f', 1, 'queued'),
  job('e', 0, 'cancelled'),
];
const expected = [
  { queued: 1, running: 1, done: 1, failed: 1 },
  { queued: 1, running: 0, done: 1, failed: 0 },
];

test('job events fold into per-niche queued / running / done / failed counts', () => {
  const m = model(true);
  assert.deepEqual(
    m.snapshot().state.niches.map((c) => c.jobs),
    [undefined, undefined],
    'no job line before any job event',
  );
  for (const e of events.slice(0, 5)) m.applyJob(e);
  const d = m.takeDelta();
  assert.deepEqual(
    d?.delta.niches.map((c) => [c.id, c.jobs]),
    [[0, { queued: 5, running: 0, done: 0, failed: 0 }]],
    'the delta carries the changed card only',
  );
  for (const e of events.slice(5)) m.applyJob(e);
  assert.deepEqual(
    m.snapshot().state.niches.map((c) => c.jobs),
    expected,
  );
  m.applyJob({ type: 'job/summary', backend: 'slurm', queued: 2, running: 1, done: 2, failed: 1 });
  assert.equal(m.cluster?.queued, 2, 'the totals still reach the status bar');
});

test('a replay of events.jsonl gives the same counts; a run without job events has no job line', () => {
  const m = model(false);
  for (const e of events) m.apply({ ...e, t: '2026-01-01T00:00:00.000Z' } as unknown as ModelEvent);
  m.apply({ type: 'job/summary', backend: 'slurm', queued: 9, running: 0, done: 0, failed: 0 } as ModelEvent);
  assert.deepEqual(
    m.snapshot().state.niches.map((c) => c.jobs),
    expected,
  );
  assert.equal(m.cluster, undefined, 'a replayed run does not claim to wait on the cluster');
  // resumed: a reattached job reports before the search asks again, so its event names no niche; the niche its
  // earlier events named still places it
  m.applyJob(job('f', undefined, 'running'));
  assert.deepEqual(m.snapshot().state.niches[1]!.jobs, { queued: 0, running: 1, done: 1, failed: 0 });

  const plain = model(false);
  plain.apply({ type: 'niche/state', niche: 0, generation: 0, state: 'evaluating' } as ModelEvent);
  assert.ok(plain.snapshot().state.niches.every((c) => c.jobs === undefined));
});
