// The dashboard webview: per-niche cards, the Pareto plot, HV/IGD history and latency coverage, the
// knowledge-base editor, run controls and a log. Domain state comes from the host (ready → snapshot, then
// numbered appends); only UI state (tab, axes) is kept in setState. Never imports host code.

import '@vscode-elements/elements/dist/vscode-badge/index.js';
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-option/index.js';
import '@vscode-elements/elements/dist/vscode-progress-bar/index.js';
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import '@vscode-elements/elements/dist/vscode-tab-header/index.js';
import '@vscode-elements/elements/dist/vscode-tab-panel/index.js';
import '@vscode-elements/elements/dist/vscode-tabs/index.js';
import '@vscode-elements/elements/dist/vscode-textarea/index.js';
import '@vscode-elements/elements/dist/vscode-textfield/index.js';
import {
  assertNever,
  PROTOCOL_VERSION,
  type AppendPayload,
  type CoverageInfo,
  type DashboardState,
  type DashboardUiState,
  type HistoryRow,
  type HostToWebview,
  type MeasuredHere,
  type ModelFormat,
  type NicheCard,
  type PlotPoint,
  type RunAction,
  type WebviewRequest,
} from '../src/protocol.js';
import { clear, fmt, h, nicheColour } from './dom.js';
import {
  coverageClass,
  coverageCount,
  measuredText,
  measuredTitle,
  metricLabel,
  phaseLabel,
  progressLine,
  shortMetric,
} from './format.js';
import { KbEditor } from './kbeditor.js';
import { HistoryChart, ParetoPlot, type YAxis } from './plot.js';
import { post, request, settle, vscodeApi } from './rpc.js';

let ui: DashboardUiState = vscodeApi.getState() ?? {};
const saveUi = (patch: Partial<DashboardUiState>): void => {
  ui = { ...ui, ...patch };
  vscodeApi.setState(ui);
};

function fire(r: WebviewRequest): void {
  request(r).catch((e: unknown) => showError((e as Error).message));
}

// ---- state
let seq = 0;
let state: DashboardState | undefined;
const cards = new Map<number, NicheCard>();
const history = new Map<number, HistoryRow>();
let lastPerfPost = 0;

// ---- layout (built once; updated in place)
const app = document.getElementById('app')!;
clear(app);
app.removeAttribute('aria-busy');

const errorBar = h('div', { class: 'error-bar', role: 'alert', hidden: true });
const title = h('h1', { id: 'run-title' }, 'LLM-NAS');
const subtitle = h('div', { class: 'muted', id: 'run-subtitle' });
const phase = h('vscode-badge', { id: 'run-phase' }, '—');
const progress = h('vscode-progress-bar', { id: 'run-progress', value: 0, max: 1 }) as HTMLElement & {
  value: number;
  max: number;
};
const progressText = h('span', { id: 'run-progress-text', class: 'muted' });
const btn = (id: string, label: string, onclick: () => void, secondary = true): HTMLElement =>
  h('vscode-button', { id, secondary, onclick }, label);
const control = (a: RunAction) => () => fire({ type: 'run/control', action: a });
const controls = {
  pause: btn('ctl-pause', 'Pause', control('pause')),
  resume: btn('ctl-resume', 'Resume', control('resume'), false),
  step: btn('ctl-step', 'Next generation', control('step')),
  stop: btn('ctl-stop', 'Stop', control('stop')),
  resumeFolder: btn('ctl-resume-folder', 'Resume run', () => fire({ type: 'run/resumeFolder' }), false),
  newSearch: btn('ctl-new', 'New search', () => fire({ type: 'run/new' })),
  testConnection: btn('ctl-test-connection', 'Test connection', () => testConnection()),
  csv: btn('ctl-export-csv', 'Export CSV', () => fire({ type: 'export', format: 'csv' })),
  json: btn('ctl-export-json', 'Export JSON', () => fire({ type: 'export', format: 'json' })),
};
const header = h(
  'header',
  { class: 'run-header' },
  h('div', { class: 'title-row' }, title, phase),
  subtitle,
  h('div', { class: 'progress-row' }, progress, progressText),
  h('div', { class: 'controls', role: 'toolbar', 'aria-label': 'Run controls' }, ...Object.values(controls)),
);

