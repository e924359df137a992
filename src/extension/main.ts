// The extension's working part, loaded by the thin entry (extension.ts) on first use — a command, the Runs view
// or a restored dashboard: the run controller, the Runs tree, the commands, the dashboard serializer, the status
// bar, and the API-key resolver. Loading it loads src/core (the search machinery; onnxruntime-node only ever
// loads in the live evaluator's worker threads), so activation itself stays cheap.

import * as vscode from 'vscode';
import { setExternalLog } from '../core/external/provider.js';
import { setBatchLog } from '../core/batch/select.js';
import { cacheDir, setCacheDir } from '../core/live/cache.js';
import { setApiKeyResolver } from '../core/llm/index.js';
import type { DashboardUiState } from '../protocol.js';
import { createCommands, type CommandHandler } from './commands.js';
import { onSettingsChanged, readSettings, SECRET_API_KEY } from './config.js';
import { RunController } from './controller.js';
import { DashboardPanel, dashboardSerializer } from './dashboard.js';
import { RunsTree } from './tree.js';

export interface LlmNasCore {
  controller: RunController;
  tree: RunsTree;
  commands: Map<string, CommandHandler>;
  serializer: vscode.WebviewPanelSerializer<DashboardUiState>;
  dashboard(): DashboardPanel | undefined;
  lastPerf(): typeof DashboardPanel.lastPerf;
  cacheDir(): string;
}

export function start(context: vscode.ExtensionContext, log: vscode.LogOutputChannel): LlmNasCore {
  // the live evaluator's score cache and the measured ViT latencies go to the extension's own storage folder
  // (the CLI uses $LLM_NAS_CACHE_DIR or ~/.cache/llm-nas); the worker threads get it from the pool
  if (!process.env['LLM_NAS_CACHE_DIR']) setCacheDir(context.globalStorageUri.fsPath);
  const controller = new RunController(log);
  const tree = new RunsTree(controller);
  context.subscriptions.push(controller, tree);
  const commands = createCommands({ context, controller, log, tree });
  // an external evaluator command's stderr goes to the one log channel
  setExternalLog((line) => log.info(`[external evaluator] ${line}`));
  setBatchLog((line) => log.info(line));

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
    const c = m.cluster;
    if (m.runPhase === 'running' && c && c.queued + c.running > 0)
      status.text += ` · waiting on the cluster (${c.queued} queued, ${c.running} running)`;
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

  return {
    controller,
    tree,
    commands,
    serializer,
    dashboard: () => DashboardPanel.current,
    lastPerf: () => DashboardPanel.lastPerf,
    cacheDir,
  };
}
