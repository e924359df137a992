// User-defined search spaces: a JSON file (format "llm-nas-space-v1", schema in schemas/space.schema.json)
// with named slots and their choice lists, constraints, complexity features for partitioning, an optional cost
// model per device metric, and an optional external evaluator command — so a user searches their own space
// without writing TypeScript. Validation reports every problem with its JSON path ($.slots[2].choices).

import fs from 'node:fs';
import path from 'node:path';
import { SpaceError, type SpaceIssue } from '../space.js';
import { compile, ExprError, type Compiled } from './expr.js';
import { SlotSpace, type ChoiceValue, type SlotArch } from '../slots.js';

/** Bounds that keep a space searchable (a 2,000-slot space made a search hang). */
const MAX_SLOTS = 256;

export const SPACE_FORMAT = 'llm-nas-space-v1';

export interface UserSpaceDefinition {
  $schema?: string;
  format: typeof SPACE_FORMAT;
  id: string;
  label?: string;
  description?: string;
  slots: { name: string; choices: ChoiceValue[]; description?: string }[];
  /** Each must hold for a legal architecture: an expression (non-zero = true) and the message shown otherwise. */
  constraints?: { expr: string; message?: string }[];
  /** Complexity features by name: expressions over slots (and features defined before them). */
  features?: Record<string, string>;
  partition?: { feature: string; niches?: number };
  datasets?: string[];
  devices?: string[];
  /** Analytic cost model per hardware metric (<device>_<latency|energy>), e.g. a fitted LUT. */
  costModel?: Record<string, string>;
  evaluator?: { command: string; timeoutMs?: number; concurrency?: number; retries?: number };
}