const cardGrid = h('div', { class: 'cards', id: 'niche-cards', 'aria-label': 'Niches' });
const xSelect = h('vscode-single-select', {
  id: 'x-metric',
  'aria-label': 'x axis: cost metric',
}) as HTMLElement & {
  value: string;
};
const ySelect = h('vscode-single-select', { id: 'y-axis', 'aria-label': 'y axis' }) as HTMLElement & {
  value: string;
};
const plotInfo = h('span', { class: 'muted', id: 'plot-info' });
// render timings are for the log and the tests (data attributes), not for the user
const perfInfo = h('span', { id: 'perf', hidden: true });
const logToggle = h(
  'vscode-button',
  {
    id: 'plot-log-x',
    secondary: true,
    title: 'Logarithmic cost axis',
    onclick: () => {
      plot.logX = !plot.logX;
      saveUi({ logX: plot.logX });
      logToggle.textContent = plot.logX ? 'x: log' : 'x: linear';
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
    onclick: () => plot.resetZoom(),
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
      plot.setPinned([]);
      saveUi({ pinned: [] });
      renderPlotInfo();
    },
  },
  'Clear pins',
);
const nicheFilter = h('span', {
  class: 'niche-filter',
  id: 'niche-filter',
  role: 'group',
  'aria-label': 'Show niches',
});
const canvas = h('canvas', {
  id: 'pareto',
  role: 'img',
  'aria-label': 'Pareto plot of evaluated architectures',
});
const frontTable = h('table', { class: 'front-table', id: 'front-table' });
// what the model and picture actions did (the host runs them): a path, a measurement, or an error
const actionStatus = h('div', { class: 'muted action-status', id: 'action-status', role: 'status' });
const overlayBtn = h(
  'vscode-button',
  {
    id: 'plot-overlay',
    secondary: true,
    title: 'Overlay the fronts of other runs of this task (a legend entry per run)',
    onclick: () => overlay(),
  },
  'Overlay runs…',
);
const clearOverlayBtn = h(
  'vscode-button',
  {
    id: 'plot-clear-overlay',
    secondary: true,
    hidden: true,
    onclick: () => {
      plot.setOverlays([]);
      clearOverlayBtn.hidden = true;
      renderPlotInfo();
    },
  },
  'Clear overlay',
);
const pinnedBox = h('div', { class: 'pinned-points', id: 'pinned-points', 'aria-label': 'Pinned points' });
const savePlotBtn = (id: string): HTMLElement =>
  h(
    'vscode-button',
    {
      id,
      secondary: true,
      title: 'Save the Pareto plot and the HV history as PNG or SVG (the same picture as llm-nas plot)',
      onclick: () => savePlot(),
    },
    'Save plot…',
  );
const searchPanel = h(
  'div',
  { class: 'search-panel' },
  cardGrid,
  h(
    'div',
    { class: 'plot-toolbar' },
    h('label', {}, 'x ', xSelect),
    h('label', {}, 'y ', ySelect),
    logToggle,
    resetZoom,
    clearPins,
    savePlotBtn('plot-save'),
    overlayBtn,
    clearOverlayBtn,
    nicheFilter,
    plotInfo,
    perfInfo,
  ),
  h('div', { class: 'plot-box' }, canvas),
  pinnedBox,
  actionStatus,
  h(
    'p',
    { class: 'muted plot-help' },
    'Click a point: open its spec · Alt+click: pin it · wheel: zoom · drag: pan · Shift+drag: zoom to a box',
  ),
  h('h3', {}, 'Global front'),
  h('p', { class: 'muted' }, 'Keyboard: Tab to a row and press Enter to open its spec file.'),
  h('div', { class: 'table-scroll' }, frontTable),
);
const historyCanvas = h('canvas', {
  id: 'history',
  role: 'img',
  'aria-label': 'HV ratio and IGD per generation',
});
const historyTable = h('table', { class: 'history-table', id: 'history-table' });
const coverageBox = h('div', { id: 'coverage' });
const qualityPanel = h(
  'div',
  { class: 'quality-panel' },
  h('p', { class: 'muted', id: 'quality-note' }),
  h('div', { class: 'plot-toolbar' }, savePlotBtn('quality-save-plot')),
  h('div', { class: 'plot-box small' }, historyCanvas),
  historyTable,
  h('h3', { id: 'coverage-title' }, 'Cost-range coverage'),
  h(
    'p',
    { class: 'muted' },
    'Each cell is a tenth of the cost range. Outlined: the reference has a point there; filled: the run’s front reaches it too; hatched: the front has a point where the reference has none.',
  ),
  coverageBox,
);
const kbRoot = h('div', { class: 'kb-panel', id: 'kb-editor' });
const logPre = h('pre', { class: 'log', id: 'event-log', 'aria-label': 'Event log' });
const emptyState = h(
  'div',
  { class: 'empty', id: 'empty-state', hidden: true },
  h('p', {}, 'No run is open. Start a search, or open a run folder from the LLM-NAS Runs view.'),
  btn('empty-new', 'New search', () => fire({ type: 'run/new' }), false),
);

