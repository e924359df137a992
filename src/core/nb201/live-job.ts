// NB201's worker job: build the cell's network on the inference engine and score it with the live proxies
// (inputs built once per dataset and settings in each worker).

import { makeInputs, scoreNet, settingsKey, type ProxyScores, type ScoreInputs } from '../engine/proxies.js';
import type { ProxySettings } from '../engine/settings.js';
import { buildNb201Net, NB201_NET_CONFIGS } from './net.js';

export interface Nb201Job {
  space: 'nb201';
  dataset: string;
  ops: number[];
  settings: ProxySettings;
}

const inputsCache = new Map<string, ScoreInputs>();

export async function scoreNb201Job(job: Nb201Job): Promise<ProxyScores> {
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
