// Extension entry point. Thin VS Code glue: everything the commands do goes through src/core.
// Activation is lazy (on a command, the Runs view, or a restored dashboard) and cheap: the benchmark table and
// the search machinery load on the first run or the first opened run folder.

import * as vscode from 'vscode';
import { DASHBOARD_VIEW_TYPE, type DashboardUiState } from '../protocol.js';
import { registerCommands } from './commands.js';
import { setApiKeyResolver } from '../core/llm/index.js';
import { onSettingsChanged, readSettings, SECRET_API_KEY } from './config.js';
import { RunController } from './controller.js';
import { DashboardPanel, dashboardSerializer } from './dashboard.js';
import { RunsTree } from './tree.js';

/** What activate() returns: handles for the extension-host tests. */
export interface LlmNasApi {
  controller: RunController;
  tree: RunsTree;
  activationMs: number;
  serializer: vscode.WebviewPanelSerializer<DashboardUiState>;
  dashboard(): DashboardPanel | undefined;
  lastPerf(): typeof DashboardPanel.lastPerf;
}

export function activate(context: vscode.ExtensionContext): LlmNasApi {
  const t0 = performance.now();
  const log = vscode.window.createOutputChannel('LLM-NAS', { log: true });
  const controller = new RunController(log);
  const tree = new RunsTree(controller);
  context.subscriptions.push(log, controller, tree);
  context.subscriptions.push(
    vscode.window.createTreeView('llmNas.runs', { treeDataProvider: tree, showCollapseAll: true }),
  );
  registerCommands({ context, controller, log, tree });

  // the LLM client asks for the key synchronously: keep SecretStorage's value in memory, fall back to the env
  let apiKey: string | undefined;
  const loadKey = (): void => {
    context.secrets.get(SECRET_API_KEY).then(
      (k) => (apiKey = k),
      (e: unknown) => log.warn(`SecretStorage: ${String(e)}`),
    );
  };
  loadKey();
  context.subscriptions.push(context.secrets.onDidChange((e) => e.key === SECRET_API_KEY && loadKey()));
  setApiKeyResolver((s) => apiKey ?? process.env[s.apiKeyEnv]);
  const serializer = dashboardSerializer(context.extensionUri, controller, log);
  context.subscriptions.push(vscode.window.registerWebviewPanelSerializer(DASHBOARD_VIEW_TYPE, serializer));

  // status bar: the current run's progress; click opens the dashboard
  const status = vscode.window.createStatusBarItem('llmNas.status', vscode.StatusBarAlignment.Left, 50);
  status.name = 'LLM-NAS';
  status.command = 'llmNas.openDashboard';
  let pending: NodeJS.Timeout | undefined;
  const paint = (): void => {
    pending = undefined;
    const m = controller.model;
    if (!m) return status.hide();
    const icon =
      m.runPhase === 'running' ? '$(sync~spin)' : m.runPhase === 'paused' ? '$(debug-pause)' : '$(beaker)';
    status.text = `${icon} LLM-NAS gen ${Math.max(0, m.generation + 1)}/${m.config.generations} · ${m.evaluations}/${m.config.budget}`;
    status.tooltip = `Run ${m.config.id}: ${m.runPhase}. Click to open the dashboard.`;
    status.show();
  };
  context.subscriptions.push(
    status,
    controller.onDidChange(() => {
      pending ??= setTimeout(paint, 250);
    }),
    // settings are read fresh by every command; the tree depends on the runs folder
    onSettingsChanged((st) => {
      log.info(`settings changed (runs folder ${st.runsFolder})`);
      tree.refresh();
    }),
    new vscode.Disposable(() => pending && clearTimeout(pending)),
  );
  const runsWatcher = vscode.workspace.createFileSystemWatcher(
    `**/${readSettings().runsFolder}/*/config.json`,
  );
  context.subscriptions.push(
    runsWatcher,
    runsWatcher.onDidCreate(() => tree.refreshSoon()),
    runsWatcher.onDidDelete(() => tree.refreshSoon()),
  );

  const activationMs = performance.now() - t0;
  log.info(`LLM-NAS activated in ${activationMs.toFixed(1)} ms`);
  return {
    controller,
    tree,
    activationMs,
    serializer,
    dashboard: () => DashboardPanel.current,
    lastPerf: () => DashboardPanel.lastPerf,
  };
}

export function deactivate(): void {}