const TABS = ['search', 'quality', 'kb', 'log'] as const;
const tabs = h(
  'vscode-tabs',
  { id: 'tabs', 'selected-index': Math.max(0, TABS.indexOf((ui.tab ?? 'search') as (typeof TABS)[number])) },
  h('vscode-tab-header', { slot: 'header', id: 'tab-search' }, 'Search'),
  h('vscode-tab-panel', {}, searchPanel),
  h('vscode-tab-header', { slot: 'header', id: 'tab-quality' }, 'Quality'),
  h('vscode-tab-panel', {}, qualityPanel),
  h('vscode-tab-header', { slot: 'header', id: 'tab-kb' }, 'Knowledge base'),
  h('vscode-tab-panel', {}, kbRoot),
  h('vscode-tab-header', { slot: 'header', id: 'tab-log' }, 'Log'),
  h('vscode-tab-panel', {}, logPre),
);
tabs.addEventListener('vsc-tabs-select', (e) => {
  const i = (e as CustomEvent<{ selectedIndex: number }>).detail.selectedIndex;
  saveUi({ tab: TABS[i] ?? 'search' });
});
app.append(errorBar, header, emptyState, tabs);

let shownError = '';
function showError(msg: string, actions: HTMLElement[] = []): void {
  errorBar.hidden = false;
  shownError = msg;
  clear(errorBar);
  errorBar.append(
    h('span', { id: 'error-text' }, msg),
    ...actions,
    h(
      'vscode-button',
      { secondary: true, onclick: () => (errorBar.hidden = true), 'aria-label': 'Dismiss' },
      'Dismiss',
    ),
  );
}

const connectionResult = h('span', { id: 'connection-result', class: 'muted', role: 'status' });
function testConnection(): void {
  connectionResult.textContent = 'testing the endpoint…';
  request({ type: 'llm/testConnection' }).then(
    (r) => {
      connectionResult.textContent = `${r.ok ? '✓' : '✗'} ${r.message} (${r.ms} ms)`;
      connectionResult.className = r.ok ? 'ok' : 'error';
      connectionResult.setAttribute('data-ok', String(r.ok));
    },
    (e: unknown) => {
      connectionResult.textContent = `✗ ${(e as Error).message}`;
      connectionResult.className = 'error';
    },
  );
}

const plot = new ParetoPlot(
  canvas,
  (p) => fire({ type: 'spec/open', archId: p.id }),
  (ids) => {
    saveUi({ pinned: ids });
    renderPlotInfo();
  },
);
// the same default y axis for every run: the predicted accuracy the search optimises
plot.y = ui.yAxis ?? 'predicted';
plot.xMetric = ui.xMetric ?? 0;
plot.logX = ui.logX ?? false;
logToggle.textContent = plot.logX ? 'x: log' : 'x: linear';
plot.setPinned(ui.pinned ?? []);
plot.hidden = new Set(ui.hiddenNiches ?? []);
const historyChart = new HistoryChart(historyCanvas);
const kb = new KbEditor(kbRoot, {
  save: (sections, baseHash) => request({ type: 'kb/save', sections, baseHash }),
  openFile: () => fire({ type: 'kb/openFile' }),
});

xSelect.addEventListener('change', () => {
  plot.xMetric = Number(xSelect.value) || 0;
  saveUi({ xMetric: plot.xMetric });
  plot.rebuild();
  renderPlotInfo();
});
ySelect.addEventListener('change', () => {
  plot.y = ySelect.value as YAxis;
  saveUi({ yAxis: plot.y });
  plot.rebuild();
  renderPlotInfo();
});

