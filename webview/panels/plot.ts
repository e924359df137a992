// The Pareto plot and its tools: x (cost metric) and y (predicted or true accuracy) axes, log x, zoom, pins,
// Save plot…, other runs' fronts overlaid, the niche filter, the one-line summary, the pinned points with their
// model actions, and the render timings (data attributes and a `perf` message, for the log and the tests).

import type { AppendPayload, DashboardState, PlotPoint } from '../../src/protocol.js';
import { clear, fmt, h, nicheColour } from '../dom.js';
import { measuredText, measuredTitle, metricLabel, plotSummary } from '../format.js';
import { ParetoPlot, type YAxis } from '../plot.js';
import { fire, post, request, saveUi, uiState } from '../rpc.js';
import type { ModelActions } from './model-actions.js';
import type { Panel } from './panel.js';

export class PlotPanel implements Panel {
  private readonly xSelect = h('vscode-single-select', {
    id: 'x-metric',
    'aria-label': 'x axis: cost metric',
  }) as HTMLElement & { value: string };
  private readonly ySelect = h('vscode-single-select', {
    id: 'y-axis',
    'aria-label': 'y axis',
  }) as HTMLElement & {
    value: string;
  };
  private readonly info = h('span', { class: 'muted', id: 'plot-info' });
  // render timings are for the log and the tests (data attributes), not for the user
  private readonly perfInfo = h('span', { id: 'perf', hidden: true });
  private readonly logToggle: HTMLElement;
  private readonly clearOverlayBtn: HTMLElement;
  private readonly nicheFilter = h('span', {
    class: 'niche-filter',
    id: 'niche-filter',
    role: 'group',
    'aria-label': 'Show niches',
  });
  private readonly canvas = h('canvas', {
    id: 'pareto',
    role: 'img',
    'aria-label': 'Pareto plot of evaluated architectures',
  });
  private readonly pinnedBox = h('div', {
    class: 'pinned-points',
    id: 'pinned-points',
    'aria-label': 'Pinned points',
  });
  private plot!: ParetoPlot;
  private state: DashboardState | undefined;
  private lastSnapshotMs = 0;
  private lastPerfPost = 0;
  readonly els: readonly HTMLElement[];

  constructor(private readonly actions: ModelActions) {
    this.logToggle = h(
      'vscode-button',
      {
        id: 'plot-log-x',
        secondary: true,
        title: 'Logarithmic cost axis',
        onclick: () => {
          const plot = this.plot;
          plot.logX = !plot.logX;
          saveUi({ logX: plot.logX });
          this.logToggle.textContent = plot.logX ? 'x: log' : 'x: linear';
          plot.rebuild();
        },
      },
      'x: linear',
    );
    const resetZoom = h(
      'vscode-button',
      {
        id: 'plot-reset-zoom',
        secondary: true,
        title: 'Back to the whole plot (wheel: zoom, drag: pan, Shift+drag: zoom to a box)',
        onclick: () => this.plot.resetZoom(),
      },
      'Reset zoom',
    );
    const clearPins = h(
      'vscode-button',
      {
        id: 'plot-clear-pins',
        secondary: true,
        title: 'Unpin every point (Alt+click a point to pin or unpin it)',
        onclick: () => {
          this.plot.setPinned([]);
          saveUi({ pinned: [] });
          this.renderInfo();
        },
      },
      'Clear pins',
    );
    const overlayBtn = h(
      'vscode-button',
      {
        id: 'plot-overlay',
        secondary: true,
        title: 'Overlay the fronts of other runs of this task (a legend entry per run)',
        onclick: () => this.overlay(),
      },
      'Overlay runs…',
    );
    this.clearOverlayBtn = h(
      'vscode-button',
      {
        id: 'plot-clear-overlay',
        secondary: true,
        hidden: true,
        onclick: () => {
          this.plot.setOverlays([]);
          this.clearOverlayBtn.hidden = true;
          this.renderInfo();
        },
      },
      'Clear overlay',
    );
    this.els = [
      h(
        'div',
        { class: 'plot-toolbar' },
        h('label', {}, 'x ', this.xSelect),
        h('label', {}, 'y ', this.ySelect),
        this.logToggle,
        resetZoom,
        clearPins,
        actions.savePlotButton('plot-save'),
        overlayBtn,
        this.clearOverlayBtn,
        this.nicheFilter,
        this.info,
        this.perfInfo,
      ),
      h('div', { class: 'plot-box' }, this.canvas),
      this.pinnedBox,
      actions.status,
      h(
        'p',
        { class: 'muted plot-help' },
        'Click a point: open its spec · Alt+click: pin it · wheel: zoom · drag: pan · Shift+drag: zoom to a box',
      ),
    ];
  }

