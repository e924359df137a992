// Live zero-cost scoring of one FBNet architecture (the network on the inference engine). Engine-side: loaded by
// the live evaluator's worker threads and by scripts, never by the extension host's thread.

import { gaussianInput } from '../engine/inputs.js';
import {
  DEFAULT_SETTINGS,
  makeInputs,
  scoreNet,
  settingsKey,
  type ProxySettings,
  type ScoreInputs,
} from '../engine/proxies.js';
import { FBNET_SETTINGS } from './lut.js';
import { buildFbnetNet } from './net.js';
import type { FbnetArch } from './space.js';
import { FBNET_PROXIES } from './proxies.js';
import type { Scores } from '../zc.js';

export { FBNET_PROXIES, FBNET_RANK_PROXIES, type FbnetScoreJob } from './proxies.js';

export function fbnetProxySettings(): ProxySettings {
  return { ...DEFAULT_SETTINGS, batch: 32, zenBatch: 8, proxies: FBNET_PROXIES };
}

const inputsCache = new Map<string, ScoreInputs>();
function inputsFor(dataset: string, s: ProxySettings): ScoreInputs {
  // per dataset and settings: another seed or batch size is another input
  const key = settingsKey(dataset, s);
  let i = inputsCache.get(key);
  if (!i) {
    if (dataset === 'ImageNet') {
      // no ImageNet images ship with the extension: Gaussian inputs at 224x224 (data-free proxies are unaffected)
      const px = 3 * 224 * 224;
      i = {
        images: gaussianInput(s.seed, 'imagenet-images', s.batch * px),
        zenX: gaussianInput(s.seed, 'zen-x', s.zenBatch * px),
        zenEps: gaussianInput(s.seed, 'zen-eps', s.zenBatch * px),
        ...(s.azBatch ? { azX: gaussianInput(s.seed, 'az-x', s.azBatch * px) } : {}),
      };
    } else i = makeInputs(dataset, s);
    inputsCache.set(key, i);
  }
  return i;
}

/** Live zero-cost scores of one FBNet architecture. */
export async function scoreFbnet(
  arch: FbnetArch,
  dataset: string,
  proxies: readonly string[] = FBNET_PROXIES,
): Promise<Scores> {
  const s = { ...fbnetProxySettings(), proxies: FBNET_PROXIES.filter((p) => proxies.includes(p)) };
  const scores = await scoreNet(buildFbnetNet(arch, FBNET_SETTINGS[dataset]!), s, inputsFor(dataset, s));
  return scores as Scores;
}
