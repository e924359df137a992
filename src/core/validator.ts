// The candidate validator: every proposal (built-in or LLM) must be a legal architecture of the space, novel
// (no isomorphic duplicate of anything seen in the run), inside its niche, and admissible for the evaluator
// (e.g. has a value for the task's device). Rejections carry a kind and a message that goes back to the LLM.

import type { Niche } from './partition.js';
import { SpaceError, type SearchSpace } from './space.js';

export type RejectionKind = 'illegal' | 'duplicate' | 'outside-niche' | 'inadmissible';

export type Verdict<A> =
  { ok: true; arch: A; key: string } | { ok: false; kind: RejectionKind; message: string; text: string };

export class Validator<A> {
  /** Canonical keys of every architecture accepted so far in the run. */
  private readonly seen = new Set<string>();

  constructor(
    private readonly space: SearchSpace<A>,
    private readonly admissible?: (arch: A) => string | null,
  ) {}

  markSeen(arch: A): void {
    this.seen.add(this.space.canonicalKey(arch));
  }

  isSeen(arch: A): boolean {
    return this.seen.has(this.space.canonicalKey(arch));
  }

  check(spec: unknown, niche: Niche<A>): Verdict<A> {
    let arch: A;
    const text = typeof spec === 'string' ? spec : safeJson(spec);
    try {
      arch = this.space.parse(spec);
    } catch (e) {
      const msg = e instanceof SpaceError ? e.message : String(e);
      return { ok: false, kind: 'illegal', message: `illegal architecture ${text}: ${msg}`, text };
    }
    const formatted = this.space.format(arch);
    if (!niche.contains(arch))
      return {
        ok: false,
        kind: 'outside-niche',
        message: `${formatted} is outside niche ${niche.name} (${niche.constraint})`,
        text: formatted,
      };
    const key = this.space.canonicalKey(arch);
    if (this.seen.has(key))
      return {
        ok: false,
        kind: 'duplicate',
        message: `${formatted} duplicates (or is isomorphic to) an architecture already evaluated`,
        text: formatted,
      };
    const why = this.admissible?.(arch);
    if (why) return { ok: false, kind: 'inadmissible', message: `${formatted}: ${why}`, text: formatted };
    this.seen.add(key);
    return { ok: true, arch, key };
  }
}

function safeJson(v: unknown): string {
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return String(v);
  }
}