  mount(): void {
    const ui = uiState();
    const plot = new ParetoPlot(
      this.canvas,
      (p) => fire({ type: 'spec/open', archId: p.id }),
      (ids) => {
        saveUi({ pinned: ids });
        this.renderInfo();
      },
    );
    this.plot = plot;
    // the same default y axis for every run: the predicted accuracy the search optimises
    plot.y = ui.yAxis ?? 'predicted';
    plot.xMetric = ui.xMetric ?? 0;
    plot.logX = ui.logX ?? false;
    this.logToggle.textContent = plot.logX ? 'x: log' : 'x: linear';
    plot.setPinned(ui.pinned ?? []);
    plot.hidden = new Set(ui.hiddenNiches ?? []);
    this.xSelect.addEventListener('change', () => {
      plot.xMetric = Number(this.xSelect.value) || 0;
      saveUi({ xMetric: plot.xMetric });
      plot.rebuild();
      this.renderInfo();
    });
    this.ySelect.addEventListener('change', () => {
      plot.y = this.ySelect.value as YAxis;
      saveUi({ yAxis: plot.y });
      plot.rebuild();
      this.renderInfo();
    });
  }

  snapshot(s: DashboardState): void {
    // overlays belong to the run they were made for
    if (s.run?.dir !== this.state?.run?.dir) {
      this.plot.setOverlays([], false);
      this.clearOverlayBtn.hidden = true;
    }
    this.state = s;
    this.renderSelects();
    this.renderNicheFilter();
    const ms = this.plot.setAll(
      s.points,
      s.front,
      s.trueFronts,
      s.niches.map((n) => n.name),
      s.run?.costMetrics ?? [],
      s.run?.predictor ?? '',
      s.run?.costUnits ?? [],
    );
    this.renderInfo();
    this.lastSnapshotMs = ms;
    // time from the webview's start (navigation) to its first rendered snapshot: the panel's restore time
    const perf = this.perfInfo;
    if (!perf.hasAttribute('data-first-render-ms') && s.run)
      requestAnimationFrame(() => perf.setAttribute('data-first-render-ms', performance.now().toFixed(0)));
    requestAnimationFrame(() => this.reportPerf(ms));
  }

  append(d: AppendPayload): void {
    const ms = this.plot.append(d.points, d.front);
    this.renderInfo();
    if (d.points.length) this.reportPerf(this.lastSnapshotMs, ms);
  }

  /** Theme changes (light / dark / high contrast) re-colour the chart. */
  applyTheme(): void {
    this.plot.applyTheme();
  }

  /** The pinned points, each with the model actions and its measured-here latency next to the table's. */
  renderPinned(): void {
    const box = this.pinnedBox;
    clear(box);
    const ids = new Set(uiState().pinned ?? []);
    const s = this.state;
    const r = s?.run;
    const pts: PlotPoint[] = (s?.points ?? []).filter((p) => ids.has(p.id));
    if (!r || !pts.length) return;
    box.append(h('h3', {}, 'Pinned points'));
    for (const p of pts) {
      const m = this.actions.measured.get(p.id);
      box.append(
        h(
          'div',
          { class: 'pinned-row', 'data-arch': p.id },
          h('span', { class: 'mono id' }, p.id),
          h(
            'span',
            { class: 'muted' },
            `${metricLabel(r.costMetrics[0] ?? 'cost', r.costUnits[0])}: ${fmt(p.hw[0])} (table)`,
          ),
          m ? h('span', { class: 'measured-here', title: measuredTitle(m) }, measuredText(m)) : null,
          this.actions.buttons(p.id),
        ),
      );
    }
  }

