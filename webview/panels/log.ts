// The Log tab: the run's notable events (rejections, fallbacks, errors, a line per generation per niche), the
// last LOG_LINES lines.

import type { AppendPayload, DashboardState } from '../../src/protocol.js';
import { h } from '../dom.js';
import { logWindow } from '../format.js';
import type { Panel } from './panel.js';

export class LogPanel implements Panel {
  private readonly pre = h('pre', { class: 'log', id: 'event-log', 'aria-label': 'Event log' });
  readonly els: readonly HTMLElement[] = [this.pre];

  snapshot(s: DashboardState): void {
    this.pre.textContent = '';
    this.add(s.log);
  }

  append(d: AppendPayload): void {
    this.add(d.log);
  }

  private add(lines: string[]): void {
    if (!lines.length) return;
    this.pre.textContent = logWindow(this.pre.textContent ?? '', lines);
  }
}
