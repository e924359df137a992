// A generic "named slots with choice lists" search space: an architecture is one choice per slot. FBNet (22
// layers x 9 blocks) and every user-defined JSON space are slot spaces; they differ only in their slots, their
// constraints, their complexity features and their prose. Parsing accepts the positional text notation
// ("a|b|c"), key=value text ("depth=3 width=64"), a JSON array of values, or an object {slot: value}, and
// every problem is reported with its JSON path.

import crypto from 'node:crypto';
import type { Rng } from './rng.js';
import { SpaceError, type SearchSpace, type SpaceIssue } from './space.js';

export type ChoiceValue = string | number;
export type SlotArch = number[];

export interface Slot {
  name: string;
  choices: readonly ChoiceValue[];
  description?: string;
}

export interface SlotSpaceOptions {
  id: string;
  label: string;
  slots: readonly Slot[];
  /** Key of the spec object holding the values when given as an object of a list (e.g. "ops"). */
  listKey?: string;
  /** A reason the architecture is illegal under the space's constraints, or null. */
  violation?: (arch: SlotArch) => string | null;
  features?: (arch: SlotArch) => Record<string, number>;
  describe?: (arch: SlotArch) => string;
  grammar?: string;
}

const sameValue = (a: ChoiceValue, b: unknown): boolean =>
  a === b || (typeof a === 'number' && typeof b === 'string' && b.trim() !== '' && Number(b) === a);

export class SlotSpace implements SearchSpace<SlotArch> {
  readonly id: string;
  readonly label: string;
  readonly size: number;
  readonly slots: readonly Slot[];

  constructor(private readonly opts: SlotSpaceOptions) {
    this.id = opts.id;
    this.label = opts.label;
    this.slots = opts.slots;
    this.size = opts.slots.reduce((n, s) => n * s.choices.length, 1);
  }

  value(arch: SlotArch, slot: number): ChoiceValue {
    return this.slots[slot]!.choices[arch[slot]!]!;
  }

  private choiceIndex(slot: Slot, v: unknown, path: string, issues: SpaceIssue[]): number {
    let i = slot.choices.findIndex((c) => sameValue(c, v));
    // text choices may also be given by position (e.g. HW-NAS-Bench's op indices)
    if (i < 0 && typeof v === 'number' && Number.isInteger(v) && v >= 0 && v < slot.choices.length)
      if (slot.choices.every((c) => typeof c === 'string')) i = v;
    if (i < 0)
      issues.push({
        path,
        message: `${JSON.stringify(v)} is not a choice of "${slot.name}"; valid: ${slot.choices.join(', ')}`,
      });
    return i;
  }

  parse(input: unknown): SlotArch {
    const issues: SpaceIssue[] = [];
    let values: unknown[] | undefined;
    let named: Record<string, unknown> | undefined;
    let base = '$';
    if (typeof input === 'string') {
      const text = input.trim();
      if (text.startsWith('{') || text.startsWith('[')) {
        try {
          return this.parse(JSON.parse(text));
        } catch (e) {
          if (e instanceof SpaceError) throw e;
          throw new SpaceError([{ path: '$', message: `invalid JSON: ${(e as Error).message}` }], text);
        }
      }
      const tokens = text.split(/[\s|,;]+/).filter(Boolean);
      if (tokens.length > 0 && tokens.every((t) => t.includes('='))) {
        named = {};
        for (const t of tokens) {
          const [k, ...v] = t.split('=');
          named[k!] = v.join('=');
        }
      } else values = tokens;
    } else if (Array.isArray(input)) values = input;
    else if (input && typeof input === 'object') {
      const o = input as Record<string, unknown>;
      if (typeof o['arch'] === 'string') return this.parse(o['arch']);
      if (this.opts.listKey && Array.isArray(o[this.opts.listKey])) {
        values = o[this.opts.listKey] as unknown[];
        base = `$.${this.opts.listKey}`;
      } else if (o['slots'] && typeof o['slots'] === 'object' && !Array.isArray(o['slots'])) {
        named = o['slots'] as Record<string, unknown>;
        base = '$.slots';
      } else named = o;
    } else {
      throw new SpaceError([
        { path: '$', message: `expected text, a list of ${this.slots.length} values or an object` },
      ]);
    }
    const arch: SlotArch = [];
    if (values) {
      if (values.length !== this.slots.length)
        issues.push({ path: base, message: `expected ${this.slots.length} values, got ${values.length}` });
      this.slots.forEach((s, k) => {
        if (k < values.length) arch.push(this.choiceIndex(s, values[k], `${base}[${k}]`, issues));
      });
    } else if (named) {
      const known = new Set(this.slots.map((s) => s.name));
      for (const k of Object.keys(named))
        if (!known.has(k))
          issues.push({
            path: `${base}.${k}`,
            message: `unknown slot "${k}"; slots: ${[...known].join(', ')}`,
          });
      for (const s of this.slots) {
        if (!(s.name in named)) issues.push({ path: `${base}.${s.name}`, message: 'missing' });
        else arch.push(this.choiceIndex(s, named[s.name], `${base}.${s.name}`, issues));
      }
    }
    if (issues.length) throw new SpaceError(issues, typeof input === 'string' ? input : undefined);
    const why = this.opts.violation?.(arch);
    if (why) throw new SpaceError([{ path: '$', message: why }]);
    return arch;
  }

