// Extension entry point. Thin VS Code glue: everything the commands do goes through src/core.

import * as vscode from 'vscode';

export function activate(context: vscode.ExtensionContext): void {
  const log = vscode.window.createOutputChannel('LLM-NAS', { log: true });
  context.subscriptions.push(log);
  log.info('LLM-NAS activated');
}

export function deactivate(): void {}
