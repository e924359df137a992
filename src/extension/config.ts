// Typed access to the extension's settings (contributes.configuration "llmNas.*"); the one place that reads
// them. Secrets never live here: the API key is in SecretStorage (see SECRET_API_KEY).

import * as vscode from 'vscode';

export const SECRET_API_KEY = 'llmNas.apiKey';

export interface LlmNasSettings {
  llm: {
    endpoint: string;
    model: string;
    maxInFlight: number;
    costCapUsd: number;
    /** USD per 1,000 prompt / completion tokens (0: unknown, the cost cap cannot act). */
    priceInPer1k: number;
    priceOutPer1k: number;
    temperature: number;
    /** 0: no limit sent. */
    maxOutputTokens: number;
    outputTokensField: 'max_tokens' | 'max_completion_tokens';
    /** When the endpoint fails mid-run: ask, continue with the built-in operator, or pause (resumable). */
    onEndpointFailure: 'ask' | 'builtin' | 'pause';
  };
  defaults: {
    space: string;
    dataset: string;
    devices: string[];
    metric: 'latency' | 'energy';
    operator: string;
    predictor: string;
    generations: number;
    budget: number;
    seed: number;
  };
  runsFolder: string;
  showProgressNotification: boolean;
}

export function readSettings(): LlmNasSettings {
  const c = vscode.workspace.getConfiguration('llmNas');
  // package.json's contributes.configuration is the one source of every default (VS Code answers with it when
  // the user set nothing); test/unit/settings-defaults.test.ts checks they agree with the core's own defaults
  const get = <T>(key: string): T => c.get<T>(key) as T;
  return {
    llm: {
      endpoint: get('llm.endpoint'),
      model: get('llm.model'),
      maxInFlight: get('llm.maxInFlight'),
      costCapUsd: get('llm.costCapUsd'),
      priceInPer1k: get('llm.priceInPer1k'),
      priceOutPer1k: get('llm.priceOutPer1k'),
      temperature: get('llm.temperature'),
      maxOutputTokens: get('llm.maxOutputTokens'),
      outputTokensField: get<'max_tokens' | 'max_completion_tokens'>('llm.outputTokensField'),
      onEndpointFailure: get<'ask' | 'builtin' | 'pause'>('llm.onEndpointFailure'),
    },
    defaults: {
      space: get('defaults.space'),
      dataset: get('defaults.dataset'),
      devices: get('defaults.devices'),
      metric: get<'latency' | 'energy'>('defaults.metric'),
      operator: get('defaults.operator'),
      predictor: get('defaults.predictor'),
      generations: get('defaults.generations'),
      budget: get('defaults.budget'),
      seed: get('defaults.seed'),
    },
    runsFolder: get('runsFolder'),
    showProgressNotification: get('showProgressNotification'),
  };
}

/** Calls `listener` with fresh settings whenever an llmNas.* setting changes. */
export function onSettingsChanged(listener: (s: LlmNasSettings) => void): vscode.Disposable {
  return vscode.workspace.onDidChangeConfiguration((e) => {
    if (e.affectsConfiguration('llmNas')) listener(readSettings());
  });
}
