// Worker-thread entry of the live evaluator (bundled as dist/live-worker.js): scores one network per message
// so the extension host's event loop never runs a forward pass. Messages: WorkerJob in, WorkerReply out.
// Jobs: an NB201 cell, an FBNet architecture, or an AutoFormer subnet (scores or measured CPU latency).

import { parentPort } from 'node:worker_threads';
import { scoreFbnet, type FbnetScoreJob } from '../fbnet/score.js';
import { LatencyCache, measureVitLatency, scoreVit, VIT_PROXY_DEFAULTS } from '../vit/scorer.js';
import type { VitJob } from '../vit/proxies.js';
import { AUTOFORMER_NET } from '../vit/space.js';
import { buildNb201Net, NB201_NET_CONFIGS } from './nb201-net.js';
import {
  makeInputs,
  scoreNet,
  settingsKey,
  type ProxyScores,
  type ProxySettings,
  type ScoreInputs,
} from './scorer.js';

export interface Nb201Job {
  space: 'nb201';
  dataset: string;
  ops: number[];
  settings: ProxySettings;
}

/** What a worker computes: proxy scores (or, for a ViT latency job, { cpu_latency }). */
export type ScoreJob = Nb201Job | FbnetScoreJob | VitJob;

export type WorkerJob = ScoreJob & {
  id: number;
  /** Fault injection for the pool's crash handling tests: the worker exits before scoring. */
  crash?: boolean;
};

export type WorkerReply =
  { id: number; ok: true; scores: Record<string, number> } | { id: number; ok: false; error: string };

const inputsCache = new Map<string, ScoreInputs>();

let vitLatencies: LatencyCache | undefined;

async function handle(job: WorkerJob): Promise<Record<string, number>> {
  if (job.crash) process.exit(70);
  switch (job.space) {
    case 'fbnet':
      return scoreFbnet(job.arch, job.dataset, job.proxies);
    case 'vit': {
      if (job.task === 'score') return scoreVit(job.arch, AUTOFORMER_NET, VIT_PROXY_DEFAULTS, job.proxies);
      vitLatencies ??= new LatencyCache();
      let ms = vitLatencies.get(job.key);
      if (ms === undefined) {
        ms = await measureVitLatency(job.arch, AUTOFORMER_NET);
        vitLatencies.set(job.key, ms);
      }
      return { cpu_latency: ms };
    }
    case 'nb201':
      return scoreNb201(job);
  }
}

async function scoreNb201(job: Nb201Job): Promise<ProxyScores> {
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
