// The dashboard webview: the header (run, progress, controls, errors), and the Search (niche cards, Pareto
// plot, global front table), Quality (HV/IGD history, cost-range coverage), Knowledge base and Log tabs, one
// panel each (webview/panels/). Domain state comes from the host (ready → snapshot, then numbered appends,
// through rpc.ts); only UI state (tab, axes, plot tools) is kept in setState. main.ts only composes the panels
// and hands them the host's messages. Never imports host code.

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
import { PROTOCOL_VERSION, type AppendPayload, type DashboardState } from '../src/protocol.js';
import { clear, h } from './dom.js';
import { CardsPanel } from './panels/cards.js';
import { FrontTablePanel } from './panels/front-table.js';
import { HeaderPanel } from './panels/header.js';
import { KbPanel } from './panels/kb.js';
import { LogPanel } from './panels/log.js';
import { ModelActions } from './panels/model-actions.js';
import type { Panel } from './panels/panel.js';
import { PlotPanel } from './panels/plot.js';
import { QualityPanel } from './panels/quality.js';
import { listen, onRequestError, post, saveUi, uiState } from './rpc.js';

// ---- layout (built once; updated in place)
const app = document.getElementById('app')!;
clear(app);
app.removeAttribute('aria-busy');

const actions = new ModelActions(() => {
  front.render();
  plot.renderPinned();
});
const header = new HeaderPanel();
const cards = new CardsPanel();
const plot = new PlotPanel(actions);
const front = new FrontTablePanel(actions);
const quality = new QualityPanel(actions);
const kb = new KbPanel();
const log = new LogPanel();
/** The tabs' panels, in the order they render a snapshot or an append (after the header). */
const panels: Panel[] = [cards, plot, front, quality, log, kb];
onRequestError((message) => header.showError(message));

const TABS = ['search', 'quality', 'kb', 'log'] as const;
const tabs = h(
  'vscode-tabs',
  {
    id: 'tabs',
    'selected-index': Math.max(0, TABS.indexOf((uiState().tab ?? 'search') as (typeof TABS)[number])),
  },
  h('vscode-tab-header', { slot: 'header', id: 'tab-search' }, 'Search'),
  h('vscode-tab-panel', {}, h('div', { class: 'search-panel' }, ...cards.els, ...plot.els, ...front.els)),
  h('vscode-tab-header', { slot: 'header', id: 'tab-quality' }, 'Quality'),
  h('vscode-tab-panel', {}, ...quality.els),
  h('vscode-tab-header', { slot: 'header', id: 'tab-kb' }, 'Knowledge base'),
  h('vscode-tab-panel', {}, ...kb.els),
  h('vscode-tab-header', { slot: 'header', id: 'tab-log' }, 'Log'),
  h('vscode-tab-panel', {}, ...log.els),
);
tabs.addEventListener('vsc-tabs-select', (e) => {
  const i = (e as CustomEvent<{ selectedIndex: number }>).detail.selectedIndex;
  saveUi({ tab: TABS[i] ?? 'search' });
});
app.append(...header.els, tabs);
// the charts and the editor once their elements are in the document
for (const p of panels) p.mount?.();

// ---- protocol
let seq = 0;
let state: DashboardState | undefined;

function onSnapshot(s: DashboardState, newSeq: number): void {
  // measurements belong to the run they were made for (the plot drops its overlays likewise)
  actions.snapshot(s);
  state = s;
  seq = newSeq;
  if (s.run) saveUi({ runDir: s.run.dir });
  header.snapshot(s);
  // the tabs show before the panels render (the charts lay out in a visible box)
  tabs.hidden = !s.run;
  for (const p of panels) p.snapshot(s);
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
  header.append(d);
  tabs.hidden = !state.run;
  for (const p of panels) p.append(d, state);
}

listen({
  snapshot: (protocol, s, newSeq) => {
    if (protocol !== PROTOCOL_VERSION)
      header.showError(`protocol mismatch: host ${protocol}, panel ${PROTOCOL_VERSION}`);
    onSnapshot(s, newSeq);
  },
  append: onAppend,
  kb: (k) => {
    if (state) state.kb = k;
    kb.setKb(k);
  },
});

// theme changes (light / dark / high contrast) re-colour the charts
new MutationObserver(() => {
  plot.applyTheme();
  quality.applyTheme();
}).observe(document.body, { attributes: true, attributeFilter: ['class'] });

post({ type: 'ready', protocol: PROTOCOL_VERSION });
