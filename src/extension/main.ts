// The extension's working part, loaded by the thin entry (extension.ts) on first use — a command, the Runs view
// or a restored dashboard: the run controller, the Runs tree, the commands, the dashboard serializer, the status
// bar, and the API-key resolver. Loading it loads src/core (the search machinery; onnxruntime-node only ever
// loads in the live evaluator's worker threads), so activation itself stays cheap.

import * as vscode from 'vscode';
import { setExternalLog } from '../core/external/provider.js';
import { setBatchLog } from '../core/batch/select.js';
import { cacheDir, setCacheDir } from '../core/engine/cache.js';
import type { DashboardUiState } from '../protocol.js';
import { createCommands, type CommandHandler } from './commands.js';
import { onSettingsChanged, readSettings, SECRET_API_KEY } from './config.js';
import { RunController } from './controller.js';
import { withCurrentLlmSettings } from './endpoint.js';
import { installEndpointFailurePolicy } from './endpoint-ui.js';
import { formatDuration } from './pickers.js';
import { DashboardPanel, dashboardSerializer } from './dashboard.js';
import { RunsTree } from './tree.js';
import { ExtensionTrust, redactingLog } from './trust.js';

export interface LlmNasCore {
  controller: RunController;
  tree: RunsTree;
  commands: Map<string, CommandHandler>;
  serializer: vscode.WebviewPanelSerializer<DashboardUiState>;
  dashboard(): DashboardPanel | undefined;
  lastPerf(): typeof DashboardPanel.lastPerf;
  cacheDir(): string;
  /** Approvals of run folders' / space files' commands and endpoints. */
  trust: ExtensionTrust;
}

export function start(context: vscode.ExtensionContext, channel: vscode.LogOutputChannel): LlmNasCore {
  // the key (SecretStorage) and Bearer tokens never reach the log, whatever a server echoes (docs/security.md)
  let apiKey: string | undefined;
  const log = redactingLog(channel, () => [apiKey]);
  const trust = new ExtensionTrust(undefined, log);
  // the live evaluator's score cache and the measured ViT latencies go to the extension's own storage folder
  // (the CLI uses $LLM_NAS_CACHE_DIR or ~/.cache/llm-nas); the worker threads get it from the pool
  if (!process.env['LLM_NAS_CACHE_DIR']) setCacheDir(context.globalStorageUri.fsPath);
  const controller = new RunController(log);
  // Resume takes the current LLM settings (not the endpoint frozen in config.json) and a failing endpoint
  // offers its fixes instead of a dead end
  controller.defaultRewrite = (c) => {
    const r = withCurrentLlmSettings(c, readSettings().llm);
    return r.changed.length
      ? { config: r.config, why: `current LLM settings: ${r.changed.join(', ')}` }
      : undefined;
  };
  installEndpointFailurePolicy(controller, context.secrets, log);
  const tree = new RunsTree(controller);
  context.subscriptions.push(controller, tree);
  const commands = createCommands({ context, controller, log, tree, trust });
  // an external evaluator command's stderr goes to the one log channel
  setExternalLog((line) => log.info(`[external evaluator] ${line}`));
  setBatchLog((line) => log.info(line));

  // the LLM client asks for the key synchronously: keep SecretStorage's value in memory, fall back to the env
  const loadKey = (): void => {
    context.secrets.get(SECRET_API_KEY).then(
      (k) => (apiKey = k),
      (e: unknown) => log.warn(`SecretStorage: ${String(e)}`),
    );
  };
  loadKey();
  context.subscriptions.push(context.secrets.onDidChange((e) => e.key === SECRET_API_KEY && loadKey()));
  // the stored key goes only to the settings' endpoint; a folder's endpoint gets a key only once approved
  // LEAD: pass this resolver as HostEnv.apiKeyFor: `apiKeyFor: (s) => trust.keyFor(s, apiKey)` (an ApiKeyResolver,
  // src/core/env.ts); until then runs the extension starts read the key from the environment variable only
  const serializer = dashboardSerializer(context.extensionUri, controller, log);
  DashboardPanel.secrets = context.secrets;

  // status bar: the current run's progress; click opens the dashboard
  const status = vscode.window.createStatusBarItem('llmNas.status', vscode.StatusBarAlignment.Left, 50);
  status.name = 'LLM-NAS';
  status.command = 'llmNas.openDashboard';
  let pending: NodeJS.Timeout | undefined;
  // `when` clauses of the run commands (palette and menus): what a command needs is there
  const contextKeys = { hasRun: undefined as boolean | undefined, active: undefined as boolean | undefined };
  const setContext = (key: 'hasRun' | 'active', v: boolean): void => {
    if (contextKeys[key] === v) return;
    contextKeys[key] = v;
    void vscode.commands.executeCommand(
      'setContext',
      `llmNas.${key === 'hasRun' ? 'hasRun' : 'runActive'}`,
      v,
    );
  };
  const paint = (): void => {
    pending = undefined;
    const m = controller.model;
    setContext('hasRun', !!m);
    const live = controller.live;
    setContext('active', !!live?.active);
    void vscode.commands.executeCommand('setContext', 'llmNas.runPhase', live?.active ? m?.runPhase : '');
    if (!m) return status.hide();
    const s = m.summary();
    const icon =
      s.phase === 'running' || s.phase === 'pausing'
        ? '$(sync~spin)'
        : s.phase === 'paused'
          ? '$(debug-pause)'
          : s.phase === 'failed'
            ? '$(error)'
            : '$(beaker)';
    const eta =
      s.secondsPerEvaluation !== undefined && (s.phase === 'running' || s.phase === 'pausing')
        ? ` · ETA ${formatDuration(s.secondsPerEvaluation * Math.max(0, s.budget - s.evaluations))}`
        : '';
    status.text = `${icon} LLM-NAS ${Math.max(0, s.generation + 1)}/${s.generations} generations · ${s.evaluations}/${s.budget}${eta}`;
    status.tooltip = `Run ${m.config.id}: ${s.phase}; ${Math.max(0, s.generation + 1)} of ${s.generations} generations done (numbered from 0), ${s.evaluations} of ${s.budget} evaluated${s.secondsPerEvaluation !== undefined ? `, ${s.secondsPerEvaluation.toFixed(2)} s per evaluation` : ''}. Click to open the dashboard.`;
    const c = m.cluster;
    if ((s.phase === 'running' || s.phase === 'pausing') && c && c.queued + c.running > 0)
      status.text += ` · waiting on the cluster (${c.queued} queued, ${c.running} running)`;
    status.show();
  };
  paint();
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
    trust,
  };
}
