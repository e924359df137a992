// Typed access to the extension's settings (contributes.configuration "llmNas.*"); the one place that reads
// them. Secrets never live here: the API key is in SecretStorage (see SECRET_API_KEY).

import * as vscode from 'vscode';

export const SECRET_API_KEY = 'llmNas.apiKey';

export interface LlmNasSettings {
  llm: { endpoint: string; model: string; maxInFlight: number; costCapUsd: number };
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
