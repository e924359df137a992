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
  type NicheCard,
  type RunAction,
  type WebviewRequest,
  type WebviewToHost,
} from '../src/protocol.js';
import { clear, fmt, h, nicheColour } from './dom.js';
import { KbEditor } from './kbeditor.js';
import { HistoryChart, ParetoPlot, type YAxis } from './plot.js';

interface VsCodeApi {
  postMessage(m: WebviewToHost): void;
  getState(): DashboardUiState | undefined;
  setState(s: DashboardUiState): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

const vscode = acquireVsCodeApi();
let ui: DashboardUiState = vscode.getState() ?? {};
const saveUi = (patch: Partial<DashboardUiState>): void => {
  ui = { ...ui, ...patch };
  vscode.setState(ui);
};
const post = (m: WebviewToHost): void => vscode.postMessage(m);

// ---- requests with ids and ok/error replies
let nextId = 1;
const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
function request<T = unknown>(r: WebviewRequest): Promise<T> {
  const id = nextId++;
  return new Promise<T>((resolve, reject) => {
    pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
    post({ type: 'request', id, request: r });
  });
}
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
const perfInfo = h('span', { class: 'muted', id: 'perf' });
const canvas = h('canvas', {
  id: 'pareto',
  role: 'img',
  'aria-label': 'Pareto plot of evaluated architectures',
});
const frontTable = h('table', { class: 'front-table', id: 'front-table' });
const searchPanel = h(
  'div',
  { class: 'search-panel' },
  cardGrid,
  h(
    'div',
    { class: 'plot-toolbar' },
    h('label', {}, 'x ', xSelect),
    h('label', {}, 'y ', ySelect),
    plotInfo,
    perfInfo,
  ),
  h('div', { class: 'plot-box' }, canvas),
  h('h3', {}, 'Global front'),
  h('p', { class: 'muted' }, 'Keyboard: Tab to a row and press Enter to open its spec file.'),
  frontTable,
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
  h('div', { class: 'plot-box small' }, historyCanvas),
  historyTable,
  h('h3', {}, 'Latency-range coverage'),
  h(
    'p',
    { class: 'muted' },
    'Each cell is a tenth of the range; filled: the run’s front has a point there; outlined: the reference has one.',
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

function showError(msg: string): void {
  errorBar.hidden = false;
  clear(errorBar);
  errorBar.append(
    h('span', {}, msg),
    h(
      'vscode-button',
      { secondary: true, onclick: () => (errorBar.hidden = true), 'aria-label': 'Dismiss' },
      'Dismiss',
    ),
  );
}

const plot = new ParetoPlot(canvas, (p) => fire({ type: 'spec/open', archId: p.id }));
plot.y = ui.yAxis ?? 'truth';
plot.xMetric = ui.xMetric ?? 0;
const historyChart = new HistoryChart(historyCanvas);
const kb = new KbEditor(kbRoot, {
  save: (sections, baseHash) => request<{ merged: boolean }>({ type: 'kb/save', sections, baseHash }),
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
  subtitle.textContent = `${r.space} · ${r.dataset} · ${r.costMetrics.join(' + ')} · operator ${r.operator} · predictor ${r.predictor} · ${r.dir}`;
  phase.textContent = r.stepping && r.phase === 'paused' ? 'paused (step mode)' : r.phase;
  phase.setAttribute('data-phase', r.phase);
  progress.max = r.budget;
  progress.value = r.evaluations;
  progressText.textContent = `generation ${Math.max(0, r.generation + 1)} / ${r.generations} · ${r.evaluations} / ${r.budget} evaluated`;
  const active = r.live && (r.phase === 'running' || r.phase === 'paused');
  controls.pause.hidden = !(r.live && r.phase === 'running');
  controls.resume.hidden = !(r.live && r.phase === 'paused');
  controls.step.hidden = !active;
  controls.stop.hidden = !(r.live && (active || r.phase === 'stopping'));
  controls.resumeFolder.hidden = !(r.phase === 'interrupted' || r.phase === 'stopped');
  if (r.error) showError(`The run failed: ${r.error}`);
}

/** "edgegpu_latency" → "latency" (the device is in the run's subtitle); the full name is the tooltip. */
function shortMetric(m: string | undefined): string {
  if (!m) return 'cost';
  return m.split('_').slice(1).join(' ') || m;
}

function renderCard(c: NicheCard): HTMLElement {
  const r = state?.run;
  const row = (k: string, v: string, cls = ''): HTMLElement =>
    h('div', { class: `kv ${cls}` }, h('span', { class: 'k' }, k), h('span', { class: 'v' }, v));
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
      `${c.phase === 'done' ? (r?.generations ?? c.generation) : Math.min(c.generation + 1, r?.generations ?? Infinity)} / ${r?.generations ?? '?'}`,
      'gen',
    ),
    row('eval. / planned', `${c.evaluated} / ${c.planned}`, 'evaluated'),
    row('archive', String(c.archive), 'archive'),
    row('best pred. acc.', fmt(c.bestAccuracy)),
    row(`min ${shortMetric(r?.costMetrics[0])}`, fmt(c.lowestCost)),
    row('LLM calls', String(c.llmCalls), 'llm-calls'),
    row('tokens', c.tokens.toLocaleString('en-US'), 'llm-tokens'),
    row('LLM cost', `$${c.costUsd.toFixed(4)}`),
    row('rejected', String(c.rejections)),
    row('built-in fill-ins', String(c.fallbacks)),
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
    xSelect.append(h('vscode-option', { value: String(i), selected: i === plot.xMetric }, m)),
  );
  clear(ySelect);
  if (!truth) plot.y = 'predicted';
  ySelect.append(
    h('vscode-option', { value: 'predicted', selected: plot.y === 'predicted' }, 'predicted accuracy'),
  );
  if (truth)
    ySelect.append(
      h('vscode-option', { value: 'truth', selected: plot.y === 'truth' }, 'true test accuracy (benchmark)'),
    );
}

function renderPlotInfo(): void {
  const n = plot.size;
  plotInfo.textContent = `${n} points · ${state?.front.length ?? 0} on the front`;
  plotInfo.title = state?.run ? `predicted accuracy: ${state.run.predictorUnit}` : '';
  plotInfo.setAttribute('data-points', String(n));
  plotInfo.setAttribute('data-front', String(state?.front.length ?? 0));
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
        h('th', {}, 'niche'),
        h('th', {}, 'predicted'),
        ...s.run.costMetrics.map((m) => h('th', {}, m)),
        truth ? h('th', {}, 'test acc %') : null,
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
            if ((e as KeyboardEvent).key === 'Enter') open();
          },
        },
        h('td', {}, p.id),
        h('td', {}, `N${p.niche}`),
        h('td', {}, fmt(p.predicted)),
        ...p.hw.map((v) => h('td', {}, fmt(v))),
        truth ? h('td', {}, fmt(p.truth, 2)) : null,
        h('td', { class: 'mono' }, p.arch),
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
  const note = qualityPanel.querySelector('#quality-note')!;
  note.textContent = hasTruth
    ? 'HV ratio and IGD of the protocol front (scored with the benchmark’s true accuracy and latency) after each generation.'
    : 'This space has no benchmark ground truth: HV/IGD are not available; the table shows the front size.';
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
        h('th', {}, 'HV ratio'),
        h('th', {}, 'IGD'),
        h('th', {}, 'coverage'),
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
        h('td', {}, fmt(r.hvRatio, 4)),
        h('td', {}, fmt(r.igd, 4)),
        h('td', {}, fmt(r.coverage, 2)),
      ),
    );
  historyTable.append(body);
}

