// What New Search's quick picks show, as pure functions (unit tested): predictors deduplicated and grouped with a
// line each, devices with what they are, and the estimated duration of a run from measured seconds per
// evaluation. No `vscode` here.

import fs from 'node:fs';
import path from 'node:path';

export interface PickItem {
  label: string;
  description?: string;
  detail?: string;
  /** A group heading (a quick-pick separator), not a choice. */
  separator?: boolean;
}

type Group = 'combined' | 'proxy' | 'table' | 'feature' | 'own';

function groupOf(p: string): Group {
  if (p === 'rank-avg' || p === 'live') return 'combined';
  if (p === 'external') return 'own';
  if (p.startsWith('feature:')) return 'feature';
  if (/^(nbsz|freerea)_/.test(p)) return 'table';
  return 'proxy';
}

const GROUP_TITLES: Record<Group, string> = {
  combined: 'Recommended',
  proxy: 'One zero-cost proxy',
  table: 'Published proxy tables (precomputed scores from a paper)',
  feature: 'A feature of the space (dry run, no evaluator)',
  own: 'Your own evaluator',
};

const PROXY_WORDS: Record<string, string> = {
  synflow: 'SynFlow: sum of |θ·∂R/∂θ| of a linearised network (data-free)',
  logsynflow: 'SynFlow on log-scaled gradients',
  naswot: 'NASWOT: diversity of ReLU activation patterns on one batch',
  jacov: 'Jacobian covariance on one batch',
  snip: 'SNIP: |θ·∂L/∂θ| at initialisation',
  grasp: 'GraSP: gradient-signal preservation',
  fisher: 'Fisher information of activations',
  grad_norm: 'norm of the loss gradient',
  zen: 'Zen-NAS: expressivity from feature-map growth',
  swap: 'SWAP: sample-wise activation patterns',
  params: 'parameter count (a baseline)',
  flops: 'FLOPs (a baseline)',
  meco: 'MeCo: minimum eigenvalue of feature correlations',
};

/** One line on what a predictor is. */
export function describePredictor(p: string): string {
  if (p === 'rank-avg') return 'mean percentile rank of several zero-cost proxies (no labels, no training)';
  if (p === 'live') return 'zero-cost proxies computed on each network (onnxruntime, worker threads)';
  if (p === 'external') return 'your command scores each candidate';
  if (p.startsWith('feature:')) return 'ranks by this feature only: a dry run of the search, not an accuracy';
  const base = p.replace(/^(nbsz|freerea)_/, '');
  const words = PROXY_WORDS[base] ?? PROXY_WORDS[p];
  if (/^nbsz_/.test(p)) return `${words ?? base} — from NAS-Bench-Suite-Zero's table`;
  if (/^freerea_/.test(p)) return `${words ?? base} — from FreeREA's table`;
  return words ?? 'one zero-cost proxy';
}

/** The predictor picker: each id once, grouped (recommended first), the default marked. */
export function predictorItems(predictors: readonly string[], dflt: string): PickItem[] {
  const unique = [...new Set(predictors)];
  const order: Group[] = ['combined', 'proxy', 'table', 'feature', 'own'];
  const out: PickItem[] = [];
  for (const g of order) {
    const members = unique.filter((p) => groupOf(p) === g);
    if (!members.length) continue;
    members.sort((a, b) => (a === dflt ? -1 : b === dflt ? 1 : 0));
    out.push({ label: GROUP_TITLES[g], separator: true });
    for (const p of members)
      out.push({
        label: p,
        description: [p === dflt ? 'default' : '', describePredictor(p)].filter(Boolean).join(' · '),
      });
  }
  return out;
}

const DEVICES: Record<string, string> = {
  edgegpu: 'NVIDIA Jetson TX2 edge GPU (measured, HW-NAS-Bench)',
  raspi4: 'Raspberry Pi 4, ARM Cortex-A72 CPU (measured)',
  edgetpu: 'Google Edge TPU (measured)',
  pixel3: 'Google Pixel 3 phone CPU (measured)',
  eyeriss: 'Eyeriss ASIC accelerator (simulated)',
  fpga: 'Xilinx ZC706 FPGA (simulated)',
  cpu: 'this machine’s CPU (latency measured by onnxruntime)',
};

export function describeDevice(d: string): string {
  return DEVICES[d] ?? 'a target device';
}

