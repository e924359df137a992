// Schema checks for what a run folder holds (config.json, archs/<id>.json, events.jsonl lines, front.json).
// Each check returns the first problem as a short text naming the field ("evaluation.predictedAccuracy: expected a
// finite number, got null"), or undefined when the value is well-formed; the run store names the file and decides
// whether it can repair it (from the other copy of the same record) or must refuse.

import type { EvaluatedRecord } from './events.js';

const isObj = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const finite = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const nat = (v: unknown): v is number => Number.isInteger(v) && (v as number) >= 0;
const strings = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === 'string');
const show = (v: unknown): string => {
  const s = JSON.stringify(v);
  return s === undefined ? String(v) : s.length > 40 ? s.slice(0, 40) + '…' : s;
};

/** An evaluated record (the body of a spec file and of an arch/evaluated event). */
export function checkRecord(r: unknown, costMetrics: readonly string[]): string | undefined {
  if (!isObj(r)) return 'expected a JSON object';
  if (typeof r['id'] !== 'string' || !/^[\w.-]+$/.test(r['id']))
    return `id: expected a file id, got ${show(r['id'])}`;
  if (!nat(r['niche'])) return `niche: expected a non-negative integer, got ${show(r['niche'])}`;
  if (!nat(r['generation']))
    return `generation: expected a non-negative integer, got ${show(r['generation'])}`;
  if (typeof r['arch'] !== 'string') return `arch: expected a string, got ${show(r['arch'])}`;
  if (!isObj(r['spec'])) return `spec: expected an object, got ${show(r['spec'])}`;
  if (typeof r['operator'] !== 'string') return `operator: expected a string, got ${show(r['operator'])}`;
  if (!strings(r['parents'])) return `parents: expected a list of ids, got ${show(r['parents'])}`;
  if (typeof r['rationale'] !== 'string') return `rationale: expected a string, got ${show(r['rationale'])}`;
  const e = r['evaluation'];
  if (!isObj(e)) return `evaluation: expected an object, got ${show(e)}`;
  if (!finite(e['predictedAccuracy']))
    return `evaluation.predictedAccuracy: expected a finite number, got ${show(e['predictedAccuracy'])}`;
  if (e['trueAccuracy'] !== undefined && !finite(e['trueAccuracy']))
    return `evaluation.trueAccuracy: expected a finite number, got ${show(e['trueAccuracy'])}`;
  // proxies and other hardware metrics may be null (NaN written as JSON, e.g. a table without that device);
  // the run's cost metrics must be finite: the search ranks by them
  for (const k of ['proxies', 'hw'] as const) {
    const m = e[k];
    if (!isObj(m)) return `evaluation.${k}: expected an object, got ${show(m)}`;
    for (const [name, x] of Object.entries(m))
      if (x !== null && typeof x !== 'number')
        return `evaluation.${k}.${name}: expected a number, got ${show(x)}`;
  }
  const hw = e['hw'] as Record<string, unknown>;
  for (const m of costMetrics)
    if (!finite(hw[m]))
      return hw[m] === undefined
        ? `evaluation.hw.${m}: missing (the run's cost metric)`
        : `evaluation.hw.${m}: expected a finite number (the run's cost metric), got ${show(hw[m])}`;
  return undefined;
}

/** The record inside a spec file or an event, without the wrapper fields. */
export function recordOf(o: Record<string, unknown>): EvaluatedRecord {
  const { id, niche, generation, arch, spec, operator, parents, rationale, evaluation } = o;
  return { id, niche, generation, arch, spec, operator, parents, rationale, evaluation } as EvaluatedRecord;
}

