// What every dashboard panel offers main.ts: its top-level elements (main.ts places them, in this order, in the
// header or a tab), the full state on a snapshot, and each numbered append after it. The state object a
// snapshot hands over is the one main.ts keeps current as appends arrive (points pushed, front, run and
// coverage replaced), so a panel may keep it and read it later (event handlers).

import type { AppendPayload, DashboardState } from '../../src/protocol.js';

export interface Panel {
  readonly els: readonly HTMLElement[];
  /** Once the elements are in the document (charts size themselves from their box). */
  mount?(): void;
  snapshot(state: DashboardState): void;
  append(delta: AppendPayload, state: DashboardState): void;
}