function renderCoverage(cov: CoverageInfo[]): void {
  clear(coverageBox);
  for (const c of cov) {
    const hit = c.bins.filter((b) => b.wanted && b.hit).length;
    const wanted = c.bins.filter((b) => b.wanted).length;
    const strip = h('div', { class: 'coverage-strip', role: 'list', 'aria-label': `${c.metric} coverage` });
    for (const b of c.bins)
      strip.append(
        h('div', {
          role: 'listitem',
          class: `bin${b.wanted ? ' wanted' : ''}${b.hit ? ' hit' : ''}`,
          title: `${fmt(b.lo)} – ${fmt(b.hi)}: ${b.hit ? 'covered' : b.wanted ? 'missed' : 'no reference point'}`,
          'aria-label': `${fmt(b.lo)} to ${fmt(b.hi)}: ${b.hit ? 'covered' : b.wanted ? 'missed' : 'no reference point'}`,
        }),
      );
    coverageBox.append(
      h(
        'div',
        { class: 'coverage-row' },
        h('span', { class: 'metric' }, c.metric),
        strip,
        h(
          'span',
          { class: 'muted' },
          `${hit}/${wanted} ranges of the ${c.basis === 'true-front' ? 'true front' : 'evaluated set'}`,
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
  perfInfo.textContent = `render ${snapshotMs.toFixed(1)} ms${appendMs !== undefined ? ` · last append ${appendMs.toFixed(1)} ms` : ''}`;
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
  state = s;
  seq = newSeq;
  cards.clear();
  history.clear();
  for (const r of s.history) history.set(r.generation, r);
  if (s.run) saveUi({ runDir: s.run.dir });
  renderHeader();
  renderCards();
  renderSelects();
  const ms = plot.setAll(
    s.points,
    s.front,
    s.trueFronts,
    s.niches.map((n) => n.name),
    s.run?.costMetrics ?? [],
    s.run?.predictor ?? '',
  );
  renderPlotInfo();
  renderFrontTable();
  renderQuality();
  renderCoverage(s.coverage);
  logPre.textContent = '';
  appendLog(s.log);
  if (s.kb) kb.setKb(s.kb);
  lastSnapshotMs = ms;
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
    case 'reply': {
      const p = pending.get(m.id);
      pending.delete(m.id);
      if (!p) return;
      if (m.ok) p.resolve(m.result);
      else p.reject(new Error(m.error));
      return;
    }
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
