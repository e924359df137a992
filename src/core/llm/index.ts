// The LLM operator's factory ("llm", passed to the registry by the composition root) and the turning of a run
// config's operatorOptions (endpoint, model, sampling, limits, prices, budget — never the API key, only the name
// of the variable holding it) into its options; the public face of src/core/llm.

import fs from 'node:fs';
import { ConfigError } from '../errors.js';
import type { OperatorFactory } from '../provider.js';
import type { RunConfig } from '../runstore.js';
import { DEFAULT_OPERATOR_OPTIONS, LlmOperator, type LlmOperatorOptions } from './operator.js';
import {
  llmEndpointFrom,
  llmSettingsFrom,
  numberOption,
  stringOption,
  type LlmSettings,
} from './settings.js';

export { LlmOperator } from './operator.js';
export { LlmClient } from './client.js';
export { LlmError } from './errors.js';
export type { LlmRecord } from './record.js';
export { readLlmLog, ReplayTransport } from './replay.js';
export { summarize, type Spend } from './spend.js';

/** What operatorOptions may hold for the LLM operator (all optional; defaults in DEFAULT_SETTINGS). */
export interface LlmOperatorConfig {
  baseURL?: string;
  model?: string;
  temperature?: number;
  maxInflight?: number;
  timeoutMs?: number;
  maxRetries?: number;
  structured?: LlmSettings['structured'];
  maxOutputTokens?: number;
  outputTokensField?: LlmSettings['outputTokensField'];
  priceIn?: number;
  priceOut?: number;
  maxCost?: number;
  maxTokens?: number;
  apiKeyEnv?: string;
  crossoverProbability?: number;
  kbUpdate?: boolean;
  maxRules?: number;
  spare?: number;
  promptsDir?: string;
  memoryTokens?: number;
  maxPromptTokens?: number;
}

/** Validated LLM operator options from a run config. */
export function llmOptionsFrom(config: Pick<RunConfig, 'operatorOptions'>): LlmOperatorOptions {
  const o = (config.operatorOptions ?? {}) as Record<string, unknown>;
  const num = (k: string, min: number, max = Infinity, integer = false): number | undefined =>
    numberOption(o, k, min, max, integer);
  const endpoint = llmEndpointFrom(o);
  const promptsDir = stringOption(o, 'promptsDir');
  if (promptsDir && !fs.existsSync(promptsDir))
    throw new ConfigError(`prompts folder ${promptsDir} does not exist`);
  const settings = llmSettingsFrom(o, endpoint);
  const kbUpdate = o['kbUpdate'];
  if (kbUpdate !== undefined && typeof kbUpdate !== 'boolean')
    throw new ConfigError('operatorOptions.kbUpdate must be true or false');
  return {
    settings,
    crossoverProbability: num('crossoverProbability', 0, 1) ?? DEFAULT_OPERATOR_OPTIONS.crossoverProbability,
    kbUpdate: kbUpdate ?? DEFAULT_OPERATOR_OPTIONS.kbUpdate,
    maxRules: num('maxRules', 1, 50, true) ?? DEFAULT_OPERATOR_OPTIONS.maxRules,
    spare: num('spare', 0, 4) ?? DEFAULT_OPERATOR_OPTIONS.spare,
    memoryTokens: num('memoryTokens', 0, 1e6, true) ?? DEFAULT_OPERATOR_OPTIONS.memoryTokens,
    maxPromptTokens: num('maxPromptTokens', 500, 1e7, true) ?? DEFAULT_OPERATOR_OPTIONS.maxPromptTokens,
    ...(promptsDir ? { promptsDir } : {}),
  };
}

/**
 * The "llm" operator of a run: its options from the run config, the predictor's scale from the run's parts,
 * and the API key from the host's resolver (default: the environment variable the settings name).
 */
export const llmOperatorFactory: OperatorFactory = (config, space, parts, env) =>
  new LlmOperator(
    space,
    { ...llmOptionsFrom(config), ...(env?.apiKeyFor ? { apiKeyFor: env.apiKeyFor } : {}) },
    parts ? { predictor: parts.evaluator.predictor } : {},
  );