// ---- renderers
function renderHeader(): void {
  const r = state?.run;
  emptyState.hidden = !!r;
  tabs.hidden = !r;
  header.hidden = !r;
  if (!r) return;
  title.textContent = `Run ${r.id}`;
  subtitle.textContent = `${r.space} · ${r.dataset} · ${r.costMetrics.map((m, i) => metricLabel(m, r.costUnits[i])).join(' + ')} · operator ${r.operator} · predictor ${r.predictor} · ${r.dir}`;
  phase.textContent = phaseLabel(r);
  phase.setAttribute('data-phase', r.phase);
  phase.title =
    r.phase === 'pausing' ? 'Pause takes effect when the generation in progress has been evaluated' : '';
  progress.max = r.budget;
  progress.value = r.evaluations;
  const eta =
    r.secondsPerEvaluation !== undefined && (r.phase === 'running' || r.phase === 'pausing')
      ? ` · about ${fmtSeconds(r.secondsPerEvaluation * Math.max(0, r.budget - r.evaluations))} left (${r.secondsPerEvaluation.toFixed(2)} s per evaluation)`
      : '';
  progressText.textContent = progressLine(r) + eta;
  progressText.title = 'Generations are numbered from 0, as in the spec files and kb/gen-NN.md';
  const active = r.live && (r.phase === 'running' || r.phase === 'paused' || r.phase === 'pausing');
  controls.pause.hidden = !(r.live && r.phase === 'running');
  controls.resume.hidden = !(r.live && (r.phase === 'paused' || r.phase === 'pausing'));
  controls.step.hidden = !active;
  controls.stop.hidden = !(r.live && (active || r.phase === 'stopping'));
  controls.resumeFolder.hidden = !(
    r.phase === 'interrupted' ||
    r.phase === 'stopped' ||
    (r.phase === 'failed' && !r.live)
  );
  controls.resumeFolder.textContent = r.phase === 'failed' ? 'Resume (current settings)' : 'Resume run';
  controls.testConnection.hidden = r.operator === 'builtin';
  if (r.error && r.error !== shownError) {
    const actions = r.endpointError
      ? [
          btn(
            'err-open-settings',
            'Open Settings',
            () => fire({ type: 'settings/open', query: 'llmNas.llm' }),
            false,
          ),
          btn('err-test-connection', 'Test connection', () => testConnection()),
          btn('err-resume', 'Resume (current settings)', () => fire({ type: 'run/resumeFolder' })),
          btn('err-builtin', 'Continue with built-in operator', () => fire({ type: 'run/fallbackBuiltin' })),
          connectionResult,
        ]
      : [btn('err-resume', 'Resume', () => fire({ type: 'run/resumeFolder' }))];
    showError(`The run failed: ${r.error}`, actions);
  } else if (!r.error && shownError.startsWith('The run failed')) {
    errorBar.hidden = true;
    shownError = '';
  }
}

function fmtSeconds(s: number): string {
  if (s < 90) return `${Math.round(s)} s`;
  const m = Math.round(s / 60);
  return m < 60 ? `${m} min` : `${Math.floor(m / 60)} h ${String(m % 60).padStart(2, '0')} min`;
}