  private renderInfo(): void {
    this.renderPinned();
    const plot = this.plot;
    const s = this.state;
    const n = plot.size;
    const info = this.info;
    info.textContent = plotSummary(n, s?.front.length ?? 0, plot.pinnedCount, plot.hidden.size);
    info.title = s?.run ? `predicted accuracy: ${s.run.predictorUnit}` : '';
    info.setAttribute('data-points', String(n));
    info.setAttribute('data-front', String(s?.front.length ?? 0));
    info.setAttribute('data-overlays', String(plot.overlayCount));
  }

  private renderSelects(): void {
    const s = this.state;
    const r = s?.run;
    const plot = this.plot;
    const truth = (s?.points.some((p) => p.truth !== undefined) ?? false) || (s?.trueFronts.length ?? 0) > 0;
    clear(this.xSelect);
    (r?.costMetrics ?? []).forEach((m, i) =>
      this.xSelect.append(
        h(
          'vscode-option',
          { value: String(i), selected: i === plot.xMetric },
          metricLabel(m, r?.costUnits[i]),
        ),
      ),
    );
    clear(this.ySelect);
    if (!truth) plot.y = 'predicted';
    this.ySelect.append(
      h(
        'vscode-option',
        { value: 'predicted', selected: plot.y === 'predicted' },
        `predicted accuracy (${r?.predictor ?? 'proxy score'})`,
      ),
    );
    if (truth)
      this.ySelect.append(
        h(
          'vscode-option',
          { value: 'truth', selected: plot.y === 'truth' },
          'true test accuracy (benchmark)',
        ),
      );
  }

  private renderNicheFilter(): void {
    const plot = this.plot;
    clear(this.nicheFilter);
    for (const n of this.state?.niches ?? []) {
      const box = h('input', {
        type: 'checkbox',
        'data-niche': n.id,
        'aria-label': `show niche ${n.name}`,
        ...(plot.hidden.has(n.id) ? {} : { checked: true }),
        onchange: (e: Event) => {
          const on = (e.target as HTMLInputElement).checked;
          if (on) plot.hidden.delete(n.id);
          else plot.hidden.add(n.id);
          saveUi({ hiddenNiches: [...plot.hidden] });
          plot.rebuild();
          this.renderInfo();
        },
      });
      const sw = h('span', { class: 'swatch', 'data-colour': n.id });
      sw.style.backgroundColor = nicheColour(n.id);
      this.nicheFilter.append(h('label', { class: 'niche-toggle', title: n.constraint }, box, sw, n.name));
    }
  }

  private overlay(): void {
    request({ type: 'plot/overlay' }).then(
      (r) => {
        if (!r.runs) return;
        this.plot.setOverlays(r.runs);
        this.clearOverlayBtn.hidden = r.runs.length === 0;
        this.renderInfo();
        this.actions.setStatus(
          r.runs.length
            ? `overlaid: ${r.runs.map((o) => `${o.name} (${o.front.length} on its front)`).join(', ')}`
            : 'no overlay',
        );
      },
      (e: unknown) => this.actions.setStatus(`overlay failed: ${(e as Error).message}`, 'error'),
    );
  }

  private reportPerf(snapshotMs: number, appendMs?: number): void {
    this.perfInfo.setAttribute('data-snapshot-ms', snapshotMs.toFixed(2));
    if (appendMs !== undefined) this.perfInfo.setAttribute('data-append-ms', appendMs.toFixed(2));
    const now = Date.now();
    if (appendMs === undefined || now - this.lastPerfPost > 2000) {
      this.lastPerfPost = now;
      post({
        type: 'perf',
        points: this.plot.size,
        snapshotMs: this.lastSnapshotMs,
        ...(appendMs !== undefined ? { appendMs } : {}),
      });
    }
  }
}
