// A run folder in one line, without replaying it: its name (editable, kept in ui-state.json), status (from the
// last lifecycle event), evaluations and best HV ratio (front.json), and its settings for a tooltip. Used by the
// Runs view and the resume picker. No `vscode` here.

import fs from 'node:fs';
import path from 'node:path';
import { writeJsonAtomic } from '../core/fsutil.js';
import { UI_STATE_FILE } from './session.js';

export interface RunInfo {
  dir: string;
  id: string;
  name?: string;
  status: 'completed' | 'stopped' | 'failed' | 'interrupted' | 'unreadable';
  space?: string;
  dataset?: string;
  costMetrics?: string[];
  operator?: string;
  predictor?: string;
  generations?: number;
  budget?: number;
  evaluations?: number;
  hvRatio?: number;
  error?: string;
}

const readJson = (f: string): Record<string, unknown> | undefined => {
  try {
    return JSON.parse(fs.readFileSync(f, 'utf8')) as Record<string, unknown>;
  } catch {
    return undefined;
  }
};

/** The last lifecycle event of events.jsonl (reads only the file's tail). */
function lastLifecycle(file: string): { type: string; error?: string } | undefined {
  let fd: number | undefined;
  try {
    fd = fs.openSync(file, 'r');
    const size = fs.fstatSync(fd).size;
    const n = Math.min(size, 64 * 1024);
    const buf = Buffer.alloc(n);
    fs.readSync(fd, buf, 0, n, size - n);
    const lines = buf.toString('utf8').split('\n').reverse();
    for (const l of lines) {
      const m =
        /"type":"(search\/completed|run\/stopped|run\/failed|run\/started|run\/resumed-from-folder)"/.exec(l);
      if (!m) continue;
      let error: string | undefined;
      try {
        error = (JSON.parse(l) as { error?: string }).error;
      } catch {
        // torn line
      }
      return { type: m[1]!, ...(error ? { error } : {}) };
    }
    return undefined;
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

export function runInfo(dir: string): RunInfo {
  const id = path.basename(dir);
  const cfg = readJson(path.join(dir, 'config.json'));
  if (!cfg) return { dir, id, status: 'unreadable' };
  const front = readJson(path.join(dir, 'front.json')) as
    { evaluations?: number; truth?: { hvRatio?: number } } | undefined;
  const ui = readJson(path.join(dir, UI_STATE_FILE)) as { name?: unknown } | undefined;
  const last = lastLifecycle(path.join(dir, 'events.jsonl'));
  const status: RunInfo['status'] =
    last?.type === 'search/completed'
      ? 'completed'
      : last?.type === 'run/stopped'
        ? 'stopped'
        : last?.type === 'run/failed'
          ? 'failed'
          : 'interrupted';
  return {
    dir,
    id,
    ...(typeof ui?.name === 'string' && ui.name.trim() ? { name: ui.name.trim() } : {}),
    status,
    space: cfg['space'] as string,
    dataset: cfg['dataset'] as string,
    costMetrics: cfg['costMetrics'] as string[],
    operator: cfg['operator'] as string,
    predictor: cfg['predictor'] as string,
    generations: cfg['generations'] as number,
    budget: cfg['budget'] as number,
    ...(front?.evaluations !== undefined ? { evaluations: front.evaluations } : {}),
    ...(front?.truth?.hvRatio !== undefined ? { hvRatio: front.truth.hvRatio } : {}),
    ...(last?.error ? { error: last.error } : {}),
  };
}

/** Renames a run (the folder keeps its id; the name lives in ui-state.json). An empty name removes it. */
export function renameRun(dir: string, name: string): void {
  const f = path.join(dir, UI_STATE_FILE);
  const ui = readJson(f) ?? {};
  if (name.trim()) ui['name'] = name.trim();
  else delete ui['name'];
  writeJsonAtomic(f, ui);
}

/** One line each for a quick pick or a tree item: label, description (status, size, HV), tooltip. */
export function runLabel(dir: string, live?: string): { label: string; description: string; detail: string } {
  const r = runInfo(dir);
  const status = live ?? r.status;
  const parts = [
    status,
    r.evaluations !== undefined ? `${r.evaluations}/${r.budget ?? '?'} evaluated` : '',
    r.hvRatio !== undefined ? `best HV ratio ${r.hvRatio.toFixed(3)}` : '',
  ].filter(Boolean);
  return {
    label: r.name ?? r.id,
    description: parts.join(' · '),
    detail: runSettingsLine(r),
  };
}

export function runSettingsLine(r: RunInfo): string {
  if (r.status === 'unreadable') return `${r.dir} (no readable config.json)`;
  return [
    r.name ? r.id : '',
    `${r.space} · ${r.dataset} · ${(r.costMetrics ?? []).join(' + ')}`,
    `operator ${r.operator} · predictor ${r.predictor}`,
    `${r.generations} generations · budget ${r.budget}`,
    r.error ? `failed: ${r.error}` : '',
  ]
    .filter(Boolean)
    .join(' · ');
}

/** A Markdown table of runs side by side (settings, evaluations, best HV ratio, front size). */
export function compareRuns(dirs: readonly string[]): string {
  const infos = dirs.map(runInfo);
  const fronts = dirs.map((d) => {
    try {
      return (JSON.parse(fs.readFileSync(path.join(d, 'front.json'), 'utf8')) as { front?: unknown[] }).front
        ?.length;
    } catch {
      return undefined;
    }
  });
  const row = (k: string, vals: (string | number | undefined)[]): string =>
    `| ${k} | ${vals.map((v) => (v === undefined ? '—' : String(v))).join(' | ')} |`;
  return [
    '# LLM-NAS: runs compared',
    '',
    row(
      '',
      infos.map((r) => r.name ?? r.id),
    ),
    `|---|${infos.map(() => '---').join('|')}|`,
    row(
      'status',
      infos.map((r) => r.status),
    ),
    row(
      'space',
      infos.map((r) => r.space),
    ),
    row(
      'dataset',
      infos.map((r) => r.dataset),
    ),
    row(
      'cost metrics',
      infos.map((r) => r.costMetrics?.join(' + ')),
    ),
    row(
      'operator',
      infos.map((r) => r.operator),
    ),
    row(
      'predictor',
      infos.map((r) => r.predictor),
    ),
    row(
      'generations',
      infos.map((r) => r.generations),
    ),
    row(
      'evaluated / budget',
      infos.map((r) => `${r.evaluations ?? '—'} / ${r.budget ?? '—'}`),
    ),
    row('global front size', fronts),
    row(
      'HV ratio (benchmark truth)',
      infos.map((r) => r.hvRatio?.toFixed(4)),
    ),
    row(
      'folder',
      infos.map((r) => r.dir),
    ),
    '',
  ].join('\n');
}