/** The same evaluation in two copies (spec file and event)? Compares what the search reads. */
export function sameRecord(a: EvaluatedRecord, b: EvaluatedRecord): string | undefined {
  if (a.niche !== b.niche) return `niche ${a.niche} vs ${b.niche}`;
  if (a.generation !== b.generation) return `generation ${a.generation} vs ${b.generation}`;
  if (a.arch !== b.arch) return `arch ${show(a.arch)} vs ${show(b.arch)}`;
  if (a.evaluation.predictedAccuracy !== b.evaluation.predictedAccuracy)
    return `predictedAccuracy ${a.evaluation.predictedAccuracy} vs ${b.evaluation.predictedAccuracy}`;
  for (const k of new Set([...Object.keys(a.evaluation.hw), ...Object.keys(b.evaluation.hw)]))
    if (a.evaluation.hw[k] !== b.evaluation.hw[k])
      return `hw.${k} ${a.evaluation.hw[k]} vs ${b.evaluation.hw[k]}`;
  return undefined;
}

/** One events.jsonl line: an object with a sequence number and a type; the events resume reads, in full. */
export function checkEvent(e: unknown, costMetrics: readonly string[]): string | undefined {
  if (!isObj(e)) return 'expected a JSON object';
  if (!nat(e['seq'])) return `seq: expected a non-negative integer, got ${show(e['seq'])}`;
  if (typeof e['type'] !== 'string') return `type: expected a string, got ${show(e['type'])}`;
  switch (e['type']) {
    case 'arch/evaluated':
      return checkRecord(e, costMetrics);
    case 'generation/completed':
      if (!nat(e['niche'])) return `niche: expected a non-negative integer, got ${show(e['niche'])}`;
      if (!nat(e['generation']))
        return `generation: expected a non-negative integer, got ${show(e['generation'])}`;
      if (!strings(e['population']))
        return `population: expected a list of ids, got ${show(e['population'])}`;
      if (!strings(e['archive'])) return `archive: expected a list of ids, got ${show(e['archive'])}`;
      return undefined;
    case 'generation/planned':
      if (!nat(e['generation']))
        return `generation: expected a non-negative integer, got ${show(e['generation'])}`;
      if (!Array.isArray(e['children']) || !e['children'].every(nat))
        return `children: expected a list of non-negative integers, got ${show(e['children'])}`;
      return undefined;
    default:
      return undefined;
  }
}

/** front.json: the fields the CLI, the export and the dashboard read. */
export function checkFront(f: unknown): string | undefined {
  if (!isObj(f)) return 'expected a JSON object';
  if (!Array.isArray(f['front'])) return `front: expected a list, got ${show(f['front'])}`;
  if (!strings(f['costMetrics']))
    return `costMetrics: expected a list of names, got ${show(f['costMetrics'])}`;
  for (const [i, m] of (f['front'] as unknown[]).entries()) {
    if (!isObj(m) || typeof m['id'] !== 'string') return `front[${i}].id: expected a string`;
    if (!finite(m['predictedAccuracy'])) return `front[${i}].predictedAccuracy: expected a finite number`;
    if (!isObj(m['hw'])) return `front[${i}].hw: expected an object`;
  }
  return undefined;
}

/** config.json beyond its format tag: the types of the fields a run is rebuilt from. */
export function checkConfig(c: Record<string, unknown>): string | undefined {
  for (const k of ['id', 'space', 'dataset', 'operator', 'predictor'] as const)
    if (c[k] !== undefined && typeof c[k] !== 'string') return `${k}: expected a string, got ${show(c[k])}`;
  for (const k of ['space', 'dataset', 'operator'] as const)
    if (typeof c[k] !== 'string') return `missing field "${k}"`;
  for (const k of ['generations', 'budget'] as const)
    if (c[k] === undefined) return `missing field "${k}"`;
    else if (!nat(c[k]) || (c[k] as number) < 1)
      return `${k}: expected a positive integer, got ${show(c[k])}`;
  if (c['seed'] === undefined) return 'missing field "seed"';
  if (!Number.isSafeInteger(c['seed'])) return `seed: expected an integer, got ${show(c['seed'])}`;
  for (const k of ['children', 'initial'] as const)
    if (c[k] !== undefined && !nat(c[k])) return `${k}: expected a non-negative integer, got ${show(c[k])}`;
  for (const k of ['costMetrics', 'devices'] as const)
    if (c[k] !== undefined && !strings(c[k])) return `${k}: expected a list of names, got ${show(c[k])}`;
  return undefined;
}
