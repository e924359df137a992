// The header: the run's title, subtitle, phase badge, progress and ETA, and the run controls (which show
// depends on the phase: hiddenControls in format.ts); the error bar above it (a failed run's error with its
// fixes, a failed request) and the empty state shown instead when no run is open.

import type { AppendPayload, DashboardState, RunAction, RunSummary } from '../../src/protocol.js';
import { btn, clear, h } from '../dom.js';
import { etaText, hiddenControls, phaseLabel, progressLine, runSubtitle } from '../format.js';
import { fire, request } from '../rpc.js';
import type { Panel } from './panel.js';

export class HeaderPanel implements Panel {
  private readonly errorBar = h('div', { class: 'error-bar', role: 'alert', hidden: true });
  private readonly title = h('h1', { id: 'run-title' }, 'LLM-NAS');
  private readonly subtitle = h('div', { class: 'muted', id: 'run-subtitle' });
  private readonly phase = h('vscode-badge', { id: 'run-phase' }, '—');
  private readonly progress = h('vscode-progress-bar', {
    id: 'run-progress',
    value: 0,
    max: 1,
  }) as HTMLElement & {
    value: number;
    max: number;
  };
  private readonly progressText = h('span', { id: 'run-progress-text', class: 'muted' });
  private readonly controls: Record<
    'pause' | 'resume' | 'step' | 'stop' | 'resumeFolder' | 'newSearch' | 'testConnection' | 'csv' | 'json',
    HTMLElement
  >;
  private readonly header: HTMLElement;
  private readonly emptyState: HTMLElement;
  /** The endpoint check's result, shown in the error bar's actions. */
  private readonly connectionResult = h('span', { id: 'connection-result', class: 'muted', role: 'status' });
  private shownError = '';
  readonly els: readonly HTMLElement[];

  constructor() {
    const control = (a: RunAction) => () => fire({ type: 'run/control', action: a });
    this.controls = {
      pause: btn('ctl-pause', 'Pause', control('pause')),
      resume: btn('ctl-resume', 'Resume', control('resume'), false),
      step: btn('ctl-step', 'Next generation', control('step')),
      stop: btn('ctl-stop', 'Stop', control('stop')),
      resumeFolder: btn('ctl-resume-folder', 'Resume run', () => fire({ type: 'run/resumeFolder' }), false),
      newSearch: btn('ctl-new', 'New search', () => fire({ type: 'run/new' })),
      testConnection: btn('ctl-test-connection', 'Test connection', () => this.testConnection()),
      csv: btn('ctl-export-csv', 'Export CSV', () => fire({ type: 'export', format: 'csv' })),
      json: btn('ctl-export-json', 'Export JSON', () => fire({ type: 'export', format: 'json' })),
    };
    this.header = h(
      'header',
      { class: 'run-header' },
      h('div', { class: 'title-row' }, this.title, this.phase),
      this.subtitle,
      h('div', { class: 'progress-row' }, this.progress, this.progressText),
      h(
        'div',
        { class: 'controls', role: 'toolbar', 'aria-label': 'Run controls' },
        ...Object.values(this.controls),
      ),
    );
    this.emptyState = h(
      'div',
      { class: 'empty', id: 'empty-state', hidden: true },
      h('p', {}, 'No run is open. Start a search, or open a run folder from the LLM-NAS Runs view.'),
      btn('empty-new', 'New search', () => fire({ type: 'run/new' }), false),
    );
    this.els = [this.errorBar, this.header, this.emptyState];
  }

  snapshot(s: DashboardState): void {
    this.render(s.run);
  }

  append(d: AppendPayload): void {
    this.render(d.run);
  }

  /** Shows an error (with buttons that fix it) until dismissed. */
  showError(msg: string, actions: HTMLElement[] = []): void {
    const bar = this.errorBar;
    bar.hidden = false;
    this.shownError = msg;
    clear(bar);
    bar.append(
      h('span', { id: 'error-text' }, msg),
      ...actions,
      h(
        'vscode-button',
        { secondary: true, onclick: () => (bar.hidden = true), 'aria-label': 'Dismiss' },
        'Dismiss',
      ),
    );
  }

  private testConnection(): void {
    const out = this.connectionResult;
    out.textContent = 'testing the endpoint…';
    request({ type: 'llm/testConnection' }).then(
      (r) => {
        out.textContent = `${r.ok ? '✓' : '✗'} ${r.message} (${r.ms} ms)`;
        out.className = r.ok ? 'ok' : 'error';
        out.setAttribute('data-ok', String(r.ok));
      },
      (e: unknown) => {
        out.textContent = `✗ ${(e as Error).message}`;
        out.className = 'error';
      },
    );
  }

  private render(r: RunSummary | undefined): void {
    this.emptyState.hidden = !!r;
    this.header.hidden = !r;
    if (!r) return;
    this.title.textContent = `Run ${r.id}`;
    this.subtitle.textContent = runSubtitle(r);
    const phase = this.phase;
    phase.textContent = phaseLabel(r);
    phase.setAttribute('data-phase', r.phase);
    phase.title =
      r.phase === 'pausing' ? 'Pause takes effect when the generation in progress has been evaluated' : '';
    this.progress.max = r.budget;
    this.progress.value = r.evaluations;
    this.progressText.textContent = progressLine(r) + etaText(r);
    this.progressText.title = 'Generations are numbered from 0, as in the spec files and kb/gen-NN.md';
    const controls = this.controls;
    const hidden = hiddenControls(r);
    controls.pause.hidden = hidden.pause;
    controls.resume.hidden = hidden.resume;
    controls.step.hidden = hidden.step;
    controls.stop.hidden = hidden.stop;
    controls.resumeFolder.hidden = hidden.resumeFolder;
    controls.resumeFolder.textContent = r.phase === 'failed' ? 'Resume (current settings)' : 'Resume run';
    controls.testConnection.hidden = hidden.testConnection;
    if (r.error && r.error !== this.shownError) {
      const actions = r.endpointError
        ? [
            btn(
              'err-open-settings',
              'Open Settings',
              () => fire({ type: 'settings/open', query: 'llmNas.llm' }),
              false,
            ),
            btn('err-test-connection', 'Test connection', () => this.testConnection()),
            btn('err-resume', 'Resume (current settings)', () => fire({ type: 'run/resumeFolder' })),
            btn('err-builtin', 'Continue with built-in operator', () =>
              fire({ type: 'run/fallbackBuiltin' }),
            ),
            this.connectionResult,
          ]
        : [btn('err-resume', 'Resume', () => fire({ type: 'run/resumeFolder' }))];
      this.showError(`The run failed: ${r.error}`, actions);
    } else if (!r.error && this.shownError.startsWith('The run failed')) {
      this.errorBar.hidden = true;
      this.shownError = '';
    }
  }
}
