// The LLM endpoint as the editor sees it: a connection check (New Search, the Test Connection command, the
// panel), the core's error messages reworded for the editor (settings names instead of CLI flags), and the
// run config's LLM options refreshed from the current settings when a run is resumed. No `vscode` here.

import type { RunConfig } from '../core/runstore.js';
import type { ConnectionResult } from '../protocol.js';

/** The LLM settings that New Search copies into a run config and Resume refreshes. */
export interface LlmSettingsLike {
  endpoint: string;
  model: string;
  maxInFlight: number;
  temperature: number;
  priceInPer1k: number;
  priceOutPer1k: number;
  costCapUsd: number;
  maxOutputTokens: number;
  outputTokensField: 'max_tokens' | 'max_completion_tokens';
}

/** The core's LLM option names (src/core/llm/index.ts) from the settings; the API key never enters them. */
export function operatorOptionsOf(s: LlmSettingsLike): Record<string, unknown> {
  return {
    baseURL: s.endpoint,
    model: s.model,
    maxInflight: s.maxInFlight,
    temperature: s.temperature,
    ...(s.priceInPer1k > 0 ? { priceIn: s.priceInPer1k } : {}),
    ...(s.priceOutPer1k > 0 ? { priceOut: s.priceOutPer1k } : {}),
    ...(s.costCapUsd > 0 ? { maxCost: s.costCapUsd } : {}),
    ...(s.maxOutputTokens > 0
      ? { maxOutputTokens: s.maxOutputTokens, outputTokensField: s.outputTokensField }
      : {}),
  };
}

const SETTINGS_KEYS = [
  'baseURL',
  'model',
  'maxInflight',
  'temperature',
  'priceIn',
  'priceOut',
  'maxCost',
  'maxOutputTokens',
  'outputTokensField',
] as const;

/**
 * A run config whose LLM connection options are the current settings' (Resume after fixing the endpoint must
 * not use the one frozen in config.json); options the settings do not carry (prompts folder, kbUpdate, …) stay.
 * Returns the config unchanged for the built-in operator, and which keys changed.
 */
export function withCurrentLlmSettings(
  config: RunConfig,
  s: LlmSettingsLike,
): { config: RunConfig; changed: string[] } {
  if (config.operator === 'builtin') return { config, changed: [] };
  const old = (config.operatorOptions ?? {}) as Record<string, unknown>;
  const kept = Object.fromEntries(
    Object.entries(old).filter(([k]) => !(SETTINGS_KEYS as readonly string[]).includes(k)),
  );
  const fresh = operatorOptionsOf(s);
  const operatorOptions = { ...kept, ...fresh };
  const changed = [...new Set([...Object.keys(old), ...Object.keys(fresh)])].filter(
    (k) => (SETTINGS_KEYS as readonly string[]).includes(k) && old[k] !== operatorOptions[k],
  );
  return { config: { ...config, operatorOptions }, changed };
}

/** The same run continued with the built-in operator (mutation + crossover): the LLM options are dropped. */
export function withBuiltinOperator(config: RunConfig): RunConfig {
  const { operatorOptions: _drop, ...rest } = config;
  return { ...rest, operator: 'builtin' };
}

/** True when a run error is the LLM endpoint's: unreachable, key rejected or denied, unknown model or route. */
export function isEndpointError(message: string | undefined): boolean {
  return (
    !!message &&
    /cannot reach the LLM endpoint|rejected the API key|denied access|has no model|LLM endpoint .* timed out|request timed out/i.test(
      message,
    )
  );
}

/** The core's messages name CLI flags; in the editor the same thing is a setting. */
export function editorWording(message: string): string {
  return message
    .replace(/--base-url/g, 'the setting llmNas.llm.endpoint')
    .replace(/--model/g, 'llmNas.llm.model')
    .replace(/--price-in/g, 'llmNas.llm.priceInPer1k')
    .replace(/--price-out/g, 'llmNas.llm.priceOutPer1k');
}

/**
 * Checks an OpenAI-compatible endpoint without spending tokens: GET {endpoint}/models. Any HTTP answer means
 * the server is reachable; 401/403 means the key is refused; a model list says whether the model is offered.
 */
export async function testConnection(
  endpoint: string,
  model: string,
  apiKey: string | undefined,
  timeoutMs = 5000,
): Promise<ConnectionResult> {
  const t0 = Date.now();
  const done = (ok: boolean, message: string, modelListed?: boolean): ConnectionResult => ({
    ok,
    endpoint,
    message,
    ms: Date.now() - t0,
    ...(modelListed !== undefined ? { modelListed } : {}),
  });
  let url: URL;
  try {
    url = new URL(endpoint.replace(/\/+$/, '') + '/models');
  } catch {
    return done(
      false,
      `"${endpoint}" is not a URL (e.g. http://localhost:11434/v1): fix llmNas.llm.endpoint`,
    );
  }
  let res: Response;
  try {
    res = await fetch(url, {
      headers: apiKey ? { authorization: `Bearer ${apiKey}` } : {},
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (e) {
    const err = e as Error & { cause?: { code?: string; message?: string } };
    const why =
      err.name === 'TimeoutError'
        ? `no answer in ${timeoutMs} ms`
        : (err.cause?.code ?? err.cause?.message ?? err.message);
    return done(
      false,
      `cannot reach ${endpoint} (${why}): is the server running, and is llmNas.llm.endpoint right?`,
    );
  }
  if (res.status === 401 || res.status === 403)
    return done(
      false,
      `${endpoint} is reachable but refused the API key (${res.status}): run "LLM-NAS: Set API Key"`,
    );
  if (!res.ok)
    return done(
      true,
      `${endpoint} is reachable (HTTP ${res.status} on /models, so the model list could not be checked)`,
    );
  let ids: string[] = [];
  try {
    const body = (await res.json()) as { data?: { id?: unknown }[] };
    ids = (body.data ?? []).map((m) => String(m.id ?? '')).filter(Boolean);
  } catch {
    // not a model list: reachable is all we know
  }
  if (ids.length === 0) return done(true, `${endpoint} is reachable`);
  const listed = ids.includes(model);
  return done(
    true,
    listed
      ? `${endpoint} is reachable and offers "${model}"`
      : `${endpoint} is reachable but does not list "${model}" (it offers ${ids.slice(0, 5).join(', ')}${ids.length > 5 ? ', …' : ''}): check llmNas.llm.model`,
    listed,
  );
}
