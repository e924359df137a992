// VS Code's side of the trust model (src/core/trust.ts, docs/security.md). A run folder's or a space file's
// command runs, and its LLM endpoint gets a key, only with the user's approval: in a workspace that is not trusted
// (Restricted Mode) never; otherwise after a modal that shows exactly what would run or where the key would go
// ("Run once", "Always for this folder"). Approvals are kept in the same store as the CLI's, outside the folder.
// The key in SecretStorage goes only to the endpoint in the user's settings.

import * as vscode from 'vscode';
import type { LlmSettings } from '../core/llm/settings.js';
import { RunStore, type RunConfig } from '../core/runstore.js';
import {
  apiKeyFor,
  configTrustItems,
  defaultTrustFile,
  definitionTrustItems,
  sameEndpoint,
  TrustStore,
  trustTarget,
  unapproved,
  type TrustItem,
} from '../core/trust.js';
import { DEFAULT_SETTINGS } from '../core/llm/settings.js';
import { redactingProxy } from '../core/redact.js';
import { readSettings } from './config.js';
import { withCurrentLlmSettings } from './endpoint.js';

const pairKey = (e: { baseURL: string; apiKeyEnv: string }): string => `${e.baseURL}\0${e.apiKeyEnv}`;

export class ExtensionTrust {
  /** Endpoint + key-variable pairs approved in this window ("Run once" or from the store). */
  private readonly endpoints = new Set<string>();

  constructor(
    readonly store: TrustStore = new TrustStore(process.env['LLM_NAS_TRUST_FILE'] || defaultTrustFile()),
    private readonly log?: vscode.LogOutputChannel,
  ) {}

  /** The user's own endpoint (settings) with the default key variable needs no approval. */
  private needsApproval(items: readonly TrustItem[]): TrustItem[] {
    const mine = readSettings().llm.endpoint;
    return items.filter(
      (i) =>
        !(
          i.kind === 'endpoint' &&
          sameEndpoint(i.endpoint!.baseURL, mine) &&
          i.endpoint!.apiKeyEnv === DEFAULT_SETTINGS.apiKeyEnv
        ),
    );
  }

  private async ask(target: string, what: 'folder' | 'file', items: readonly TrustItem[]): Promise<boolean> {
    const all = this.needsApproval(items);
    const missing = unapproved(target, all, this.store);
    const allow = (): true => {
      for (const i of all) if (i.endpoint) this.endpoints.add(pairKey(i.endpoint));
      return true;
    };
    if (!missing.length) return allow();
    const lines = missing.map((i) => `• ${i.describe}`).join('\n');
    if (!vscode.workspace.isTrusted) {
      this.log?.warn(`refused in Restricted Mode: ${target} asks to\n${lines}`);
      void vscode.window.showErrorMessage(
        `LLM-NAS: this workspace is not trusted, so the ${what} ${target} may not run its command or use its LLM endpoint. Trust the workspace (Manage Workspace Trust) to be asked.`,
      );
      return false;
    }
    const once = 'Run once';
    const always = `Always for this ${what}`;
    const pick = await vscode.window.showWarningMessage(
      `LLM-NAS: the ${what} ${target} asks to:`,
      {
        modal: true,
        detail: `${lines}\n\nOnly continue if you trust where this ${what} came from. "${always}" records this exact value in ${this.store.file} (outside the ${what}).`,
      },
      once,
      always,
    );
    if (pick === always) this.store.approve(target, missing);
    if (pick === once || pick === always) {
      this.log?.info(`approved (${pick}) for ${target}:\n${lines}`);
      return allow();
    }
    this.log?.info(`not approved for ${target}; nothing run`);
    return false;
  }

  /** Before resuming a run from `dir`: true when its command / endpoint may be used. */
  approveRunFolder(dir: string): Promise<boolean> {
    // Resume runs the folder with the current LLM settings (endpoint, model…: the controller's rewrite), so the
    // endpoint asked about is the one that will be used; a folder's own key variable still needs approval
    const config = withCurrentLlmSettings(RunStore.open(dir).readConfig(), readSettings().llm).config;
    return this.ask(trustTarget(dir), 'folder', configTrustItems(config));
  }

  /** Before using a space file's evaluator.command. */
  approveSpaceFile(file: string, definition: unknown): Promise<boolean> {
    return this.ask(trustTarget(file), 'file', definitionTrustItems(definition));
  }

  /** A run started here: its own command and endpoint (chosen by the user) are approved for its folder. */
  approveOwnRun(dir: string, config: RunConfig): void {
    const items = this.needsApproval(configTrustItems(config));
    this.store.approve(dir, items);
    for (const i of items) if (i.endpoint) this.endpoints.add(pairKey(i.endpoint));
  }

  /** The key for an LLM call (the client's key resolver). */
  keyFor(s: Pick<LlmSettings, 'baseURL' | 'apiKeyEnv'>, storedKey: string | undefined): string | undefined {
    return apiKeyFor(s, {
      userEndpoint: readSettings().llm.endpoint,
      storedKey,
      env: process.env,
      approved: (e) => this.endpoints.has(pairKey(e)),
    });
  }
}

/** The log channel with secrets (the stored key, Bearer tokens) removed from every line. */
export function redactingLog(
  log: vscode.LogOutputChannel,
  secrets: () => (string | undefined)[],
): vscode.LogOutputChannel {
  return redactingProxy(
    log,
    ['trace', 'debug', 'info', 'warn', 'error', 'append', 'appendLine', 'replace'],
    secrets,
  );
}