/** Typical seconds per evaluation on one core, by space and predictor kind, when no run here measured it. */
export function typicalSecondsPerEvaluation(space: string, predictor: string): number | undefined {
  const table = /^(nbsz|freerea)_/.test(predictor) || predictor === 'rank-avg' || !predictor.includes('live');
  if (space === 'nb201') return predictor === 'live' ? 0.5 : table ? 0.003 : undefined;
  if (space === 'fbnet') return 2.5; // docs/spaces.md: 1.5–3 s per network on one core
  if (space.startsWith('vit') || space.startsWith('autoformer')) return 2.5;
  return undefined;
}

export interface DurationEstimate {
  seconds: number;
  secondsPerEvaluation: number;
  /** 'measured': from earlier runs in this workspace (front.json wall time); 'typical': documented figure. */
  basis: 'measured' | 'typical';
  runs?: number;
}

/** Seconds per evaluation measured by earlier runs of the same space and predictor under `runsRoot`. */
export function measuredSecondsPerEvaluation(
  runsRoot: string | undefined,
  space: string,
  predictor: string,
): { secondsPerEvaluation: number; runs: number } | undefined {
  if (!runsRoot || !fs.existsSync(runsRoot)) return undefined;
  let ms = 0;
  let n = 0;
  let runs = 0;
  for (const d of fs.readdirSync(runsRoot)) {
    try {
      const f = JSON.parse(fs.readFileSync(path.join(runsRoot, d, 'front.json'), 'utf8')) as {
        space?: string;
        predictor?: { id?: string };
        evaluations?: number;
        wallMs?: number;
      };
      if (f.space !== space || f.predictor?.id !== predictor) continue;
      if (!f.evaluations || !f.wallMs || f.evaluations < 5) continue;
      ms += f.wallMs;
      n += f.evaluations;
      runs++;
    } catch {
      // not a finished run folder
    }
  }
  return runs ? { secondsPerEvaluation: ms / 1000 / n, runs } : undefined;
}

export function estimateDuration(
  budget: number,
  space: string,
  predictor: string,
  runsRoot: string | undefined,
): DurationEstimate | undefined {
  const m = measuredSecondsPerEvaluation(runsRoot, space, predictor);
  if (m) return { seconds: m.secondsPerEvaluation * budget, ...m, basis: 'measured' };
  const t = typicalSecondsPerEvaluation(space, predictor);
  return t === undefined ? undefined : { seconds: t * budget, secondsPerEvaluation: t, basis: 'typical' };
}

/** "40 s", "12 min", "1 h 05 min". */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '?';
  if (seconds < 1) return '< 1 s';
  if (seconds < 90) return `${Math.round(seconds)} s`;
  const min = Math.round(seconds / 60);
  if (min < 60) return `${min} min`;
  return `${Math.floor(min / 60)} h ${String(min % 60).padStart(2, '0')} min`;
}

/** The New Search step title: "LLM-NAS New Search (3/9): dataset". */
export function stepTitle(step: number, steps: number, what: string): string {
  return `LLM-NAS: New Search (${step}/${steps}) — ${what}`;
}

/**
 * What one New Search step did: 'next' (the user answered), 'auto' (answered without asking: an argument, the
 * defaults, or a single choice — Back passes over it), 'back' (the user pressed Back) or 'cancel'.
 */
export type StepOutcome = 'next' | 'auto' | 'back' | 'cancel';

export interface WizardStep<S> {
  /** Asks (or answers itself), writing its answer into `state`; `canGoBack`: whether to offer Back. */
  run(state: S, canGoBack: boolean): Promise<StepOutcome>;
}

/**
 * Runs the steps in order. Back returns to the last step that asked (steps answered without asking are passed
 * over both ways); each step finds its previous answer in `state` and offers it again as the default. Back is
 * offered only when some earlier step asked. Resolves true when every step is answered, false when cancelled.
 */
export async function runSteps<S>(steps: readonly WizardStep<S>[], state: S): Promise<boolean> {
  const asked: number[] = [];
  let i = 0;
  while (i < steps.length) {
    const r = await steps[i]!.run(state, asked.length > 0);
    if (r === 'cancel') return false;
    if (r === 'back') {
      const prev = asked.pop();
      if (prev !== undefined) i = prev;
      continue;
    }
    if (r === 'next') asked.push(i);
    i++;
  }
  return true;
}
