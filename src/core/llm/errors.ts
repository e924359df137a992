// LLM failures a user can act on: the kinds, which of them stop the run, and the mapping of an SDK error (after
// its own retries) to one of them, with a message naming the flag or setting to check.

import OpenAI from 'openai';
import type { LlmSettings } from './settings.js';

export type LlmErrorKind =
  | 'auth'
  | 'not-found'
  | 'connection'
  | 'timeout'
  | 'rate-limit'
  | 'server'
  | 'bad-request'
  | 'unsupported-schema'
  | 'budget'
  | 'replay';

/** An LLM failure with a message the user can act on; `fatal` ones stop the run. */
export class LlmError extends Error {
  constructor(
    readonly kind: LlmErrorKind,
    message: string,
    readonly status: number | null = null,
  ) {
    super(message);
    this.name = 'LlmError';
  }
  get fatal(): boolean {
    return (
      this.kind === 'auth' ||
      this.kind === 'not-found' ||
      this.kind === 'connection' ||
      this.kind === 'replay'
    );
  }
}

/** Maps an SDK error (after its own retries) to an actionable LlmError. */
export function classify(e: unknown, s: LlmSettings): LlmError {
  const detail = (e as Error)?.message ?? String(e);
  if (e instanceof OpenAI.AuthenticationError)
    return new LlmError(
      'auth',
      `the LLM endpoint ${s.baseURL} rejected the API key (401): check your API key ` +
        `(environment variable ${s.apiKeyEnv}, or "LLM-NAS: Set API Key" in VS Code). Server said: ${detail}`,
      401,
    );
  if (e instanceof OpenAI.PermissionDeniedError)
    return new LlmError(
      'auth',
      `the LLM endpoint ${s.baseURL} denied access (403): check your API key and that it may use model "${s.model}". Server said: ${detail}`,
      403,
    );
  if (e instanceof OpenAI.NotFoundError)
    return new LlmError(
      'not-found',
      `the LLM endpoint ${s.baseURL} has no model "${s.model}" or no /chat/completions route (404): check --base-url and --model. Server said: ${detail}`,
      404,
    );
  if (e instanceof OpenAI.APIConnectionTimeoutError)
    return new LlmError('timeout', `request timed out after ${s.timeoutMs} ms (${s.maxRetries} retries)`);
  if (e instanceof OpenAI.APIConnectionError) {
    const cause = (e as { cause?: { cause?: { code?: string }; code?: string; message?: string } }).cause;
    const code = cause?.cause?.code ?? cause?.code ?? cause?.message ?? detail;
    if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT')
      return new LlmError(
        'timeout',
        `the HTTP client gave up waiting for the ${code === 'UND_ERR_HEADERS_TIMEOUT' ? 'response headers' : 'response body'} (${code}) before --timeout ${s.timeoutMs} ms`,
      );
    return new LlmError(
      'connection',
      `cannot reach the LLM endpoint ${s.baseURL} (${code}) after ${s.maxRetries} retries: is the server running and --base-url right?`,
    );
  }
  if (e instanceof OpenAI.RateLimitError)
    return new LlmError('rate-limit', `rate limited (429) after ${s.maxRetries} retries: ${detail}`, 429);
  if (e instanceof OpenAI.BadRequestError) {
    if (/response_format|json_schema|structured|schema/i.test(detail))
      return new LlmError(
        'unsupported-schema',
        `the server rejected structured outputs (400): ${detail}`,
        400,
      );
    return new LlmError('bad-request', `the server rejected the request (400): ${detail}`, 400);
  }
  if (e instanceof OpenAI.APIError)
    return new LlmError(
      'server',
      `server error${e.status ? ` ${e.status}` : ''} after ${s.maxRetries} retries: ${detail}`,
      e.status ?? null,
    );
  return new LlmError('server', `unexpected reply: ${detail}`);
}
