// The Quality tab: HV ratio and IGD per generation (chart and table) when the space has a true front, else HV
// against the best front known or the front's size; and the cost-range coverage strips of the run's front.

import type { AppendPayload, CoverageInfo, DashboardState, HistoryRow } from '../../src/protocol.js';
import { clear, fmt, h } from '../dom.js';
import {
  coverageCellText,
  coverageClass,
  coverageCount,
  coverageLine,
  metricLabel,
  qualityBasis,
  qualityNote,
} from '../format.js';
import { HistoryChart } from '../plot.js';
import type { ModelActions } from './model-actions.js';
import type { Panel } from './panel.js';

export class QualityPanel implements Panel {
  private readonly historyCanvas = h('canvas', {
    id: 'history',
    role: 'img',
    'aria-label': 'HV ratio and IGD per generation',
  });
  private readonly note = h('p', { class: 'muted', id: 'quality-note' });
  private readonly historyTable = h('table', { class: 'history-table', id: 'history-table' });
  private readonly coverageBox = h('div', { id: 'coverage' });
  private readonly history = new Map<number, HistoryRow>();
  private chart!: HistoryChart;
  private state: DashboardState | undefined;
  readonly els: readonly HTMLElement[];

  constructor(actions: ModelActions) {
    this.els = [
      h(
        'div',
        { class: 'quality-panel' },
        this.note,
        h('div', { class: 'plot-toolbar' }, actions.savePlotButton('quality-save-plot')),
        h('div', { class: 'plot-box small' }, this.historyCanvas),
        this.historyTable,
        h('h3', { id: 'coverage-title' }, 'Cost-range coverage'),
        h(
          'p',
          { class: 'muted' },
          'Each cell is a tenth of the cost range. Outlined: the reference has a point there; filled: the run’s front reaches it too; hatched: the front has a point where the reference has none.',
        ),
        this.coverageBox,
      ),
    ];
  }

  mount(): void {
    this.chart = new HistoryChart(this.historyCanvas);
  }

  snapshot(s: DashboardState): void {
    this.state = s;
    this.history.clear();
    for (const r of s.history) this.history.set(r.generation, r);
    this.render();
    this.renderCoverage(s.coverage);
  }

  append(d: AppendPayload): void {
    for (const r of d.history) this.history.set(r.generation, r);
    if (d.history.length) this.render();
    this.renderCoverage(d.coverage);
  }

  /** Theme changes (light / dark / high contrast) re-colour the chart. */
  applyTheme(): void {
    this.render();
  }

  private render(): void {
    const rows = [...this.history.values()].sort((a, b) => a.generation - b.generation);
    const { hasTruth, hasKnown } = qualityBasis(rows);
    const run = this.state?.run;
    this.note.textContent = qualityNote(hasTruth, hasKnown, run?.knownFront, run?.space ?? '');
    this.historyCanvas.parentElement!.hidden = !hasTruth;
    this.chart.set(rows);
    const table = this.historyTable;
    clear(table);
    table.append(
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          h('th', {}, 'generation'),
          h('th', {}, 'evaluated'),
          h('th', {}, 'front'),
          hasTruth ? h('th', {}, 'HV ratio') : null,
          hasTruth ? h('th', {}, 'IGD') : null,
          hasTruth ? h('th', {}, 'coverage') : null,
          hasKnown
            ? h('th', { title: 'HV of this front / HV of the best known front (≤ 1)' }, 'HV vs best known')
            : null,
        ),
      ),
    );
    const body = h('tbody', {});
    for (const r of rows)
      body.append(
        h(
          'tr',
          {},
          h('td', {}, r.generation),
          h('td', {}, r.evaluations),
          h('td', {}, r.frontSize),
          hasTruth ? h('td', {}, fmt(r.hvRatio, 4)) : null,
          hasTruth ? h('td', {}, fmt(r.igd, 4)) : null,
          hasTruth ? h('td', {}, fmt(r.coverage, 2)) : null,
          hasKnown ? h('td', {}, fmt(r.knownHvRatio, 4)) : null,
        ),
      );
    table.append(body);
  }

  private renderCoverage(cov: CoverageInfo[]): void {
    const box = this.coverageBox;
    clear(box);
    const r = this.state?.run;
    for (const c of cov) {
      const count = coverageCount(c.bins);
      const unit = r?.costUnits[r.costMetrics.indexOf(c.metric)] ?? '';
      const strip = h('div', { class: 'coverage-strip', role: 'list', 'aria-label': `${c.metric} coverage` });
      for (const b of c.bins)
        strip.append(
          h('div', {
            role: 'listitem',
            class: coverageClass(b),
            title: coverageCellText(b, fmt(b.lo), fmt(b.hi), unit),
            'aria-label': coverageCellText(b, fmt(b.lo), fmt(b.hi), unit, 'to'),
          }),
        );
      box.append(
        h(
          'div',
          { class: 'coverage-row' },
          h('span', { class: 'metric' }, metricLabel(c.metric, unit)),
          strip,
          h('span', { class: 'muted coverage-count' }, coverageLine(count, c.basis)),
        ),
      );
    }
  }
}