function renderCard(c: NicheCard): HTMLElement {
  const r = state?.run;
  const row = (k: string, v: string, cls = '', tip = ''): HTMLElement =>
    h(
      'div',
      { class: `kv ${cls}`, ...(tip ? { title: tip } : {}) },
      h('span', { class: 'k' }, k),
      h('span', { class: 'v' }, v),
    );
  const llm = r !== undefined && r.operator !== 'builtin';
  const unit = r?.costUnits[0] ? ` (${r.costUnits[0]})` : '';
  return h(
    'article',
    {
      class: `niche-card phase-${c.phase}`,
      'data-niche': c.id,
      tabindex: 0,
      'aria-label': `Niche ${c.name}: ${c.phase}`,
    },
    h(
      'div',
      { class: 'card-head' },
      h('span', { class: 'swatch', 'data-colour': c.id }),
      h('strong', {}, c.name),
      h('span', { class: `state state-${c.phase}` }, c.exhausted ? 'exhausted' : c.phase),
    ),
    h('div', { class: 'constraint muted', title: c.constraint }, c.constraint),
    row(
      'generation',
      c.phase === 'done'
        ? `all ${r?.generations ?? ''} done`
        : `${c.generation} (of 0–${(r?.generations ?? 1) - 1})`,
      'gen',
      'The generation this niche is in or last finished; numbered from 0, as in the spec files',
    ),
    row(
      'evaluated',
      `${c.evaluated} / ${c.planned}`,
      'evaluated',
      'Architectures evaluated in this niche / children planned for it so far (each generation shares the children out by how much each niche adds to the global front)',
    ),
    row(
      'archive',
      String(c.archive),
      'archive',
      'Non-dominated architectures of this niche (its Pareto archive)',
    ),
    row(
      'best proxy score',
      fmt(c.bestAccuracy),
      '',
      `Highest predicted accuracy in this niche: ${r?.predictorUnit ?? 'the predictor’s score'} (not a test accuracy)`,
    ),
    row(`min ${shortMetric(r?.costMetrics[0])}${unit}`, fmt(c.lowestCost), '', r?.costMetrics[0] ?? ''),
    c.jobs
      ? row(
          'jobs',
          `${c.jobs.queued} queued · ${c.jobs.running} running · ${c.jobs.done} done · ${c.jobs.failed} failed`,
          'jobs',
          'This niche’s candidates at the scheduler (SLURM), by the state of their latest job; a requeued job counts as queued',
        )
      : null,
    llm ? row('LLM calls', String(c.llmCalls), 'llm-calls') : null,
    llm ? row('tokens', c.tokens.toLocaleString('en-US'), 'llm-tokens') : null,
    llm
      ? row(
          'LLM cost',
          `$${c.costUsd.toFixed(4)}`,
          '',
          'Priced from the token counts with llmNas.llm.priceInPer1k / priceOutPer1k',
        )
      : null,
    row(
      'rejected',
      String(c.rejections),
      '',
      'Candidates the validator turned down (invalid, outside the niche, or seen before)',
    ),
    llm
      ? row(
          'built-in fill-ins',
          String(c.fallbacks),
          '',
          'Children the built-in operator made when the LLM gave too few valid ones',
        )
      : null,
    c.phase === 'error' && c.message
      ? h('div', { class: 'card-error error', role: 'alert' }, c.message)
      : null,
  );
}

function paintSwatches(): void {
  // colours set through the CSSOM (allowed by the CSP), not style attributes
  for (const el of cardGrid.querySelectorAll<HTMLElement>('.swatch'))
    el.style.backgroundColor = nicheColour(Number(el.dataset['colour']));
}

function renderCards(changed?: NicheCard[]): void {
  for (const c of changed ?? state?.niches ?? []) cards.set(c.id, c);
  clear(cardGrid);
  for (const c of [...cards.values()].sort((a, b) => a.id - b.id)) cardGrid.append(renderCard(c));
  paintSwatches();
}

function renderSelects(): void {
  const r = state?.run;
  const truth =
    (state?.points.some((p) => p.truth !== undefined) ?? false) || (state?.trueFronts.length ?? 0) > 0;
  clear(xSelect);
  (r?.costMetrics ?? []).forEach((m, i) =>
    xSelect.append(
      h('vscode-option', { value: String(i), selected: i === plot.xMetric }, metricLabel(m, r?.costUnits[i])),
    ),
  );
  clear(ySelect);
  if (!truth) plot.y = 'predicted';
  ySelect.append(
    h(
      'vscode-option',
      { value: 'predicted', selected: plot.y === 'predicted' },
      `predicted accuracy (${r?.predictor ?? 'proxy score'})`,
    ),
  );
  if (truth)
    ySelect.append(
      h('vscode-option', { value: 'truth', selected: plot.y === 'truth' }, 'true test accuracy (benchmark)'),
    );
}

function renderNicheFilter(): void {
  clear(nicheFilter);
  for (const n of state?.niches ?? []) {
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
        renderPlotInfo();
      },
    });
    const sw = h('span', { class: 'swatch', 'data-colour': n.id });
    sw.style.backgroundColor = nicheColour(n.id);
    nicheFilter.append(h('label', { class: 'niche-toggle', title: n.constraint }, box, sw, n.name));
  }
}

// ---- model and picture actions (the host runs the Export Model and Measure commands, and `llm-nas plot`'s renderer)
const measured = new Map<string, MeasuredHere>();

function setStatus(text: string, kind: 'ok' | 'error' | 'busy' = 'ok'): void {
  actionStatus.textContent = text;
  actionStatus.setAttribute('data-kind', kind);
}

