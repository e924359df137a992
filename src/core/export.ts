// Export a run's front (or every evaluated architecture) as CSV or JSON, from the run folder's files.

import fs from 'node:fs';
import { createRegistry } from './compose.js';
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

/**
 * The CSV column of the predictor's score, named by what it is (front.json's predictor unit): a rank percentile
 * (0..1) is "predicted_accuracy_percentile", one proxy's raw score "proxy_score", anything else (an external
 * evaluator's accuracy) "predicted_accuracy".
 */
export function predictedColumn(predictorUnit: string | undefined): string {
  if (predictorUnit && /percentile/i.test(predictorUnit)) return 'predicted_accuracy_percentile';
  if (predictorUnit && /proxy score|feature/i.test(predictorUnit)) return 'proxy_score';
  return 'predicted_accuracy';
}

/** A hardware column with its unit when one is documented: edgegpu_latency_ms, edgegpu_energy_mJ. */
export function hwColumn(key: string, unit: string | undefined): string {
  return unit ? `${key}_${unit}` : key;
}

export function exportRun(dir: string, format: 'csv' | 'json', what: 'front' | 'all' = 'front'): string {
  const store = RunStore.open(dir);
  const specs = store.readSpecs();
  let ids: string[];
  let predictorUnit: string | undefined;
  try {
    predictorUnit = (JSON.parse(fs.readFileSync(store.file('front.json'), 'utf8')) as FrontFile).predictor
      ?.unit;
  } catch {
    // no front yet (an "all" export mid-run): the column keeps the generic name
  }
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
  // units from the specs (hwUnits, written since it exists); an older folder's from its space's provider
  const units: Record<string, string> = {};
  const registry = createRegistry();
  for (const r of rows) Object.assign(units, registry.hwUnitsOf({ space: r.space }), r.hwUnits);
  const header = [
    'id',
    'niche',
    'generation',
    'arch',
    'operator',
    predictedColumn(predictorUnit),
    ...hwKeys.map((k) => hwColumn(k, units[k])),
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
