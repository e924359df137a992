// Fitting a seed knowledge base to a run's niches. The shipped NB201 seed has sections for the paper's six
// niches; a run with --no-partition (one niche), --niches K or another partition has other niches, and
// `search --no-partition` used to stop at once ("there is no N1"). A section is kept for the run's niche whose
// constraint its title names; an untitled (or unmatched) section keeps its place when the run has that niche and
// is partitioned; every other section is dropped. The Global section always stays. Each change is a note the
// run logs.

import {
  emptyKnowledgeBase,
  formatKnowledgeBase,
  parseKnowledgeBase,
  type KbSection,
  type KnowledgeBase,
} from '../knowledge.js';
import type { Partition } from '../partition.js';

const norm = (s: string): string => s.toLowerCase().replace(/\s+/g, ' ').trim();

export interface FittedKnowledgeBase {
  text: string;
  kb: KnowledgeBase;
  /** What was mapped or dropped, one line each (empty when the seed fits as it is). */
  notes: string[];
}

/** The seed fitted to the partition's niches (the text unchanged when it already fits). */
export function fitSeedKnowledgeBase(
  text: string,
  partition: Pick<Partition, 'kind' | 'niches'>,
  file = 'seed knowledge base',
): FittedKnowledgeBase {
  const kb = parseKnowledgeBase(text, { file });
  const k = partition.niches.length;
  // a title names a niche when it is the niche's constraint, or its start (the seed's N0 title is shorter)
  const named = (title: string): number | undefined => {
    const t = norm(title);
    if (!t) return undefined;
    const exact = partition.niches.find((n) => norm(n.constraint) === t);
    if (exact) return exact.id;
    return partition.niches.find((n) => t.length >= 12 && norm(n.constraint).startsWith(t))?.id;
  };
  const out: KnowledgeBase = {
    ...emptyKnowledgeBase(),
    title: kb.title,
    preamble: kb.preamble,
    global: kb.global,
  };
  const notes: string[] = [];
  const placed: [number, number, KbSection][] = [];
  const taken = new Set<number>();
  // titles that name a run niche's constraint first, then positions
  for (const [id, s] of kb.niches) {
    const to = named(s.title);
    if (to !== undefined && !taken.has(to)) {
      taken.add(to);
      placed.push([id, to, s]);
    }
  }
  for (const [id, s] of kb.niches) {
    if (placed.some(([from]) => from === id)) continue;
    const label = `N${id}${s.title ? ` (${s.title})` : ''}`;
    if (partition.kind === 'none' || k === 1) {
      notes.push(`${file}: section ${label} dropped: this run has one niche covering the whole space`);
      continue;
    }
    if (id < k && !taken.has(id)) {
      taken.add(id);
      placed.push([id, id, s]);
      if (s.title)
        notes.push(
          `${file}: section ${label} kept as N${id} (${partition.niches[id]!.constraint}) by position; its title names no niche of this run`,
        );
      continue;
    }
    notes.push(
      `${file}: section ${label} dropped: this run has niches N0–N${k - 1} and none of them matches it`,
    );
  }
  for (const [from, to, s] of placed.sort((a, b) => a[1] - b[1])) {
    if (from !== to)
      notes.push(`${file}: section N${from} (${s.title}) mapped to N${to}, the niche its title names`);
    out.niches.set(to, s);
  }
  if (!notes.length) return { text, kb, notes };
  return { text: formatKnowledgeBase(out), kb: out, notes };
}
