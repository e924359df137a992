// Extension entry point, kept thin so activation is cheap: it registers the contributed commands, the Runs view
// and the dashboard serializer, and loads the working part (main.ts → dist/extension-main.js, which brings in
// src/core) the first time one of them is used. Activation itself is lazy too: on a command, the Runs view, or a
// dashboard restored after a reload.

import path from 'node:path';
import * as vscode from 'vscode';
import { DASHBOARD_VIEW_TYPE, type DashboardUiState } from '../protocol.js';
import type * as Main from './main.js';

/** What activate() returns: handles for the extension-host tests (the getters load the working part). */
export interface LlmNasApi {
  activationMs: number;
  /** Time to load the working part, once it has been loaded. */
  readonly coreLoadMs: number | undefined;
  readonly controller: Main.LlmNasCore['controller'];
  readonly tree: Main.LlmNasCore['tree'];
  readonly serializer: vscode.WebviewPanelSerializer<DashboardUiState>;
  dashboard(): ReturnType<Main.LlmNasCore['dashboard']>;
  lastPerf(): ReturnType<Main.LlmNasCore['lastPerf']>;
  /** The live evaluator's cache folder (score cache, measured ViT latencies). */
  cacheDir(): string;
  /** The trust store and approvals (docs/security.md). */
  readonly trust: Main.LlmNasCore['trust'];
}

export function activate(context: vscode.ExtensionContext): LlmNasApi {
  const t0 = performance.now();
  const log = vscode.window.createOutputChannel('LLM-NAS', { log: true });
  context.subscriptions.push(log);
  let core: Main.LlmNasCore | undefined;
  let coreLoadMs: number | undefined;
  const treeChanged = new vscode.EventEmitter<unknown>();
  const load = (): Main.LlmNasCore => {
    if (!core) {
      const t = performance.now();
      // a computed path: esbuild leaves it alone, so the working part stays a separate bundle
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const main = require(path.join(__dirname, 'extension-main.js')) as typeof Main;
      core = main.start(context, log);
      context.subscriptions.push(core.tree.onDidChangeTreeData((e) => treeChanged.fire(e)));
      coreLoadMs = performance.now() - t;
      log.info(`LLM-NAS core loaded in ${coreLoadMs.toFixed(1)} ms`);
    }
    return core;
  };

  const contributed = (context.extension.packageJSON as { contributes: { commands: { command: string }[] } })
    .contributes.commands;
  for (const { command } of contributed)
    context.subscriptions.push(
      vscode.commands.registerCommand(command, (...args: never[]) => {
        const run = load().commands.get(command);
        if (!run) throw new Error(`command ${command} has no implementation`);
        return run(...args);
      }),
    );
  type Node = Parameters<Main.LlmNasCore['tree']['getTreeItem']>[0];
  const lazyTree: vscode.TreeDataProvider<Node> = {
    onDidChangeTreeData: treeChanged.event as vscode.Event<Node | undefined>,
    getTreeItem: (n) => load().tree.getTreeItem(n),
    getChildren: (n) => load().tree.getChildren(n),
  };
  context.subscriptions.push(
    treeChanged,
    vscode.window.createTreeView('llmNas.runs', { treeDataProvider: lazyTree, showCollapseAll: true }),
  );
  const serializer: vscode.WebviewPanelSerializer<DashboardUiState> = {
    deserializeWebviewPanel: (panel, state) => load().serializer.deserializeWebviewPanel(panel, state),
  };
  context.subscriptions.push(vscode.window.registerWebviewPanelSerializer(DASHBOARD_VIEW_TYPE, serializer));

  const activationMs = performance.now() - t0;
  log.info(`LLM-NAS activated in ${activationMs.toFixed(1)} ms`);
  return {
    activationMs,
    get coreLoadMs() {
      return coreLoadMs;
    },
    get controller() {
      return load().controller;
    },
    get tree() {
      return load().tree;
    },
    serializer,
    dashboard: () => load().dashboard(),
    lastPerf: () => load().lastPerf(),
    cacheDir: () => load().cacheDir(),
    get trust() {
      return load().trust;
    },
  };
}

export function deactivate(): void {}
