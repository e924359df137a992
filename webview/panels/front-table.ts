// The global front as a table, by the first cost: id, model actions, niche, proxy score, costs, the latency
// measured here, true test accuracy, the architecture, degenerate cells and why the operator made it. A row
// (click, or Enter) opens the architecture's spec file.

import type { AppendPayload, DashboardState } from '../../src/protocol.js';
import { clear, fmt, h } from '../dom.js';
import { frontMembers, metricLabel, whyText } from '../format.js';
import { fire } from '../rpc.js';
import type { ModelActions } from './model-actions.js';
import type { Panel } from './panel.js';

export class FrontTablePanel implements Panel {
  private readonly table = h('table', { class: 'front-table', id: 'front-table' });
  private state: DashboardState | undefined;
  readonly els: readonly HTMLElement[] = [
    h('h3', {}, 'Global front'),
    h('p', { class: 'muted' }, 'Keyboard: Tab to a row and press Enter to open its spec file.'),
    h('div', { class: 'table-scroll' }, this.table),
  ];

  constructor(private readonly actions: ModelActions) {}

  snapshot(s: DashboardState): void {
    this.state = s;
    this.render();
  }

  append(d: AppendPayload): void {
    if (d.points.length || d.history.length) this.render();
  }

  render(): void {
    const s = this.state;
    const table = this.table;
    const measured = this.actions.measured;
    clear(table);
    if (!s?.run) return;
    const run = s.run;
    const members = frontMembers(s.points, s.front);
    const truth = members.some((p) => p.truth !== undefined);
    const degenerate = members.some((p) => p.degenerate !== undefined);
    table.append(
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          h('th', {}, 'id'),
          h('th', { title: 'Export model… (PyTorch / ONNX) · Measure on this machine' }, 'model'),
          h('th', {}, 'niche'),
          h('th', { title: `predicted accuracy: ${run.predictorUnit}` }, 'proxy score'),
          ...run.costMetrics.map((m, i) => h('th', {}, metricLabel(m, run.costUnits[i]))),
          measured.size
            ? h(
                'th',
                { title: 'CPU latency timed on this machine, not the lookup table’s device' },
                'measured here',
              )
            : null,
          truth ? h('th', {}, 'test accuracy (%)') : null,
          h('th', {}, 'architecture'),
          degenerate ? h('th', {}, 'degenerate') : null,
          h('th', {}, 'why'),
        ),
      ),
    );
    const body = h('tbody', {});
    for (const p of members) {
      const open = (): void => fire({ type: 'spec/open', archId: p.id });
      body.append(
        h(
          'tr',
          {
            tabindex: 0,
            'data-arch': p.id,
            onclick: open,
            onkeydown: (e: Event) => {
              if ((e as KeyboardEvent).key === 'Enter' && e.target === e.currentTarget) open();
            },
          },
          h('td', { class: 'id mono' }, p.id),
          h('td', { class: 'actions' }, this.actions.buttons(p.id)),
          h('td', {}, `N${p.niche}`),
          h('td', {}, fmt(p.predicted)),
          ...p.hw.map((v) => h('td', {}, fmt(v))),
          measured.size ? this.actions.measuredCell(p.id) : null,
          truth ? h('td', {}, fmt(p.truth, 2)) : null,
          h('td', { class: 'mono arch', title: p.arch }, p.arch),
          degenerate ? h('td', { class: 'degenerate' }, p.degenerate ?? '') : null,
          h('td', { class: 'why', title: p.rationale ?? '' }, whyText(p)),
        ),
      );
    }
    table.append(body);
  }
}
