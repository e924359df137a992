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
  const get = <T>(key: string, dflt: T): T => c.get<T>(key, dflt);
  return {
    llm: {
      endpoint: get('llm.endpoint', 'https://api.openai.com/v1'),
      model: get('llm.model', 'gpt-4o-mini'),
      maxInFlight: get('llm.maxInFlight', 4),
      costCapUsd: get('llm.costCapUsd', 5),
      priceInPer1k: get('llm.priceInPer1k', 0),
      priceOutPer1k: get('llm.priceOutPer1k', 0),
      temperature: get('llm.temperature', 0.7),
      maxOutputTokens: get('llm.maxOutputTokens', 0),
      outputTokensField: get<'max_tokens' | 'max_completion_tokens'>('llm.outputTokensField', 'max_tokens'),
      onEndpointFailure: get<'ask' | 'builtin' | 'pause'>('llm.onEndpointFailure', 'ask'),
    },
    defaults: {
      space: get('defaults.space', 'nb201'),
      dataset: get('defaults.dataset', 'cifar10'),
      devices: get('defaults.devices', ['edgegpu']),
      metric: get<'latency' | 'energy'>('defaults.metric', 'latency'),
      operator: get('defaults.operator', 'builtin'),
      predictor: get('defaults.predictor', 'rank-avg'),
      generations: get('defaults.generations', 10),
      budget: get('defaults.budget', 300),
      seed: get('defaults.seed', 0),
    },
    runsFolder: get('runsFolder', '.llm-nas/runs'),
    showProgressNotification: get('showProgressNotification', true),
  };
}

/** Calls `listener` with fresh settings whenever an llmNas.* setting changes. */
export function onSettingsChanged(listener: (s: LlmNasSettings) => void): vscode.Disposable {
  return vscode.workspace.onDidChangeConfiguration((e) => {
    if (e.affectsConfiguration('llmNas')) listener(readSettings());
  });
}