  isLegal(arch: SlotArch): boolean {
    return !this.opts.violation?.(arch);
  }

  format(arch: SlotArch): string {
    return arch.map((_, k) => String(this.value(arch, k))).join('|');
  }

  toJSON(arch: SlotArch): Record<string, unknown> {
    const values = arch.map((_, k) => this.value(arch, k));
    return this.opts.listKey
      ? { arch: this.format(arch), [this.opts.listKey]: values }
      : { arch: this.format(arch), slots: Object.fromEntries(this.slots.map((s, k) => [s.name, values[k]])) };
  }

  canonicalKey(arch: SlotArch): string {
    return arch.join('.');
  }

  fileId(arch: SlotArch): string {
    const h = crypto.createHash('sha1').update(this.canonicalKey(arch)).digest('hex').slice(0, 12);
    return `${this.id.replace(/[^A-Za-z0-9_-]/g, '_')}-${h}`;
  }

  private legalOr(make: () => SlotArch, rng: Rng): SlotArch {
    for (let t = 0; t < 1000; t++) {
      const a = make();
      if (this.isLegal(a)) return a;
    }
    // constraints so tight that blind draws fail: walk from a random legal neighbour chain
    return this.sampleLegal(rng);
  }

  private sampleLegal(rng: Rng): SlotArch {
    for (let t = 0; t < 100000; t++) {
      const a = this.slots.map((s) => rng.int(s.choices.length));
      if (this.isLegal(a)) return a;
    }
    throw new SpaceError([
      {
        path: '$.constraints',
        message: `space ${this.id}: no legal architecture found in 100,000 draws; the constraints are unsatisfiable or too tight`,
      },
    ]);
  }

  sample(rng: Rng): SlotArch {
    return this.sampleLegal(rng);
  }

  neighbours(arch: SlotArch): SlotArch[] {
    const out: SlotArch[] = [];
    this.slots.forEach((s, k) => {
      for (let c = 0; c < s.choices.length; c++)
        if (c !== arch[k]) {
          const n = arch.map((v, j) => (j === k ? c : v));
          if (this.isLegal(n)) out.push(n);
        }
    });
    return out;
  }

  mutate(arch: SlotArch, rng: Rng, rate: number): SlotArch {
    const mutable = this.slots.map((s, k) => (s.choices.length > 1 ? k : -1)).filter((k) => k >= 0);
    if (mutable.length === 0) return [...arch];
    const flip = (out: SlotArch, k: number): void => {
      const n = this.slots[k]!.choices.length;
      out[k] = (out[k]! + 1 + rng.int(n - 1)) % n;
    };
    return this.legalOr(() => {
      const out = [...arch];
      let changed = false;
      for (const k of mutable)
        if (rng.next() < rate) {
          flip(out, k);
          changed = true;
        }
      if (!changed) flip(out, rng.pick(mutable));
      return out;
    }, rng);
  }

  crossover(a: SlotArch, b: SlotArch, rng: Rng): SlotArch {
    return this.legalOr(() => a.map((v, k) => (rng.next() < 0.5 ? v : b[k]!)), rng);
  }

  features(arch: SlotArch): Record<string, number> {
    return this.opts.features?.(arch) ?? {};
  }

  describe(arch: SlotArch): string {
    if (this.opts.describe) return this.opts.describe(arch);
    const f = Object.entries(this.features(arch)).map(([k, v]) => `${k} ${+v.toPrecision(4)}`);
    const parts = this.slots.map((s, k) => `${s.name}=${this.value(arch, k)}`);
    return `${this.format(arch)} — ${parts.join(', ')}${f.length ? `; ${f.join(', ')}` : ''}`;
  }

  grammar(): string {
    return (
      this.opts.grammar ??
      `${this.label}: one value per slot, written value|value|... in slot order (or slot=value pairs). Slots: ` +
        this.slots
          .map((s) => `${s.name} ∈ {${s.choices.join(', ')}}${s.description ? ` (${s.description})` : ''}`)
          .join('; ')
    );
  }

  encode(arch: SlotArch): number[] {
    const x: number[] = [];
    this.slots.forEach((s, k) => {
      for (let c = 0; c < s.choices.length; c++) x.push(arch[k] === c ? 1 : 0);
    });
    return x;
  }
}