const ID_RE = /^[a-z0-9][a-z0-9-]*$/;
const NAME_RE = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Every problem in a definition, with JSON paths; empty when valid. */
export function validateDefinition(v: unknown): SpaceIssue[] {
  const issues: SpaceIssue[] = [];
  const bad = (p: string, message: string): void => void issues.push({ path: p, message });
  if (!v || typeof v !== 'object' || Array.isArray(v))
    return [{ path: '$', message: 'expected a JSON object' }];
  const o = v as Record<string, unknown>;
  const known = new Set([
    '$schema',
    'format',
    'id',
    'label',
    'description',
    'slots',
    'constraints',
    'features',
    'partition',
    'datasets',
    'devices',
    'costModel',
    'evaluator',
  ]);
  for (const k of Object.keys(o)) if (!known.has(k)) bad(`$.${k}`, 'unknown property');
  if (o['format'] !== SPACE_FORMAT) bad('$.format', `must be "${SPACE_FORMAT}"`);
  if (typeof o['id'] !== 'string' || !ID_RE.test(o['id']))
    bad('$.id', 'must be lower-case letters, digits and dashes, e.g. "my-cnn"');
  for (const k of ['label', 'description'])
    if (o[k] !== undefined && typeof o[k] !== 'string') bad(`$.${k}`, 'must be a string');
  const names = new Set<string>();
  if (!Array.isArray(o['slots']) || o['slots'].length === 0) bad('$.slots', 'must be a non-empty array');
  else if (o['slots'].length > MAX_SLOTS)
    bad(
      '$.slots',
      `has ${o['slots'].length} slots; at most ${MAX_SLOTS} (a larger space cannot be searched in reasonable time)`,
    );
  else
    o['slots'].forEach((s: unknown, i) => {
      const p = `$.slots[${i}]`;
      if (!s || typeof s !== 'object') return bad(p, 'must be an object {name, choices}');
      const so = s as Record<string, unknown>;
      if (typeof so['name'] !== 'string' || !NAME_RE.test(so['name']))
        bad(`${p}.name`, 'must be an identifier (letters, digits, _; not starting with a digit)');
      else if (names.has(so['name'])) bad(`${p}.name`, `duplicate slot name "${so['name']}"`);
      else names.add(so['name']);
      if (!Array.isArray(so['choices']) || so['choices'].length === 0)
        bad(`${p}.choices`, 'must be a non-empty array');
      else {
        const seen = new Set<string>();
        so['choices'].forEach((c: unknown, j) => {
          if (typeof c !== 'string' && !(typeof c === 'number' && Number.isFinite(c)))
            bad(`${p}.choices[${j}]`, 'must be a string or a finite number');
          else if (typeof c === 'string' && /[\s|,;=]/.test(c))
            bad(`${p}.choices[${j}]`, 'text choices may not contain spaces or | , ; =');
          else if (seen.has(String(c))) bad(`${p}.choices[${j}]`, `duplicate choice ${JSON.stringify(c)}`);
          else seen.add(String(c));
        });
      }
      for (const k of Object.keys(so))
        if (!['name', 'choices', 'description'].includes(k)) bad(`${p}.${k}`, 'unknown property');
    });
  const exprOk = (p: string, src: unknown, scope: Set<string>): void => {
    if (typeof src !== 'string') return bad(p, 'must be an expression string');
    try {
      compile(src, scope);
    } catch (e) {
      bad(p, e instanceof ExprError ? `${e.message}` : String(e));
    }
  };
  const scope = new Set(names);
  if (o['features'] !== undefined) {
    if (!o['features'] || typeof o['features'] !== 'object' || Array.isArray(o['features']))
      bad('$.features', 'must be an object {name: expression}');
    else
      for (const [k, src] of Object.entries(o['features'] as Record<string, unknown>)) {
        if (!NAME_RE.test(k)) bad(`$.features.${k}`, 'feature names must be identifiers');
        else if (names.has(k)) bad(`$.features.${k}`, 'a feature may not share a slot name');
        exprOk(`$.features.${k}`, src, scope);
        scope.add(k);
      }
  }
  if (o['constraints'] !== undefined) {
    if (!Array.isArray(o['constraints'])) bad('$.constraints', 'must be an array');
    else
      o['constraints'].forEach((c: unknown, i) => {
        const p = `$.constraints[${i}]`;
        if (!c || typeof c !== 'object') return bad(p, 'must be an object {expr, message}');
        const co = c as Record<string, unknown>;
        exprOk(`${p}.expr`, co['expr'], scope);
        if (co['message'] !== undefined && typeof co['message'] !== 'string')
          bad(`${p}.message`, 'must be a string');
      });
  }
  const strList = (k: string): string[] | undefined => {
    const x = o[k];
    if (x === undefined) return undefined;
    if (!Array.isArray(x) || x.length === 0 || !x.every((s) => typeof s === 'string' && NAME_RE.test(s))) {
      bad(`$.${k}`, 'must be a non-empty array of identifiers');
      return undefined;
    }
    return x as string[];
  };
  strList('datasets');
  const devices = strList('devices') ?? ['device'];
  if (o['costModel'] !== undefined) {
    if (!o['costModel'] || typeof o['costModel'] !== 'object') bad('$.costModel', 'must be an object');
    else
      for (const [k, src] of Object.entries(o['costModel'] as Record<string, unknown>)) {
        const m = /^(.+)_(latency|energy)$/.exec(k);
        if (!m || !devices.includes(m[1]!))
          bad(
            `$.costModel.${k}`,
            `must be named <device>_latency or <device>_energy, devices: ${devices.join(', ')}`,
          );
        exprOk(`$.costModel.${k}`, src, scope);
      }
  }
  if (o['partition'] !== undefined) {
    const pa = o['partition'] as Record<string, unknown> | null;
    if (!pa || typeof pa !== 'object') bad('$.partition', 'must be an object {feature, niches}');
    else {
      const feats = Object.keys((o['features'] as Record<string, unknown> | undefined) ?? {});
      if (typeof pa['feature'] !== 'string' || !feats.includes(pa['feature']))
        bad('$.partition.feature', `must name one of the features: ${feats.join(', ') || '(none defined)'}`);
      if (pa['niches'] !== undefined && !(Number.isInteger(pa['niches']) && (pa['niches'] as number) >= 1))
        bad('$.partition.niches', 'must be an integer ≥ 1');
    }
  }
  if (o['evaluator'] !== undefined) {
    const ev = o['evaluator'] as Record<string, unknown> | null;
    if (!ev || typeof ev !== 'object' || typeof ev['command'] !== 'string' || !ev['command'].trim())
      bad('$.evaluator.command', 'must be a non-empty command line');
    else
      for (const k of ['timeoutMs', 'concurrency', 'retries'])
        if (ev[k] !== undefined && !(typeof ev[k] === 'number' && ev[k] >= 0))
          bad(`$.evaluator.${k}`, 'must be a non-negative number');
  }
  return issues;
}

