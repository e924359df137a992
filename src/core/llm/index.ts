// The LLM operator's factory ("llm", passed to the registry by compose.ts); turns a run config's operatorOptions (endpoint, model, sampling,
// limits, prices, budget — never the API key, only the name of the variable holding it) into its settings.

import fs from 'node:fs';
import type { OperatorFactory } from '../provider.js';
import { ConfigError } from '../errors.js';
import type { RunConfig } from '../runstore.js';
import type { SearchSpace } from '../space.js';
import { DEFAULT_SETTINGS, type LlmRecord, type LlmSettings } from './client.js';
export type { LlmRecord, Spend } from './client.js';
import { DEFAULT_OPERATOR_OPTIONS, LlmOperator, type LlmOperatorOptions } from './operator.js';

export { LlmOperator } from './operator.js';
export { LlmClient, LlmError, ReplayTransport, setApiKeyResolver, summarize } from './client.js';

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

function num(
  o: Record<string, unknown>,
  k: string,
  min: number,
  max = Infinity,
  integer = false,
): number | undefined {
  const v = o[k];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max || (integer && !Number.isInteger(v)))
    throw new ConfigError(
      `operatorOptions.${k} must be ${integer ? 'an integer' : 'a number'} in [${min}, ${max === Infinity ? '∞' : max}], got ${JSON.stringify(v)}`,
    );
  return v;
}

/** Validated LLM operator options from a run config. */
export function llmOptionsFrom(config: Pick<RunConfig, 'operatorOptions'>): LlmOperatorOptions {
  const o = (config.operatorOptions ?? {}) as Record<string, unknown>;
  if ('apiKey' in o || 'api_key' in o)
    throw new ConfigError(
      'operatorOptions must not hold an API key; name the environment variable with apiKeyEnv',
    );
  const str = (k: string): string | undefined => {
    const v = o[k];
    if (v === undefined) return undefined;
    if (typeof v !== 'string' || !v) throw new ConfigError(`operatorOptions.${k} must be a non-empty string`);
    return v;
  };
  const structured = str('structured');
  if (structured && !['json_schema', 'json_object', 'none'].includes(structured))
    throw new ConfigError(
      `operatorOptions.structured must be json_schema, json_object or none, got "${structured}"`,
    );
  const baseURL = str('baseURL') ?? DEFAULT_SETTINGS.baseURL;
  try {
    new URL(baseURL);
  } catch {
    throw new ConfigError(`--base-url must be a URL such as http://localhost:11434/v1, got "${baseURL}"`);
  }
  const promptsDir = str('promptsDir');
  if (promptsDir && !fs.existsSync(promptsDir))
    throw new ConfigError(`prompts folder ${promptsDir} does not exist`);
  const settings: LlmSettings = {
    ...DEFAULT_SETTINGS,
    baseURL,
    model: str('model') ?? DEFAULT_SETTINGS.model,
    temperature: num(o, 'temperature', 0, 2) ?? DEFAULT_SETTINGS.temperature,
    maxInflight: num(o, 'maxInflight', 1, 1024, true) ?? DEFAULT_SETTINGS.maxInflight,
    timeoutMs: num(o, 'timeoutMs', 1) ?? DEFAULT_SETTINGS.timeoutMs,
    maxRetries: num(o, 'maxRetries', 0, 10, true) ?? DEFAULT_SETTINGS.maxRetries,
    structured: (structured as LlmSettings['structured'] | undefined) ?? DEFAULT_SETTINGS.structured,
    priceIn: num(o, 'priceIn', 0) ?? 0,
    priceOut: num(o, 'priceOut', 0) ?? 0,
    apiKeyEnv: str('apiKeyEnv') ?? DEFAULT_SETTINGS.apiKeyEnv,
  };
  const maxOutputTokens = num(o, 'maxOutputTokens', 1, Infinity, true);
  if (maxOutputTokens !== undefined) settings.maxOutputTokens = maxOutputTokens;
  const field = str('outputTokensField');
  if (field !== undefined) {
    if (field !== 'max_tokens' && field !== 'max_completion_tokens')
      throw new ConfigError(
        `operatorOptions.outputTokensField must be max_tokens or max_completion_tokens, got "${field}"`,
      );
    settings.outputTokensField = field;
  }
  const maxCost = num(o, 'maxCost', 0);
  if (maxCost !== undefined) settings.maxCost = maxCost;
  const maxTokens = num(o, 'maxTokens', 0, Infinity, true);
  if (maxTokens !== undefined) settings.maxTokens = maxTokens;
  const kbUpdate = o['kbUpdate'];
  if (kbUpdate !== undefined && typeof kbUpdate !== 'boolean')
    throw new ConfigError('operatorOptions.kbUpdate must be true or false');
  return {
    settings,
    crossoverProbability:
      num(o, 'crossoverProbability', 0, 1) ?? DEFAULT_OPERATOR_OPTIONS.crossoverProbability,
    kbUpdate: kbUpdate ?? DEFAULT_OPERATOR_OPTIONS.kbUpdate,
    maxRules: num(o, 'maxRules', 1, 50, true) ?? DEFAULT_OPERATOR_OPTIONS.maxRules,
    spare: num(o, 'spare', 0, 4) ?? DEFAULT_OPERATOR_OPTIONS.spare,
    memoryTokens: num(o, 'memoryTokens', 0, 1e6, true) ?? DEFAULT_OPERATOR_OPTIONS.memoryTokens,
    maxPromptTokens: num(o, 'maxPromptTokens', 500, 1e7, true) ?? DEFAULT_OPERATOR_OPTIONS.maxPromptTokens,
    ...(promptsDir ? { promptsDir } : {}),
  };
}

/** The operator factory for `operator: "llm"`. */
export const llmOperatorFactory: OperatorFactory = (config: RunConfig, space: SearchSpace<unknown>, parts) =>
  new LlmOperator(space, llmOptionsFrom(config), parts ? { predictor: parts.evaluator.predictor } : {});

/** Records of an llm.jsonl file; a torn last line (killed mid-write) is ignored, any other bad line is an error. */
export function readLlmLog(file: string): LlmRecord[] {
  if (!fs.existsSync(file)) return [];
  const lines = fs.readFileSync(file, 'utf8').split('\n');
  const out: LlmRecord[] = [];
  lines.forEach((line, i) => {
    if (!line.trim()) return;
    try {
      out.push(JSON.parse(line) as LlmRecord);
    } catch {
      if (lines.slice(i + 1).some((l) => l.trim()))
        throw new Error(`${file}: line ${i + 1} is not valid JSON`);
    }
  });
  return out;
}
