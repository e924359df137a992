// Worker-thread entry of the live evaluator (bundled as dist/live-worker.js): scores one network per message
// so the extension host's event loop never runs a forward pass. Messages: WorkerJob in, WorkerReply out.

import { parentPort } from 'node:worker_threads';
import { buildNb201Net, NB201_NET_CONFIGS } from './nb201-net.js';
import {
  makeInputs,
  scoreNet,
  settingsKey,
  type ProxyScores,
  type ProxySettings,
  type ScoreInputs,
} from './scorer.js';

export interface WorkerJob {
  id: number;
  space: 'nb201';
  dataset: string;
  ops: number[];
  settings: ProxySettings;
  /** Fault injection for the pool's crash handling tests: the worker exits before scoring. */
  crash?: boolean;
}

export type WorkerReply =
  { id: number; ok: true; scores: ProxyScores } | { id: number; ok: false; error: string };

const inputsCache = new Map<string, ScoreInputs>();

async function handle(job: WorkerJob): Promise<ProxyScores> {
  if (job.crash) process.exit(70);
  const cfg = NB201_NET_CONFIGS[job.dataset];
  if (!cfg) throw new Error(`dataset: unknown dataset "${job.dataset}"`);
  const key = settingsKey(job.dataset, job.settings);
  let inputs = inputsCache.get(key);
  if (!inputs) {
    inputs = makeInputs(job.dataset, job.settings);
    inputsCache.set(key, inputs);
  }
  return scoreNet(buildNb201Net(job.ops, cfg), job.settings, inputs);
}

if (parentPort) {
  const port = parentPort;
  port.on('message', (job: WorkerJob) => {
    handle(job).then(
      (scores) => port.postMessage({ id: job.id, ok: true, scores } satisfies WorkerReply),
      (e: unknown) =>
        port.postMessage({
          id: job.id,
          ok: false,
          error: e instanceof Error ? e.message : String(e),
        } satisfies WorkerReply),
    );
  });
}