function exportModel(id: string, format: ModelFormat): void {
  setStatus(`exporting ${id}…`, 'busy');
  request({ type: 'model/export', archId: id, format, where: 'dialog' }).then(
    (r) => setStatus(r.path ? `${id} exported to ${r.path}` : 'export cancelled'),
    (e: unknown) => setStatus(`export of ${id} failed: ${(e as Error).message}`, 'error'),
  );
}

function measure(id: string): void {
  setStatus(`timing ${id} on this machine…`, 'busy');
  request({ type: 'model/measure', archId: id }).then(
    (m) => {
      measured.set(id, m);
      setStatus(`${id}: ${measuredText(m)} (batch ${m.batch}, ${m.threads} thread, median of ${m.runs})`);
      renderFrontTable();
      renderPinned();
    },
    (e: unknown) => setStatus(`measuring ${id} failed: ${(e as Error).message}`, 'error'),
  );
}

function overlay(): void {
  request({ type: 'plot/overlay' }).then(
    (r) => {
      if (!r.runs) return;
      plot.setOverlays(r.runs);
      clearOverlayBtn.hidden = r.runs.length === 0;
      renderPlotInfo();
      setStatus(
        r.runs.length
          ? `overlaid: ${r.runs.map((o) => `${o.name} (${o.front.length} on its front)`).join(', ')}`
          : 'no overlay',
      );
    },
    (e: unknown) => setStatus(`overlay failed: ${(e as Error).message}`, 'error'),
  );
}

function savePlot(): void {
  request({ type: 'plot/save' }).then(
    (r) => {
      if (r.path) setStatus(`plot saved to ${r.path}`);
    },
    (e: unknown) => setStatus(`saving the plot failed: ${(e as Error).message}`, 'error'),
  );
}

/** Export PyTorch / Export ONNX / Measure buttons for one architecture (they do not open its spec). */
function modelActions(id: string): HTMLElement {
  const act = (cls: string, label: string, tip: string, f: () => void): HTMLElement =>
    h(
      'vscode-button',
      {
        class: `row-action ${cls}`,
        secondary: true,
        title: tip,
        'aria-label': `${label} ${id}`,
        onclick: (e: Event) => {
          e.stopPropagation();
          f();
        },
        onkeydown: (e: Event) => e.stopPropagation(),
      },
      label,
    );
  return h(
    'span',
    { class: 'model-actions', 'data-arch': id },
    act('act-pytorch', 'PyTorch…', 'Export model… as a PyTorch module (.py)', () =>
      exportModel(id, 'pytorch'),
    ),
    act('act-onnx', 'ONNX…', 'Export model… as an ONNX model (.onnx)', () => exportModel(id, 'onnx')),
    act('act-measure', 'Measure', 'Measure on this machine (CPU, ONNX Runtime)', () => measure(id)),
  );
}

function measuredCell(id: string): HTMLElement {
  const m = measured.get(id);
  return h(
    'td',
    { class: 'measured-here', ...(m ? { title: measuredTitle(m), 'data-ms': m.medianMs } : {}) },
    m ? measuredText(m) : '',
  );
}

/** The pinned points, each with the model actions and its measured-here latency next to the table's. */
function renderPinned(): void {
  clear(pinnedBox);
  const ids = new Set(ui.pinned ?? []);
  const r = state?.run;
  const pts: PlotPoint[] = (state?.points ?? []).filter((p) => ids.has(p.id));
  if (!r || !pts.length) return;
  pinnedBox.append(h('h3', {}, 'Pinned points'));
  for (const p of pts) {
    const m = measured.get(p.id);
    pinnedBox.append(
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
        modelActions(p.id),
      ),
    );
  }
}

function renderPlotInfo(): void {
  renderPinned();
  const n = plot.size;
  const pins = plot.pinnedCount;
  plotInfo.textContent = `${n} points · ${state?.front.length ?? 0} on the front${pins ? ` · ${pins} pinned` : ''}${plot.hidden.size ? ` · ${plot.hidden.size} niche${plot.hidden.size > 1 ? 's' : ''} hidden` : ''}`;
  plotInfo.title = state?.run ? `predicted accuracy: ${state.run.predictorUnit}` : '';
  plotInfo.setAttribute('data-points', String(n));
  plotInfo.setAttribute('data-front', String(state?.front.length ?? 0));
  plotInfo.setAttribute('data-overlays', String(plot.overlayCount));
}

