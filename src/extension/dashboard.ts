// The dashboard panel host: strict-CSP HTML with a nonce, the ready → snapshot handshake, throttled numbered
// appends (~4 Hz), request/reply handling, knowledge-base saves, and the serializer that restores the panel
// after a window reload (offering to resume a run the reload interrupted).

import crypto from 'node:crypto';
import path from 'node:path';
import * as vscode from 'vscode';
import {
  assertNever,
  DASHBOARD_VIEW_TYPE,
  PROTOCOL_VERSION,
  type DashboardUiState,
  type HostToWebview,
  type KbSection,
  type KbState,
  type PictureFormat,
  type RequestOf,
  type RequestType,
  type ResponseOf,
  type ResultOf,
  type WebviewRequest,
  type WebviewToHost,
} from '../protocol.js';
import type { RunController } from './controller.js';
import { continueWithBuiltin, checkEndpoint, openLlmSettings } from './endpoint-ui.js';
import { KbError, readKbState, saveKb } from './kb.js';
import type { DashboardModel } from './dashboard-model.js';
import { readStepping } from './session.js';

const FLUSH_MS = 250;

/** A handler per request type, given the request and the shown run's model, answering with its reply type. */
type RequestHandlers = {
  [K in RequestType]: (r: RequestOf<K>, model: DashboardModel | undefined) => Promise<ResponseOf<K>>;
};

export interface PerfReport {
  points: number;
  snapshotMs: number;
  appendMs?: number;
}

export class DashboardPanel implements vscode.Disposable {
  static current: DashboardPanel | undefined;
  /** Last render timings the webview reported (read by tests and logged). */
  static lastPerf: PerfReport | undefined;
  private readonly subs: vscode.Disposable[] = [];
  private readonly timer: NodeJS.Timeout;
  private ready = false;
  private revived = false;
  private shownModel: DashboardModel | undefined;
  private kbHash: string | undefined;
  private kbVersionCount = -1;
  private kbPhase: string | undefined;
  /** Sections the panel was given per file hash, the base of a three-way merge on save. */
  private readonly kbBases = new Map<string, KbSection[]>();
  private readonly messageListeners = new Set<(m: HostToWebview) => void>();

  /** SecretStorage, for the panel's Test connection (set by main.ts). */
  static secrets: vscode.SecretStorage | undefined;
  /** When the panel was created or revived, and when its first snapshot was rendered (restore time). */
  private readonly createdAt = performance.now();
  static lastRestoreMs: number | undefined;

  private constructor(
    readonly panel: vscode.WebviewPanel,
    private readonly extensionUri: vscode.Uri,
    private readonly controller: RunController,
    private readonly log: vscode.LogOutputChannel,
  ) {
    panel.webview.options = {
      enableScripts: true,
      localResourceRoots: [
        vscode.Uri.joinPath(extensionUri, 'dist'),
        vscode.Uri.joinPath(extensionUri, 'media'),
      ],
    };
    panel.webview.html = this.html();
    this.subs.push(
      panel.webview.onDidReceiveMessage((m: WebviewToHost) => this.onMessage(m)),
      panel.onDidDispose(() => this.dispose()),
      controller.onDidChange(() => {
        if (this.controller.model !== this.shownModel) this.sendSnapshot();
      }),
    );
    this.timer = setInterval(() => this.flush(), FLUSH_MS);
  }

  static createOrShow(
    extensionUri: vscode.Uri,
    controller: RunController,
    log: vscode.LogOutputChannel,
  ): DashboardPanel {
    if (DashboardPanel.current) {
      DashboardPanel.current.panel.reveal();
      return DashboardPanel.current;
    }
    const panel = vscode.window.createWebviewPanel(
      DASHBOARD_VIEW_TYPE,
      'LLM-NAS Dashboard',
      vscode.ViewColumn.Active,
      { enableScripts: true, retainContextWhenHidden: false },
    );
    DashboardPanel.current = new DashboardPanel(panel, extensionUri, controller, log);
    return DashboardPanel.current;
  }

