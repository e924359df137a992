// The model and picture actions (the host runs the Export Model and Measure commands, and `llm-nas plot`'s
// renderer): the Export PyTorch / Export ONNX / Measure buttons of an architecture (front table rows, pinned
// points), the latencies measured here, Save plot…, and the status line saying what they did (a path, a
// measurement, or an error). Shared by the plot and the front table.

import type { DashboardState, MeasuredHere, ModelFormat } from '../../src/protocol.js';
import { h } from '../dom.js';
import { measuredText, measuredTitle } from '../format.js';
import { request } from '../rpc.js';

export class ModelActions {
  /** Latencies measured here, by architecture id (they belong to the run they were made for). */
  readonly measured = new Map<string, MeasuredHere>();
  /** What the actions did; placed under the plot. */
  readonly status = h('div', { class: 'muted action-status', id: 'action-status', role: 'status' });
  private dir: string | undefined;

  /** Called after a measurement is in `measured` (the front table and the pinned points show it). */
  constructor(private readonly onMeasured: () => void) {}

  snapshot(s: DashboardState): void {
    if (s.run?.dir !== this.dir) this.measured.clear();
    this.dir = s.run?.dir;
  }

  setStatus(text: string, kind: 'ok' | 'error' | 'busy' = 'ok'): void {
    this.status.textContent = text;
    this.status.setAttribute('data-kind', kind);
  }

  /** Export PyTorch / Export ONNX / Measure buttons for one architecture (they do not open its spec). */
  buttons(id: string): HTMLElement {
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
        this.exportModel(id, 'pytorch'),
      ),
      act('act-onnx', 'ONNX…', 'Export model… as an ONNX model (.onnx)', () => this.exportModel(id, 'onnx')),
      act('act-measure', 'Measure', 'Measure on this machine (CPU, ONNX Runtime)', () => this.measure(id)),
    );
  }

  /** The front table's "measured here" cell of an architecture. */
  measuredCell(id: string): HTMLElement {
    const m = this.measured.get(id);
    return h(
      'td',
      { class: 'measured-here', ...(m ? { title: measuredTitle(m), 'data-ms': m.medianMs } : {}) },
      m ? measuredText(m) : '',
    );
  }

  /** A Save plot… button (the Pareto plot and the HV history, the same picture as llm-nas plot). */
  savePlotButton(id: string): HTMLElement {
    return h(
      'vscode-button',
      {
        id,
        secondary: true,
        title: 'Save the Pareto plot and the HV history as PNG or SVG (the same picture as llm-nas plot)',
        onclick: () => this.savePlot(),
      },
      'Save plot…',
    );
  }

  private exportModel(id: string, format: ModelFormat): void {
    this.setStatus(`exporting ${id}…`, 'busy');
    request({ type: 'model/export', archId: id, format, where: 'dialog' }).then(
      (r) => this.setStatus(r.path ? `${id} exported to ${r.path}` : 'export cancelled'),
      (e: unknown) => this.setStatus(`export of ${id} failed: ${(e as Error).message}`, 'error'),
    );
  }

  private measure(id: string): void {
    this.setStatus(`timing ${id} on this machine…`, 'busy');
    request({ type: 'model/measure', archId: id }).then(
      (m) => {
        this.measured.set(id, m);
        this.setStatus(
          `${id}: ${measuredText(m)} (batch ${m.batch}, ${m.threads} thread, median of ${m.runs})`,
        );
        this.onMeasured();
      },
      (e: unknown) => this.setStatus(`measuring ${id} failed: ${(e as Error).message}`, 'error'),
    );
  }

  private savePlot(): void {
    request({ type: 'plot/save' }).then(
      (r) => {
        if (r.path) this.setStatus(`plot saved to ${r.path}`);
      },
      (e: unknown) => this.setStatus(`saving the plot failed: ${(e as Error).message}`, 'error'),
    );
  }
}
