// The editor's side of an LLM endpoint problem: the Test Connection check with its result shown, and what
// happens when a run's endpoint fails mid-run (llmNas.llm.onEndpointFailure): ask, continue the same run with
// the built-in operator, or leave it paused (resumable; Resume then takes the current settings).

import * as vscode from 'vscode';
import type { ConnectionResult } from '../protocol.js';
import { readSettings, SECRET_API_KEY } from './config.js';
import type { RunController } from './controller.js';
import { testConnection, withBuiltinOperator } from './endpoint.js';

export const OPEN_SETTINGS = 'Open Settings';
export const TEST_CONNECTION = 'Test Connection';
export const USE_BUILTIN = 'Use Built-in Operator';
export const RESUME = 'Resume';

export function openLlmSettings(): Thenable<unknown> {
  return vscode.commands.executeCommand('workbench.action.openSettings', 'llmNas.llm');
}

/** Checks the endpoint of the current settings (the API key from SecretStorage). */
export async function checkEndpoint(secrets: vscode.SecretStorage): Promise<ConnectionResult> {
  const s = readSettings().llm;
  return testConnection(s.endpoint, s.model, await secrets.get(SECRET_API_KEY));
}

/** Test Connection with its result in a notification (and the log); failures offer the settings. */
export async function showConnectionTest(
  secrets: vscode.SecretStorage,
  log: vscode.LogOutputChannel,
): Promise<ConnectionResult> {
  const r = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: 'LLM-NAS: testing the LLM endpoint…' },
    () => checkEndpoint(secrets),
  );
  log.info(`test connection: ${r.ok ? 'ok' : 'failed'} in ${r.ms} ms: ${r.message}`);
  if (r.ok) void vscode.window.showInformationMessage(`LLM-NAS: ${r.message} (${r.ms} ms)`);
  else
    void vscode.window
      .showErrorMessage(`LLM-NAS: ${r.message}`, OPEN_SETTINGS)
      .then((a) => (a === OPEN_SETTINGS ? openLlmSettings() : undefined));
  return r;
}

/** Continues a failed run's folder with the built-in operator (the LLM options are dropped from config.json). */
export function continueWithBuiltin(controller: RunController, dir: string): void {
  controller.resumeFolder(dir, {
    rewrite: (c) => ({ config: withBuiltinOperator(c), why: 'the LLM endpoint failed: built-in operator' }),
  });
}

/** Installs the mid-run endpoint-failure policy on the controller. */
export function installEndpointFailurePolicy(
  controller: RunController,
  secrets: vscode.SecretStorage,
  log: vscode.LogOutputChannel,
): void {
  controller.onEndpointFailure = (dir, message) => {
    const policy = readSettings().llm.onEndpointFailure;
    log.warn(`LLM endpoint failure (${policy}): ${message}`);
    if (policy === 'builtin') {
      continueWithBuiltin(controller, dir);
      void vscode.window
        .showWarningMessage(
          `LLM-NAS: ${message} — the run continues with the built-in operator (llmNas.llm.onEndpointFailure).`,
          OPEN_SETTINGS,
        )
        .then((a) => (a === OPEN_SETTINGS ? openLlmSettings() : undefined));
      return;
    }
    const actions =
      policy === 'pause'
        ? [OPEN_SETTINGS, TEST_CONNECTION, RESUME]
        : // three actions fit the toast unclipped; Test Connection is in the panel's error bar and the palette
          [USE_BUILTIN, OPEN_SETTINGS, RESUME];
    void vscode.window
      .showErrorMessage(
        `LLM-NAS: ${message} The run stopped and can be resumed: fix the endpoint and Resume, or continue without the LLM.`,
        ...actions,
      )
      .then(async (a) => {
        if (a === OPEN_SETTINGS) await openLlmSettings();
        else if (a === TEST_CONNECTION) await showConnectionTest(secrets, log);
        else if (a === USE_BUILTIN) continueWithBuiltin(controller, dir);
        else if (a === RESUME) controller.resumeFolder(dir);
      })
      .then(undefined, (e: unknown) => controller.logError('endpoint failure action', e));
  };
}