  /** Re-hosts a panel VS Code restored after a reload. */
  static revive(
    panel: vscode.WebviewPanel,
    extensionUri: vscode.Uri,
    controller: RunController,
    log: vscode.LogOutputChannel,
  ): DashboardPanel {
    DashboardPanel.current?.dispose();
    DashboardPanel.current = new DashboardPanel(panel, extensionUri, controller, log);
    DashboardPanel.current.revived = true;
    return DashboardPanel.current;
  }

  /** Test hook: observe what the host posts. */
  onPost(listener: (m: HostToWebview) => void): vscode.Disposable {
    this.messageListeners.add(listener);
    return new vscode.Disposable(() => this.messageListeners.delete(listener));
  }

  private post(m: HostToWebview): void {
    for (const l of this.messageListeners) l(m);
    this.panel.webview
      .postMessage(m)
      .then(undefined, (e: unknown) => this.log.warn(`postMessage: ${String(e)}`));
  }

  private html(): string {
    const w = this.panel.webview;
    const nonce = crypto.randomBytes(16).toString('base64');
    const js = w.asWebviewUri(vscode.Uri.joinPath(this.extensionUri, 'dist', 'webview.js'));
    const css = w.asWebviewUri(vscode.Uri.joinPath(this.extensionUri, 'media', 'dashboard.css'));
    const csp = [
      "default-src 'none'",
      `img-src ${w.cspSource} data:`,
      `style-src ${w.cspSource}`,
      `font-src ${w.cspSource}`,
      `script-src 'nonce-${nonce}'`,
    ].join('; ');
    return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${css.toString()}">
<title>LLM-NAS Dashboard</title>
</head>
<body>
<main id="app" aria-busy="true"><p class="muted">Loading the dashboard…</p></main>
<script nonce="${nonce}" src="${js.toString()}"></script>
</body>
</html>`;
  }

  private kbState(model: DashboardModel): KbState {
    const { state, problems } = readKbState(model.dir, model.nicheCards());
    if (problems.length) this.log.warn(`knowledge base ${state.file}: ${problems.join('; ')}`);
    this.kbBases.set(state.hash, state.sections);
    if (this.kbBases.size > 20) this.kbBases.delete(this.kbBases.keys().next().value!);
    this.kbHash = state.hash;
    this.kbVersionCount = state.versions.length;
    this.kbPhase = model.runPhase;
    if (model.runPhase === 'completed')
      state.readOnly = 'This run is completed: no generation will read the knowledge base any more.';
    if (model.config.operator === 'builtin') state.unusedByOperator = true;
    return state;
  }

  sendSnapshot(): void {
    if (!this.ready) return;
    const model = this.controller.model;
    this.shownModel = model;
    if (!model) {
      this.post({
        type: 'snapshot',
        protocol: PROTOCOL_VERSION,
        seq: 0,
        state: { niches: [], points: [], front: [], trueFronts: [], history: [], coverage: [], log: [] },
      });
      return;
    }
    const t0 = performance.now();
    const { seq, state } = model.snapshot();
    this.post({
      type: 'snapshot',
      protocol: PROTOCOL_VERSION,
      seq,
      state: { ...state, kb: this.kbState(model) },
    });
    this.log.debug(
      `snapshot of ${state.points.length} points built in ${(performance.now() - t0).toFixed(1)} ms`,
    );
    this.panel.title = `LLM-NAS: ${model.config.id}`;
  }

  /** Posts pending changes (throttled) and notices knowledge-base edits made outside the panel. */
  private flush(): void {
    const model = this.controller.model;
    if (!this.ready || !model) return;
    if (model !== this.shownModel) {
      this.sendSnapshot();
      return;
    }
    const d = model.takeDelta();
    if (d) this.post({ type: 'append', seq: d.seq, delta: d.delta });
    const { state } = readKbState(model.dir, model.nicheCards());
    if (
      state.hash !== this.kbHash ||
      state.versions.length !== this.kbVersionCount ||
      model.runPhase !== this.kbPhase
    )
      this.post({ type: 'kb', kb: this.kbState(model) });
  }

  private onMessage(m: WebviewToHost): void {
    switch (m.type) {
      case 'ready':
        if (m.protocol !== PROTOCOL_VERSION)
          this.log.warn(`webview speaks protocol ${m.protocol}, host ${PROTOCOL_VERSION}`);
        this.ready = true;
        this.sendSnapshot();
        return;
      case 'resync':
        this.log.debug(`webview asked for a snapshot after seq ${m.lastSeq}`);
        this.sendSnapshot();
        return;
      case 'perf':
        if (m.appendMs === undefined && DashboardPanel.lastRestoreMs === undefined && this.revived) {
          DashboardPanel.lastRestoreMs = performance.now() - this.createdAt;
          this.log.info(
            `dashboard restored: first snapshot rendered ${DashboardPanel.lastRestoreMs.toFixed(0)} ms after the panel was revived`,
          );
        }
        DashboardPanel.lastPerf = { points: m.points, snapshotMs: m.snapshotMs, appendMs: m.appendMs };
        this.log.info(
          `dashboard render: ${m.points} points, snapshot ${m.snapshotMs.toFixed(1)} ms` +
            (m.appendMs !== undefined ? `, append ${m.appendMs.toFixed(1)} ms` : ''),
        );
        return;
      case 'request':
        this.handle(m.request).then(
          (result) => this.post({ type: 'reply', id: m.id, ok: true, result }),
          (e: unknown) => {
            const error = e instanceof KbError ? e.problems.join('\n') : ((e as Error)?.message ?? String(e));
            if (!(e instanceof KbError))
              this.log.error(`${m.request.type}: ${(e as Error)?.stack ?? String(e)}`);
            this.post({ type: 'reply', id: m.id, ok: false, error });
          },
        );
        return;
      default:
        assertNever(m);
    }
  }

  /** Handles one request; also callable directly (tests use it to drive the same path as the panel). */
  async handle<R extends WebviewRequest>(r: R): Promise<ResultOf<R>> {
    const model = this.controller.model;
    // one handler per request type (RequestHandlers ties each to its reply type); the cast only picks it by r.type
    const handler = Object.hasOwn(this.handlers, r.type)
      ? (this.handlers[r.type] as (r: R, model: DashboardModel | undefined) => Promise<ResultOf<R>>)
      : undefined;
    if (!handler) return assertNever(r as never);
    return handler(r, model);
  }

  /** The requests' handlers, each answering with its request's reply type (Requests in src/protocol.ts). */
  private readonly handlers: RequestHandlers = {
    'run/control': async (r) => {
      this.controller.control(r.action);
      return { phase: this.controller.model?.runPhase };
    },
    'run/resumeFolder': async (_r, model) => {
      if (!model) throw new Error('no run is shown');
      // through the command: it asks before a folder's command or endpoint is used (src/extension/trust.ts)
      await vscode.commands.executeCommand('llmNas.resumeRunFromFolder', model.dir);
      return {};
    },
    'run/fallbackBuiltin': async (_r, model) => {
      if (!model) throw new Error('no run is shown');
      continueWithBuiltin(this.controller, model.dir);
      return {};
    },
    'settings/open': async (r) => {
      await (r.query === 'llmNas.llm'
        ? openLlmSettings()
        : vscode.commands.executeCommand('workbench.action.openSettings', r.query));
      return {};
    },
    'llm/testConnection': async () => {
      if (!DashboardPanel.secrets) throw new Error('SecretStorage is not available');
      const res = await checkEndpoint(DashboardPanel.secrets);
      this.log.info(`test connection from the panel: ${res.message} (${res.ms} ms)`);
      return res;
    },
    'run/new': async () => {
      await vscode.commands.executeCommand('llmNas.newSearch');
      return {};
    },
    'spec/open': async (r, model) => {
      if (!model) throw new Error('no run is shown');
      if (!/^[\w.-]+$/.test(r.archId)) throw new Error(`not an architecture id: ${r.archId}`);
      const uri = vscode.Uri.file(path.join(model.dir, 'archs', `${r.archId}.json`));
      await vscode.window.showTextDocument(uri, { preview: false, viewColumn: vscode.ViewColumn.Beside });
      return {};
    },
    'kb/openFile': async (_r, model) => {
      if (!model) throw new Error('no run is shown');
      await vscode.window.showTextDocument(vscode.Uri.file(path.join(model.dir, 'knowledge-base.md')), {
        viewColumn: vscode.ViewColumn.Beside,
      });
      return {};
    },
    'kb/save': async (r, model) => {
      if (!model) throw new Error('no run is shown');
      if (model.runPhase === 'completed')
        throw new Error('this run is completed: its knowledge base is read-only');
      const file = path.join(model.dir, 'knowledge-base.md');
      const doc = vscode.workspace.textDocuments.find((d) => d.uri.fsPath === file);
      // never overwrite unsaved typing in an editor: both edits would not survive
      if (doc?.isDirty)
        throw new Error(
          'knowledge-base.md has unsaved changes in an editor: save or revert them, then Save again',
        );
      const base = this.kbBases.get(r.baseHash);
      const res = saveKb(model.dir, r.sections, r.baseHash, base, model.nicheCards(), !doc);
      if (doc) {
        // through the open editor, so it shows the new rules at once (and Undo works there)
        const edit = new vscode.WorkspaceEdit();
        edit.replace(
          doc.uri,
          new vscode.Range(doc.positionAt(0), doc.positionAt(doc.getText().length)),
          res.text,
        );
        if (!(await vscode.workspace.applyEdit(edit)) || !(await saveDocument(doc)))
          throw new Error('could not write knowledge-base.md through its editor');
      }
      this.log.info(`knowledge base saved${res.merged ? ' (merged with an edit of the file)' : ''}`);
      const kb = this.kbState(model);
      this.post({ type: 'kb', kb });
      return { merged: res.merged, hash: kb.hash };
    },
    export: async (r) => {
      await vscode.commands.executeCommand('llmNas.exportFront', r.format);
      return {};
    },
    'model/export': async (r, model) => {
      if (!model) throw new Error('no run is shown');
      const { checkArchId, modelPath } = await import('./dashboard-actions.js');
      const id = checkArchId(r.archId);
      // through the command (the Runs view and spec-file menus use it too); without a file it asks where
      const out = r.where === 'run' ? modelPath(model.dir, id, r.format) : undefined;
      const p = await vscode.commands.executeCommand<string | undefined>(
        'llmNas.exportModel',
        { dir: model.dir, id },
        undefined,
        r.format,
        out,
      );
      return p ? { path: p } : {};
    },
    'model/measure': async (r, model) => {
      if (!model) throw new Error('no run is shown');
      const { checkArchId, measuredHere } = await import('./dashboard-actions.js');
      const id = checkArchId(r.archId);
      const m = await vscode.commands.executeCommand<Parameters<typeof measuredHere>[1] | undefined>(
        'llmNas.measureModel',
        { dir: model.dir, id },
      );
      if (!m) throw new Error(`${id} was not measured`);
      return measuredHere(id, m);
    },
    'plot/save': async (r, model) => {
      if (!model) throw new Error('no run is shown');
      return this.savePlot(model.dir, r.format, r.where);
    },
    'plot/overlay': async (r, model) => {
      if (!model) throw new Error('no run is shown');
      const { overlayCandidates, overlayFronts } = await import('./dashboard-actions.js');
      let dirs = r.dirs;
      if (!dirs) {
        const cands = overlayCandidates(model.dir);
        if (!cands.length)
          throw new Error(
            `no other run of ${model.config.space}/${model.config.dataset} beside ${model.dir} to overlay`,
          );
        const picks = await vscode.window.showQuickPick(
          cands.map((c) => ({ label: c.name, description: c.dir, dir: c.dir })),
          { title: 'LLM-NAS: overlay the fronts of these runs', canPickMany: true },
        );
        if (!picks) return {};
        dirs = picks.map((p) => p.dir);
      }
      const runs = await overlayFronts(model.dir, dirs);
      this.log.info(
        `plot overlay: ${runs.map((o) => `${o.name} (${o.front.length} on its front)`).join(', ') || 'none'}`,
      );
      return { runs };
    },
  };

  /** The run's plot as a picture (the CLI's renderer), to <run>/plots/ or where a save dialog says. */
  private async savePlot(
    dir: string,
    format0?: PictureFormat,
    where0?: 'dialog' | 'run',
  ): Promise<{ path?: string }> {
    const { plotPath, writeRunPlot } = await import('./dashboard-actions.js');
    let format = format0;
    let where = where0;
    if (!format || !where) {
      const pick = await vscode.window.showQuickPick(
        (['png', 'svg'] as const).flatMap((f) => [
          {
            label: `${f.toUpperCase()} to the run folder`,
            description: plotPath(dir, f),
            f,
            w: 'run' as const,
          },
          { label: `${f.toUpperCase()}…`, description: 'choose where', f, w: 'dialog' as const },
        ]),
        { title: 'LLM-NAS: save the Pareto plot and the HV history' },
      );
      if (!pick) return {};
      format = pick.f;
      where = pick.w;
    }
    let out: string | undefined = plotPath(dir, format);
    if (where === 'dialog')
      out = (
        await vscode.window.showSaveDialog({
          defaultUri: vscode.Uri.file(out),
          filters: format === 'svg' ? { SVG: ['svg'] } : { PNG: ['png'] },
        })
      )?.fsPath;
    if (!out) return {};
    const bytes = await writeRunPlot([dir], format, out);
    this.log.info(`plot of ${dir} saved as ${format.toUpperCase()} to ${out} (${bytes} bytes)`);
    return { path: out };
  }

  dispose(): void {
    clearInterval(this.timer);
    if (DashboardPanel.current === this) DashboardPanel.current = undefined;
    for (const d of this.subs.splice(0)) d.dispose();
    this.messageListeners.clear();
    this.panel.dispose();
  }
}

/** Restores the dashboard after a window reload and offers to resume the run the reload interrupted. */
export function dashboardSerializer(
  extensionUri: vscode.Uri,
  controller: RunController,
  log: vscode.LogOutputChannel,
): vscode.WebviewPanelSerializer<DashboardUiState> {
  return {
    async deserializeWebviewPanel(panel, state) {
      const dir = state?.runDir;
      log.info(`restoring the dashboard${dir ? ` for ${dir}` : ''}`);
      let model: DashboardModel | undefined;
      if (dir && !controller.live?.active) {
        try {
          model = controller.view(dir);
        } catch (e) {
          controller.logError(`restoring ${dir}`, e);
        }
      }
      // the panel first (it renders the folder's state at once); the resume offer after one poll of the folder,
      // so a run another process is writing is followed, not offered
      DashboardPanel.revive(panel, extensionUri, controller, log);
      if (!model || !dir) return;
      await new Promise((r) => setTimeout(r, 700));
      const phase = model.runPhase;
      if (controller.live?.active || !(phase === 'interrupted' || phase === 'stopped' || phase === 'failed'))
        return;
      const stepping = readStepping(dir);
      void vscode.window
        .showInformationMessage(
          `LLM-NAS run ${model.config.id} was ${phase === 'failed' ? 'stopped by an error' : 'interrupted'} after ${model.evaluations} evaluations${stepping ? ' (step mode)' : ''}. Resume it?`,
          'Resume',
        )
        // through the command: it asks before a folder's command or endpoint is used (src/extension/trust.ts)
        .then((pick) =>
          pick === 'Resume' ? vscode.commands.executeCommand('llmNas.resumeRunFromFolder', dir) : undefined,
        )
        .then(undefined, (e: unknown) => controller.logError('resume after reload', e));
    },
  };
}

/**
 * Saves an open document. Under load code-server's save can come back false with the editor still dirty (a
 * cancelled save, seen in the extension-host tests); it is tried again after a second, at most three times.
 */
async function saveDocument(doc: vscode.TextDocument): Promise<boolean> {
  for (let attempt = 1; ; attempt++) {
    if ((await doc.save()) || !doc.isDirty) return true;
    if (attempt === 3) return false;
    await new Promise((r) => setTimeout(r, 1000));
  }
}
