// The LLM client's settings: what they are, their defaults, and how the endpoint and sampling part of a run
// config's operatorOptions is checked and turned into them (never the API key, only the name of the variable
// holding it). The operator's own options are read in index.ts.

import { ConfigError } from '../errors.js';

export interface LlmSettings {
  baseURL: string;
  model: string;
  temperature: number;
  /** Requests in flight at once (all niches together). */
  maxInflight: number;
  /** Per-request timeout in ms (the SDK retries a timed-out request `maxRetries` times). */
  timeoutMs: number;
  maxRetries: number;
  /** Structured outputs: JSON schema (strict), JSON mode, or plain text with JSON extraction. */
  structured: 'json_schema' | 'json_object' | 'none';
  /** Output-token limit of each reply; omitted when undefined. */
  maxOutputTokens?: number;
  /** The request field carrying it: max_tokens (default; Ollama, vLLM, older OpenAI models) or
   * max_completion_tokens (OpenAI's reasoning models reject max_tokens). */
  outputTokensField?: 'max_tokens' | 'max_completion_tokens';
  /** Price per 1,000 prompt / completion tokens (any currency; USD in the docs). */
  priceIn: number;
  priceOut: number;
  /** Hard budget for the run: no new call starts once reached. */
  maxCost?: number;
  maxTokens?: number;
  /** Name of the environment variable holding the key (CLI); the extension supplies the key itself. */
  apiKeyEnv: string;
}

export const DEFAULT_SETTINGS: LlmSettings = {
  baseURL: 'https://api.openai.com/v1',
  model: 'gpt-4o-mini',
  temperature: 0.7,
  maxInflight: 6,
  timeoutMs: 120_000,
  maxRetries: 2,
  structured: 'json_schema',
  priceIn: 0,
  priceOut: 0,
  apiKeyEnv: 'OPENAI_API_KEY',
};

/** operatorOptions[k] as a number in [min, max] (an integer if asked), or undefined when absent. */
export function numberOption(
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

/** operatorOptions[k] as a non-empty string, or undefined when absent. */
export function stringOption(o: Record<string, unknown>, k: string): string | undefined {
  const v = o[k];
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || !v) throw new ConfigError(`operatorOptions.${k} must be a non-empty string`);
  return v;
}

/** The endpoint part of operatorOptions, checked first: no API key in it, the structured mode, the base URL. */
export interface LlmEndpoint {
  baseURL: string;
  structured: LlmSettings['structured'] | undefined;
}

export function llmEndpointFrom(o: Record<string, unknown>): LlmEndpoint {
  if ('apiKey' in o || 'api_key' in o)
    throw new ConfigError(
      'operatorOptions must not hold an API key; name the environment variable with apiKeyEnv',
    );
  const structured = stringOption(o, 'structured');
  if (structured && !['json_schema', 'json_object', 'none'].includes(structured))
    throw new ConfigError(
      `operatorOptions.structured must be json_schema, json_object or none, got "${structured}"`,
    );
  const baseURL = stringOption(o, 'baseURL') ?? DEFAULT_SETTINGS.baseURL;
  try {
    new URL(baseURL);
  } catch {
    throw new ConfigError(`--base-url must be a URL such as http://localhost:11434/v1, got "${baseURL}"`);
  }
  return { baseURL, structured: structured as LlmSettings['structured'] | undefined };
}

/** Validated settings from operatorOptions (defaults in DEFAULT_SETTINGS), given its checked endpoint part. */
export function llmSettingsFrom(
  o: Record<string, unknown>,
  endpoint: LlmEndpoint = llmEndpointFrom(o),
): LlmSettings {
  const num = (k: string, min: number, max = Infinity, integer = false): number | undefined =>
    numberOption(o, k, min, max, integer);
  const str = (k: string): string | undefined => stringOption(o, k);
  const settings: LlmSettings = {
    ...DEFAULT_SETTINGS,
    baseURL: endpoint.baseURL,
    model: str('model') ?? DEFAULT_SETTINGS.model,
    temperature: num('temperature', 0, 2) ?? DEFAULT_SETTINGS.temperature,
    maxInflight: num('maxInflight', 1, 1024, true) ?? DEFAULT_SETTINGS.maxInflight,
    timeoutMs: num('timeoutMs', 1) ?? DEFAULT_SETTINGS.timeoutMs,
    maxRetries: num('maxRetries', 0, 10, true) ?? DEFAULT_SETTINGS.maxRetries,
    structured: endpoint.structured ?? DEFAULT_SETTINGS.structured,
    priceIn: num('priceIn', 0) ?? 0,
    priceOut: num('priceOut', 0) ?? 0,
    apiKeyEnv: str('apiKeyEnv') ?? DEFAULT_SETTINGS.apiKeyEnv,
  };
  const maxOutputTokens = num('maxOutputTokens', 1, Infinity, true);
  if (maxOutputTokens !== undefined) settings.maxOutputTokens = maxOutputTokens;
  const field = str('outputTokensField');
  if (field !== undefined) {
    if (field !== 'max_tokens' && field !== 'max_completion_tokens')
      throw new ConfigError(
        `operatorOptions.outputTokensField must be max_tokens or max_completion_tokens, got "${field}"`,
      );
    settings.outputTokensField = field;
  }
  const maxCost = num('maxCost', 0);
  if (maxCost !== undefined) settings.maxCost = maxCost;
  const maxTokens = num('maxTokens', 0, Infinity, true);
  if (maxTokens !== undefined) settings.maxTokens = maxTokens;
  return settings;
}
