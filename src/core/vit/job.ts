// AutoFormer's worker job: zero-cost scores of a subnet, or its CPU latency measured here (cached per subnet
// in each worker).

import type { VitJob } from './proxies.js';
import { LatencyCache } from '../engine/cache.js';
import {
  latencyCacheFile,
  latencyContext,
  measureVitLatency,
  scoreVit,
  VIT_PROXY_DEFAULTS,
} from './scorer.js';
import { AUTOFORMER_NET } from './space.js';

let vitLatencies: LatencyCache | undefined;

export async function vitJob(job: VitJob): Promise<Record<string, number>> {
  if (job.task === 'score') return scoreVit(job.arch, AUTOFORMER_NET, VIT_PROXY_DEFAULTS, job.proxies);
  vitLatencies ??= new LatencyCache(latencyCacheFile(), latencyContext());
  let ms = vitLatencies.get(job.key);
  if (ms === undefined) {
    ms = await measureVitLatency(job.arch, AUTOFORMER_NET);
    vitLatencies.set(job.key, ms);
  }
  return { cpu_latency: ms };
}