/** Parses and validates a definition; throws SpaceError listing every issue with its JSON path. */
export function parseDefinition(v: unknown): UserSpaceDefinition {
  const issues = validateDefinition(v);
  if (issues.length) throw new SpaceError(issues);
  return v as UserSpaceDefinition;
}

/** Reads a space file; JSON syntax errors give line and column. */
export function readDefinitionFile(file: string): UserSpaceDefinition {
  const text = fs.readFileSync(file, 'utf8');
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    const m = /position (\d+)/.exec((e as Error).message);
    let where = '';
    if (m) {
      const before = text.slice(0, Number(m[1]));
      where = ` at line ${before.split('\n').length}, column ${before.length - before.lastIndexOf('\n')}`;
    }
    const detail = where || ` (${(e as Error).message.replace(/\s+/g, ' ').slice(0, 160)})`;
    throw new SpaceError([{ path: '$', message: `${path.basename(file)} is not valid JSON${detail}` }]);
  }
  return parseDefinition(v);
}

export interface UserSpace extends SlotSpace {
  readonly definition: UserSpaceDefinition;
  /** Cost-model metrics by name. */
  cost(arch: SlotArch): Record<string, number>;
}

/** The SlotSpace a definition describes (constraints, features and cost model compiled once). */
export function buildUserSpace(def: UserSpaceDefinition): UserSpace {
  const slotNames = new Set(def.slots.map((s) => s.name));
  const scope = new Set(slotNames);
  const features: [string, Compiled][] = [];
  for (const [k, src] of Object.entries(def.features ?? {})) {
    features.push([k, compile(src, scope)]);
    scope.add(k);
  }
  const constraints = (def.constraints ?? []).map((c) => ({
    f: compile(c.expr, scope),
    message: c.message ?? `violates constraint ${c.expr}`,
  }));
  const costModel = Object.entries(def.costModel ?? {}).map(([k, src]) => [k, compile(src, scope)] as const);
  const values = (arch: SlotArch): Map<string, number> => {
    const env = new Map<string, number>();
    def.slots.forEach((s, k) => {
      const c = s.choices[arch[k]!]!;
      env.set(s.name, typeof c === 'number' ? c : arch[k]!);
    });
    for (const [k, f] of features)
      env.set(
        k,
        f((n) => env.get(n)),
      );
    return env;
  };
  const space = new SlotSpace({
    id: `user:${def.id}`,
    label: def.label ?? def.id,
    slots: def.slots,
    violation: (arch) => {
      if (!constraints.length) return null;
      const env = values(arch);
      for (const c of constraints) if (!c.f((n) => env.get(n))) return c.message;
      return null;
    },
    features: (arch) => {
      const env = values(arch);
      return Object.fromEntries(features.map(([k]) => [k, env.get(k)!]));
    },
    ...(def.description
      ? {
          grammar:
            `${def.label ?? def.id}: ${def.description} One value per slot, written value|value|... in slot order ` +
            `(or slot=value pairs). Slots: ${def.slots.map((s) => `${s.name} ∈ {${s.choices.join(', ')}}${s.description ? ` (${s.description})` : ''}`).join('; ')}` +
            (def.constraints?.length
              ? `. Constraints: ${def.constraints.map((c) => c.message ?? c.expr).join('; ')}`
              : ''),
        }
      : {}),
  });
  return Object.assign(space, {
    definition: def,
    cost: (arch: SlotArch): Record<string, number> => {
      const env = values(arch);
      return Object.fromEntries(costModel.map(([k, f]) => [k, f((n) => env.get(n))]));
    },
  }) as UserSpace;
}
