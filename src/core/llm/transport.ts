// The live transport: the official `openai` package against any OpenAI-compatible /chat/completions endpoint
// (OpenAI, Azure OpenAI v1, Ollama, vLLM, LM Studio, llama.cpp server). The SDK's retries, backoff (honouring
// retry-after), timeout and AbortSignal are used as they are, with no second retry loop; undici's own timeouts
// follow the user's --timeout. Each call becomes one llm.jsonl record, its reply cut at MAX_REPLY_CHARS and
// the key redacted from every text it returns.

import OpenAI from 'openai';
import { Agent, fetch as undiciFetch } from 'undici';
import type { ApiKeyResolver } from '../env.js';
import { redact } from '../redact.js';
import { classify, LlmError } from './errors.js';
import type { ChatRequest, LlmRecord, Usage } from './record.js';
import type { LlmSettings } from './settings.js';
import { costOf } from './spend.js';

/** Produces the record of one call: live over HTTP, or from a recording. */
export interface Transport {
  complete(req: ChatRequest, body: LlmRecord['request'], settings: LlmSettings): Promise<LlmRecord>;
}

/** The CLI's key source: the environment variable the settings name. */
export const envApiKey: ApiKeyResolver = (s) => process.env[s.apiKeyEnv];

function isLoopback(url: string): boolean {
  try {
    const h = new URL(url).hostname;
    return h === 'localhost' || h === '127.0.0.1' || h === '[::1]' || h === '::1';
  } catch {
    return false;
  }
}

const estimateTokens = (s: string): number => Math.ceil(s.length / 4);

/** Longest reply content read and stored (a 6 MB reply once went verbatim into llm.jsonl). */
export const MAX_REPLY_CHARS = 200_000;

/**
 * The HTTP dispatcher of one client: undici's headers and body timeouts follow the user's --timeout (Node's
 * fetch otherwise abandons any request after 300 s without response headers, whatever the SDK's timeout).
 * The SDK's own timeout (an AbortSignal) stays the one that fires; these are a margin above it.
 */
export function dispatcherFor(timeoutMs: number): Agent {
  const t = timeoutMs + 10_000;
  return new Agent({ headersTimeout: t, bodyTimeout: t });
}

/** Calls the endpoint through the official SDK. */
export class OpenAITransport implements Transport {
  private sdk: Promise<OpenAI> | undefined;
  /** The key in use, redacted from every error text and reply this transport returns. */
  private apiKey: string | undefined;

  constructor(
    /**
     * Where the key comes from: the CLI reads the named environment variable (the default); the extension
     * passes a resolver reading VS Code's SecretStorage. Asked once per run, at the first call.
     */
    private readonly apiKeyFor: ApiKeyResolver = envApiKey,
  ) {}

  private client(s: LlmSettings): Promise<OpenAI> {
    this.sdk ??= this.create(s);
    // a missing key is reported to every caller, and asked again next time
    this.sdk.catch(() => (this.sdk = undefined));
    return this.sdk;
  }

  private async create(s: LlmSettings): Promise<OpenAI> {
    let apiKey = await this.apiKeyFor(s);
    if (!apiKey) {
      if (!isLoopback(s.baseURL))
        throw new LlmError(
          'auth',
          `no API key for ${s.baseURL}: set the ${s.apiKeyEnv} environment variable (or name another one with --api-key-env), ` +
            'or use "LLM-NAS: Set API Key" in VS Code',
        );
      apiKey = 'not-needed'; // local servers (Ollama, vLLM, llama.cpp) ignore it
    }
    this.apiKey = apiKey;
    return new OpenAI({
      apiKey,
      baseURL: s.baseURL,
      timeout: s.timeoutMs,
      maxRetries: s.maxRetries,
      fetch: undiciFetch as unknown as typeof fetch,
      fetchOptions: { dispatcher: dispatcherFor(s.timeoutMs) } as Record<string, unknown>,
    });
  }

  async complete(req: ChatRequest, body: LlmRecord['request'], s: LlmSettings): Promise<LlmRecord> {
    const sdk = await this.client(s);
    const t = new Date().toISOString();
    const t0 = performance.now();
    const base = {
      t,
      key: req.key,
      niche: req.niche,
      generation: req.generation,
      stage: req.stage,
      attempt: req.attempt,
      model: s.model,
      baseURL: s.baseURL,
      request: body,
    };
    const promptChars = body.messages.reduce((n, m) => n + m.content.length, 0);
    // a per-call controller: the SDK never removes its listener from a signal that does not fire
    const ctl = new AbortController();
    const onAbort = (): void => ctl.abort(req.signal.reason);
    req.signal.addEventListener('abort', onAbort, { once: true });
    try {
      const res = await sdk.chat.completions.create(
        {
          model: s.model,
          messages: body.messages,
          temperature: body.temperature,
          ...(body.max_tokens === null
            ? {}
            : s.outputTokensField === 'max_completion_tokens'
              ? { max_completion_tokens: body.max_tokens }
              : { max_tokens: body.max_tokens }),
          ...(body.response_format === 'json_schema' && req.schema
            ? {
                response_format: {
                  type: 'json_schema' as const,
                  json_schema: { name: req.schema.name, schema: req.schema.schema, strict: true },
                },
              }
            : body.response_format === 'json_object'
              ? { response_format: { type: 'json_object' as const } }
              : {}),
        },
        { signal: ctl.signal },
      );
      const latencyMs = Math.round(performance.now() - t0);
      const choice = res.choices?.[0];
      const raw = choice?.message?.content ?? null;
      const full = raw === null ? null : redact(raw, [this.apiKey]); // a server echoing the key
      const content = full !== null && full.length > MAX_REPLY_CHARS ? full.slice(0, MAX_REPLY_CHARS) : full;
      const refusal = choice?.message?.refusal ?? null;
      const u = res.usage;
      const usage: Usage = u
        ? {
            prompt_tokens: u.prompt_tokens ?? 0,
            completion_tokens: u.completion_tokens ?? 0,
            total_tokens: u.total_tokens ?? (u.prompt_tokens ?? 0) + (u.completion_tokens ?? 0),
          }
        : {
            prompt_tokens: Math.ceil(promptChars / 4),
            completion_tokens: estimateTokens(content ?? ''),
            total_tokens: 0,
            estimated: true,
          };
      if (usage.estimated) usage.total_tokens = usage.prompt_tokens + usage.completion_tokens;
      return {
        ...base,
        model: res.model || s.model,
        system_fingerprint: res.system_fingerprint ?? null,
        reply: {
          content,
          refusal,
          finish_reason: choice?.finish_reason ?? null,
          choices: res.choices?.length ?? 0,
          ...(full !== null && full !== content ? { cut: full.length } : {}),
        },
        usage,
        latencyMs,
        cost: costOf(usage, s),
      };
    } catch (e) {
      if (req.signal.aborted || e instanceof OpenAI.APIUserAbortError) throw req.signal.reason ?? e;
      const err = classify(e, s);
      return {
        ...base,
        system_fingerprint: null,
        reply: null,
        usage: { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 },
        latencyMs: Math.round(performance.now() - t0),
        cost: 0,
        error: { kind: err.kind, status: err.status, message: redact(err.message, [this.apiKey]) },
      };
    } finally {
      req.signal.removeEventListener('abort', onAbort);
    }
  }
}