function renderFrontTable(): void {
  const s = state;
  clear(frontTable);
  if (!s?.run) return;
  const byId = new Map(s.points.map((p) => [p.id, p]));
  const members = s.front.map((id) => byId.get(id)).filter((p) => p !== undefined);
  members.sort((a, b) => (a.hw[0] ?? 0) - (b.hw[0] ?? 0));
  const truth = members.some((p) => p.truth !== undefined);
  const degenerate = members.some((p) => p.degenerate !== undefined);
  frontTable.append(
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        h('th', {}, 'id'),
        h('th', { title: 'Export model… (PyTorch / ONNX) · Measure on this machine' }, 'model'),
        h('th', {}, 'niche'),
        h('th', { title: `predicted accuracy: ${s.run.predictorUnit}` }, 'proxy score'),
        ...s.run.costMetrics.map((m, i) => h('th', {}, metricLabel(m, s.run!.costUnits[i]))),
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
        h('td', { class: 'actions' }, modelActions(p.id)),
        h('td', {}, `N${p.niche}`),
        h('td', {}, fmt(p.predicted)),
        ...p.hw.map((v) => h('td', {}, fmt(v))),
        measured.size ? measuredCell(p.id) : null,
        truth ? h('td', {}, fmt(p.truth, 2)) : null,
        h('td', { class: 'mono arch', title: p.arch }, p.arch),
        degenerate ? h('td', { class: 'degenerate' }, p.degenerate ?? '') : null,
        h(
          'td',
          { class: 'why', title: p.rationale ?? '' },
          p.rationale ? `${p.operator ? `${p.operator}: ` : ''}${p.rationale}` : '',
        ),
      ),
    );
  }
  frontTable.append(body);
}

