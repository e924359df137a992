// The paper's NAS-Bench-201 niches, by the number of 3×3 convolutions (and 1×1 for the conv-free cells):
// N0 no conv at all (729 cells), N1 only 1×1 convs (3,367), N2 one 3×3 (6,144), N3 two (3,840),
// N4 three (1,280), N5 four or more (265).
//
// `--partition live` counts only convolutions on live edges (an edge on some input→output path; an op on a dead
// edge is executed but changes nothing the cell computes): a cell whose third 3×3 sits on a dead edge belongs
// with the two-3×3 cells, not at the low end of "exactly three". Same six niches, other sizes (see
// nb201NicheSizes).

import type { Niche, Partition } from '../partition.js';
import { nb201Space, OP_CONV1, OP_CONV3, type Nb201Arch } from './space.js';

/** How convolutions are counted: every edge (the paper's, default) or live edges only. */
export type Nb201PartitionMode = 'raw' | 'live';
export const NB201_PARTITION_MODES: readonly Nb201PartitionMode[] = ['raw', 'live'];

const count = (a: Nb201Arch, op: number, skip?: ReadonlySet<number>): number =>
  a.reduce((n, o, k) => n + (o === op && !skip?.has(k) ? 1 : 0), 0);

/** Number of 3×3 and 1×1 convolutions, on every edge (raw) or on live edges only. */
export function nb201ConvCounts(a: Nb201Arch, mode: Nb201PartitionMode = 'raw'): { c3: number; c1: number } {
  const dead = mode === 'live' ? new Set(nb201Space.deadOps(a)) : undefined;
  return { c3: count(a, OP_CONV3, dead), c1: count(a, OP_CONV1, dead) };
}

export function nb201NicheOf(a: Nb201Arch, mode: Nb201PartitionMode = 'raw'): number {
  const { c3, c1 } = nb201ConvCounts(a, mode);
  if (c3 === 0) return c1 === 0 ? 0 : 1;
  return Math.min(c3, 4) + 1;
}

const CONSTRAINTS = [
  'no convolution: every edge is none, skip_connect or avg_pool_3x3 (0 nor_conv_3x3, 0 nor_conv_1x1)',
  'no nor_conv_3x3 and at least one nor_conv_1x1',
  'exactly one nor_conv_3x3',
  'exactly two nor_conv_3x3',
  'exactly three nor_conv_3x3',
  'four or more nor_conv_3x3',
];
// live: the same counts, of live edges only (each text starts like the paper's, so seed sections still match)
const LIVE_CONSTRAINTS = [
  'no convolution on a live edge: every live edge is skip_connect or avg_pool_3x3 (0 nor_conv_3x3, 0 nor_conv_1x1 on live edges)',
  'no nor_conv_3x3 on a live edge and at least one nor_conv_1x1 on a live edge',
  'exactly one nor_conv_3x3 on live edges',
  'exactly two nor_conv_3x3 on live edges',
  'exactly three nor_conv_3x3 on live edges',
  'four or more nor_conv_3x3 on live edges',
];
const LIVE_NOTE = ' (a live edge lies on an input→output path; convolutions on dead edges do not count)';

export function nb201Partition(mode: Nb201PartitionMode = 'raw'): Partition<Nb201Arch> {
  const texts = mode === 'live' ? LIVE_CONSTRAINTS.map((c) => c + LIVE_NOTE) : CONSTRAINTS;
  const niches: Niche<Nb201Arch>[] = texts.map((constraint, id) => ({
    id,
    name: `N${id}`,
    constraint,
    contains: (a: Nb201Arch) => nb201NicheOf(a, mode) === id,
    // edits needed (raw): each edit changes one edge, so |Δ #3×3| (+1 when the 1×1 condition of N0/N1 also
    // fails); live: the same on live counts (a guide for repair: one edit can change several edges' liveness)
    distance: (a: Nb201Arch) => {
      const { c3, c1 } = nb201ConvCounts(a, mode);
      if (id === 0) return c3 + c1;
      if (id === 1) return c3 + (c1 === 0 ? 1 : 0);
      if (id === 5) return Math.max(0, 4 - c3);
      return Math.abs(c3 - (id - 1));
    },
  }));
  return {
    kind: mode === 'live' ? 'nb201-conv-live' : 'nb201-conv',
    niches,
    nicheOf: (a: Nb201Arch) => nb201NicheOf(a, mode),
  };
}

/** Cells per niche over the whole space (15,625 cells). */
export function nb201NicheSizes(mode: Nb201PartitionMode = 'raw'): number[] {
  const sizes = new Array<number>(6).fill(0);
  for (const a of nb201Space.enumerate()) sizes[nb201NicheOf(a, mode)]!++;
  return sizes;
}

/** The partition mode of a run's spaceOptions.partition ('raw' when absent); throws on anything else. */
export function nb201PartitionMode(value: unknown): Nb201PartitionMode {
  if (value === undefined) return 'raw';
  if (value === 'raw' || value === 'live') return value;
  throw new Error(`partition must be "raw" or "live", got ${JSON.stringify(value)}`);
}
