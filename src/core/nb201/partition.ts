// The paper's NAS-Bench-201 niches, by the number of 3×3 convolutions (and 1×1 for the conv-free cells):
// N0 no conv at all (729 cells), N1 only 1×1 convs (3,367), N2 one 3×3 (6,144), N3 two (3,840),
// N4 three (1,280), N5 four or more (265).

import type { Niche, Partition } from '../partition.js';
import { OP_CONV1, OP_CONV3, type Nb201Arch } from './space.js';

const count = (a: Nb201Arch, op: number): number => a.reduce((n, o) => n + (o === op ? 1 : 0), 0);

export function nb201NicheOf(a: Nb201Arch): number {
  const c3 = count(a, OP_CONV3);
  if (c3 === 0) return count(a, OP_CONV1) === 0 ? 0 : 1;
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

export function nb201Partition(): Partition<Nb201Arch> {
  const niches: Niche<Nb201Arch>[] = CONSTRAINTS.map((constraint, id) => ({
    id,
    name: `N${id}`,
    constraint,
    contains: (a: Nb201Arch) => nb201NicheOf(a) === id,
    // edits needed: each edit changes one edge, so |Δ #3×3| (+1 when the 1×1 condition of N0/N1 also fails)
    distance: (a: Nb201Arch) => {
      const c3 = count(a, OP_CONV3);
      const c1 = count(a, OP_CONV1);
      if (id === 0) return c3 + c1;
      if (id === 1) return c3 + (c1 === 0 ? 1 : 0);
      if (id === 5) return Math.max(0, 4 - c3);
      return Math.abs(c3 - (id - 1));
    },
  }));
  return { kind: 'nb201-conv', niches, nicheOf: nb201NicheOf };
}