function renderQuality(): void {
  const rows = [...history.values()].sort((a, b) => a.generation - b.generation);
  const hasTruth = rows.some((r) => r.hvRatio !== undefined);
  // no true front: HV against the best front known (earlier runs of the same task in the runs folder)
  const hasKnown = !hasTruth && rows.some((r) => r.knownHvRatio !== undefined);
  const known = state?.run?.knownFront;
  const note = qualityPanel.querySelector('#quality-note')!;
  const space = state?.run?.space ?? '';
  const noTruth = `No true-front HV or IGD for ${space}: it has no benchmark table of true accuracies (its accuracy is the predictor’s score).`;
  note.textContent = hasTruth
    ? 'HV ratio and IGD of the protocol front (scored with the benchmark’s true accuracy and cost) after each generation (numbered from 0).'
    : hasKnown && known
      ? `${noTruth} “HV vs best known”: HV of the run’s front (predicted score and cost) over HV of the best front known — this run’s so far and ${known.runs} earlier run${known.runs === 1 ? '’s' : 's’'} of the same space, dataset, predictor and cost metrics in the runs folder. 1 = as good as the best known (not a true optimum).`
      : `${noTruth} No earlier run of the same space, dataset, predictor and cost metrics in the runs folder to compare with; the table shows the size of the run’s own front per generation.`;
  historyCanvas.parentElement!.hidden = !hasTruth;
  historyChart.set(rows);
  clear(historyTable);
  historyTable.append(
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
  historyTable.append(body);
}

function renderCoverage(cov: CoverageInfo[]): void {
  clear(coverageBox);
  const r = state?.run;
  for (const c of cov) {
    const { hit, wanted, outside } = coverageCount(c.bins);
    const unit = r?.costUnits[r.costMetrics.indexOf(c.metric)] ?? '';
    const strip = h('div', { class: 'coverage-strip', role: 'list', 'aria-label': `${c.metric} coverage` });
    for (const b of c.bins)
      strip.append(
        h('div', {
          role: 'listitem',
          class: coverageClass(b),
          title: `${fmt(b.lo)} – ${fmt(b.hi)} ${unit}: ${b.wanted ? (b.hit ? 'covered' : 'missed') : b.hit ? 'front point outside the reference' : 'no reference point'}`,
          'aria-label': `${fmt(b.lo)} to ${fmt(b.hi)} ${unit}: ${b.wanted ? (b.hit ? 'covered' : 'missed') : b.hit ? 'front point outside the reference' : 'no reference point'}`,
        }),
      );
    coverageBox.append(
      h(
        'div',
        { class: 'coverage-row' },
        h('span', { class: 'metric' }, metricLabel(c.metric, unit)),
        strip,
        h(
          'span',
          { class: 'muted coverage-count' },
          `${hit} of ${wanted} ranges of the ${c.basis === 'true-front' ? 'true front' : 'evaluated set'} covered${outside ? ` (+${outside} outside it)` : ''}`,
        ),
      ),
    );
  }
}

function appendLog(lines: string[]): void {
  if (!lines.length) return;
  logPre.textContent = (logPre.textContent + lines.join('\n') + '\n').split('\n').slice(-400).join('\n');
}

function reportPerf(snapshotMs: number, appendMs?: number): void {
  perfInfo.setAttribute('data-snapshot-ms', snapshotMs.toFixed(2));
  if (appendMs !== undefined) perfInfo.setAttribute('data-append-ms', appendMs.toFixed(2));
  const now = Date.now();
  if (appendMs === undefined || now - lastPerfPost > 2000) {
    lastPerfPost = now;
    post({
      type: 'perf',
      points: plot.size,
      snapshotMs: lastSnapshotMs,
      ...(appendMs !== undefined ? { appendMs } : {}),
    });
  }
}
let lastSnapshotMs = 0;

// ---- protocol
function onSnapshot(s: DashboardState, newSeq: number): void {
  // measurements and overlays belong to the run they were made for
  if (s.run?.dir !== state?.run?.dir) {
    measured.clear();
    plot.setOverlays([], false);
    clearOverlayBtn.hidden = true;
  }
  state = s;
  seq = newSeq;
  cards.clear();
  history.clear();
  for (const r of s.history) history.set(r.generation, r);
  if (s.run) saveUi({ runDir: s.run.dir });
  renderHeader();
  renderCards();
  renderSelects();
  renderNicheFilter();
  const ms = plot.setAll(
    s.points,
    s.front,
    s.trueFronts,
    s.niches.map((n) => n.name),
    s.run?.costMetrics ?? [],
    s.run?.predictor ?? '',
    s.run?.costUnits ?? [],
  );
  renderPlotInfo();
  renderFrontTable();
  renderQuality();
  renderCoverage(s.coverage);
  logPre.textContent = '';
  appendLog(s.log);
  if (s.kb) kb.setKb(s.kb);
  lastSnapshotMs = ms;
  // time from the webview's start (navigation) to its first rendered snapshot: the panel's restore time
  if (!perfInfo.hasAttribute('data-first-render-ms') && s.run)
    requestAnimationFrame(() => perfInfo.setAttribute('data-first-render-ms', performance.now().toFixed(0)));
  requestAnimationFrame(() => reportPerf(ms));
}

function onAppend(d: AppendPayload, newSeq: number): void {
  if (!state || newSeq !== seq + 1) {
    post({ type: 'resync', lastSeq: seq });
    return;
  }
  seq = newSeq;
  for (const p of d.points) state.points.push(p);
  state.front = d.front;
  state.run = d.run;
  state.coverage = d.coverage;
  for (const r of d.history) history.set(r.generation, r);
  renderHeader();
  if (d.niches.length) renderCards(d.niches);
  const ms = plot.append(d.points, d.front);
  renderPlotInfo();
  if (d.points.length || d.history.length) renderFrontTable();
  if (d.history.length) renderQuality();
  renderCoverage(d.coverage);
  appendLog(d.log);
  if (d.points.length) reportPerf(lastSnapshotMs, ms);
}

window.addEventListener('message', (ev: MessageEvent<HostToWebview>) => {
  const m = ev.data;
  switch (m.type) {
    case 'snapshot':
      if (m.protocol !== PROTOCOL_VERSION)
        showError(`protocol mismatch: host ${m.protocol}, panel ${PROTOCOL_VERSION}`);
      onSnapshot(m.state, m.seq);
      return;
    case 'append':
      onAppend(m.delta, m.seq);
      return;
    case 'kb':
      if (state) state.kb = m.kb;
      kb.setKb(m.kb);
      return;
    case 'reply':
      settle(m);
      return;
    default:
      assertNever(m);
  }
});

// theme changes (light / dark / high contrast) re-colour the charts
new MutationObserver(() => {
  plot.applyTheme();
  renderQuality();
}).observe(document.body, { attributes: true, attributeFilter: ['class'] });

post({ type: 'ready', protocol: PROTOCOL_VERSION });
