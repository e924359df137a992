// Export a run's front (or every evaluated architecture) as CSV or JSON, from the run folder's files.

import fs from 'node:fs';
import type { FrontFile } from './run.js';
import { RunFolderError, RunStore } from './runstore.js';

/**
 * One CSV cell. Text a spreadsheet would take for a formula (starting with =, +, -, @, tab or CR: OWASP's CSV
 * injection rule) gets a leading single quote and is quoted; finite numbers (negative ones too) stay numbers.
 */
export function csvCell(v: unknown): string {
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  let s = v === undefined || v === null ? '' : String(v);
  const formula = /^[=+\-@\t\r]/.test(s);
  if (formula) s = `'${s}`;
  return formula || /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function exportRun(dir: string, format: 'csv' | 'json', what: 'front' | 'all' = 'front'): string {
  const store = RunStore.open(dir);
  const specs = store.readSpecs();
  let ids: string[];
  if (what === 'front') {
    const f = store.file('front.json');
    if (!fs.existsSync(f))
      throw new RunFolderError(f, 'not found — the run has not completed a generation yet');
    let front: unknown;
    try {
      front = (JSON.parse(fs.readFileSync(f, 'utf8')) as FrontFile).front;
    } catch (e) {
      throw new RunFolderError(f, `corrupted JSON (${(e as Error).message})`);
    }
    if (!Array.isArray(front) || front.some((r) => typeof (r as { id?: unknown })?.id !== 'string'))
      throw new RunFolderError(f, 'not an LLM-NAS front file (no "front" list of {id, …})');
    ids = (front as FrontFile['front']).map((r) => r.id);
  } else ids = specs.map((s) => s.id);
  const byId = new Map(specs.map((s) => [s.id, s]));
  const rows = ids.map((id) => {
    const s = byId.get(id);
    if (!s) throw new RunFolderError(store.file(`archs/${id}.json`), 'listed in front.json but missing');
    return s;
  });
  if (format === 'json') return JSON.stringify(rows, null, 2) + '\n';
  const hwKeys = [...new Set(rows.flatMap((r) => Object.keys(r.evaluation.hw)))];
  const proxyKeys = [...new Set(rows.flatMap((r) => Object.keys(r.evaluation.proxies)))];
  const header = [
    'id',
    'niche',
    'generation',
    'arch',
    'operator',
    'predicted_accuracy',
    ...hwKeys,
    ...proxyKeys.map((p) => `proxy_${p}`),
    'true_accuracy',
    'parents',
    'rationale',
  ];
  const lines = [header.join(',')];
  for (const r of rows) {
    lines.push(
      [
        r.id,
        r.niche,
        r.generation,
        r.arch,
        r.operator,
        r.evaluation.predictedAccuracy,
        ...hwKeys.map((k) => r.evaluation.hw[k]),
        ...proxyKeys.map((k) => r.evaluation.proxies[k]),
        r.evaluation.trueAccuracy,
        r.parents.join(' '),
        r.rationale,
      ]
        .map(csvCell)
        .join(','),
    );
  }
  return lines.join('\n') + '\n';
}
