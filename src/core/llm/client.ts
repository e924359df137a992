// The LLM client: the official `openai` package against any OpenAI-compatible /chat/completions endpoint
// (OpenAI, Azure OpenAI v1, Ollama, vLLM, LM Studio, llama.cpp server). On top of the SDK — whose retries,
// backoff (honouring retry-after), timeout and AbortSignal we use as they are, with no second retry loop — it
// adds what a search needs: a cap on requests in flight, token and cost accounting per call, niche and run, a
// hard budget (no new call starts at the cap), one llm.jsonl record per call (rendered prompt, raw reply,
// model, system_fingerprint, usage, latency, cost; never the key), errors a user can act on, and replay of a
// recorded llm.jsonl without any endpoint.

import OpenAI from 'openai';
import { redact } from '../redact.js';
import { Agent, fetch as undiciFetch } from 'undici';

export type Stage = 'kb-update' | 'evolve';

export interface ChatMessage {
  role: 'system' | 'user';
  content: string;
}

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

export interface Usage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  /** True when the server reported no usage and tokens were estimated (≈ 4 characters per token). */
  estimated?: boolean;
}

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

/** One line of llm.jsonl. */
export interface LlmRecord {
  t: string;
  key: string;
  niche: number;
  generation: number;
  stage: Stage;
  attempt: number;
  model: string;
  baseURL: string;
  system_fingerprint: string | null;
  request: {
    temperature: number;
    max_tokens: number | null;
    response_format: LlmSettings['structured'];
    messages: ChatMessage[];
  };
  reply: {
    content: string | null;
    refusal: string | null;
    finish_reason: string | null;
    choices: number;
    /** Original length when the content was cut at MAX_REPLY_CHARS. */
    cut?: number;
  } | null;
  usage: Usage;
  latencyMs: number;
  cost: number;
  error?: { kind: LlmErrorKind; status: number | null; message: string };
}

export interface ChatRequest {
  key: string;
  niche: number;
  generation: number;
  stage: Stage;
  attempt: number;
  messages: ChatMessage[];
  schema?: { name: string; schema: Record<string, unknown> };
  signal: AbortSignal;
}

export interface ChatReply {
  content: string | null;
  refusal: string | null;
  finishReason: string | null;
  choices: number;
  record: LlmRecord;
  /** Answered from the resumed run's llm.jsonl (not paid again). */
  replayed?: boolean;
  /** Answered from llm.jsonl although the prompt differs from the recorded one. */
  promptChanged?: boolean;
}

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

/** Produces the record of one call: live over HTTP, or from a recording. */
export interface Transport {
  complete(req: ChatRequest, body: LlmRecord['request'], settings: LlmSettings): Promise<LlmRecord>;
}

type KeyResolver = (settings: LlmSettings) => string | undefined | Promise<string | undefined>;
let keyResolver: KeyResolver = (s) => process.env[s.apiKeyEnv];

/**
 * Where the key comes from: the CLI reads the named environment variable (the default); the extension installs
 * a resolver reading VS Code's SecretStorage. Asked once per run, at the first call.
 */
export function setApiKeyResolver(r: KeyResolver): void {
  keyResolver = r;
}

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

  private client(s: LlmSettings): Promise<OpenAI> {
    this.sdk ??= this.create(s);
    // a missing key is reported to every caller, and asked again next time
    this.sdk.catch(() => (this.sdk = undefined));
    return this.sdk;
  }

  private async create(s: LlmSettings): Promise<OpenAI> {
    let apiKey = await keyResolver(s);
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

export function costOf(u: Usage, s: Pick<LlmSettings, 'priceIn' | 'priceOut'>): number {
  return (
    Math.round(((u.prompt_tokens / 1000) * s.priceIn + (u.completion_tokens / 1000) * s.priceOut) * 1e8) / 1e8
  );
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

export interface Spend {
  calls: number;
  promptTokens: number;
  completionTokens: number;
  tokens: number;
  cost: number;
}

const zeroSpend = (): Spend => ({ calls: 0, promptTokens: 0, completionTokens: 0, tokens: 0, cost: 0 });

function addSpend(s: Spend, r: LlmRecord): void {
  s.calls++;
  s.promptTokens += r.usage.prompt_tokens;
  s.completionTokens += r.usage.completion_tokens;
  s.tokens += r.usage.total_tokens;
  s.cost = Math.round((s.cost + r.cost) * 1e8) / 1e8;
}

/** Totals of llm.jsonl records: the run and each niche. */
export function summarize(records: readonly LlmRecord[]): { run: Spend; niches: Map<number, Spend> } {
  const run = zeroSpend();
  const niches = new Map<number, Spend>();
  for (const r of records) {
    addSpend(run, r);
    if (!niches.has(r.niche)) niches.set(r.niche, zeroSpend());
    addSpend(niches.get(r.niche)!, r);
  }
  return { run, niches };
}

export class LlmClient {
  private inflight = 0;
  private readonly waiting: (() => void)[] = [];
  private readonly running = new Set<Promise<unknown>>();
  readonly spend = zeroSpend();
  readonly nicheSpend = new Map<number, Spend>();
  private budgetMessage: string | undefined;
  settings: LlmSettings;

  constructor(
    settings: LlmSettings,
    private transport: Transport = new OpenAITransport(),
    /** Appends one record to llm.jsonl (or wherever the caller keeps them). */
    private log: (r: LlmRecord) => void = () => {},
    /** Called once when the budget is reached (no new call will start). */
    private onBudget: (message: string) => void = () => {},
  ) {
    this.settings = { ...settings };
  }

  attach(opts: {
    transport?: Transport;
    log?: (r: LlmRecord) => void;
    onBudget?: (m: string) => void;
  }): void {
    if (opts.transport) this.transport = opts.transport;
    if (opts.log) this.log = opts.log;
    if (opts.onBudget) this.onBudget = opts.onBudget;
  }

  /** Counts earlier calls of a resumed run against the budget. */
  /**
   * Counts earlier calls of a resumed run against the budget, and keeps their replies: a call the resumed run
   * makes again (same key: niche, generation, stage, attempt) is answered from llm.jsonl instead of being paid
   * twice, so the interrupted generation replays as it ran.
   */
  restore(records: readonly LlmRecord[]): void {
    for (const r of records) {
      this.account(r);
      // a call that got no answer (endpoint unreachable, timeout, 5xx, key refused…) is made again: the user may
      // have fixed the endpoint, and replaying the failure would fail the resumed run the same way
      if (r.error && r.error.kind !== 'unsupported-schema') continue;
      const q = this.recorded.get(r.key);
      if (q) q.push(r);
      else this.recorded.set(r.key, [r]);
      // the server had no structured outputs: keep the run's fallback
      if (r.error?.kind === 'unsupported-schema') this.settings.structured = 'none';
    }
    this.restoredRecords = [...records];
  }

  /** Recorded calls of a resumed run not yet answered again, by key. */
  private readonly recorded = new Map<string, LlmRecord[]>();
  /** Every record handed to restore() (the operator rebuilds its prompts' inputs from them). */
  restoredRecords: readonly LlmRecord[] = [];
  /** Calls answered from llm.jsonl, and how many of those had a prompt that differs from the recorded one. */
  readonly replayed = { calls: 0, promptChanged: 0 };

  /** True while recorded replies of a resumed run may still answer calls. */
  get hasRecorded(): boolean {
    return this.recorded.size > 0;
  }

  private takeRecorded(key: string): LlmRecord | undefined {
    const q = this.recorded.get(key);
    const r = q?.shift();
    if (q && !q.length) this.recorded.delete(key);
    return r;
  }

  private account(r: LlmRecord): void {
    addSpend(this.spend, r);
    if (!this.nicheSpend.has(r.niche)) this.nicheSpend.set(r.niche, zeroSpend());
    addSpend(this.nicheSpend.get(r.niche)!, r);
  }

  /** Why no new call may start, or undefined. */
  budgetReached(): string | undefined {
    const s = this.settings;
    const cost = this.spend.cost;
    if (s.maxCost !== undefined && cost >= s.maxCost)
      return `LLM budget reached: cost ${cost.toFixed(4)} of --max-cost ${s.maxCost} after ${this.spend.calls} calls (${this.spend.tokens} tokens)`;
    if (s.maxTokens !== undefined && this.spend.tokens >= s.maxTokens)
      return `LLM budget reached: ${this.spend.tokens} tokens of --max-tokens ${s.maxTokens} after ${this.spend.calls} calls (cost ${cost.toFixed(4)})`;
    return undefined;
  }

  /** Resolves when no call is in flight (a stopping run waits for running calls to finish). */
  async idle(): Promise<void> {
    while (this.running.size) await Promise.allSettled([...this.running]);
  }

  private async acquire(signal: AbortSignal): Promise<void> {
    if (this.inflight < this.settings.maxInflight) {
      this.inflight++;
      return;
    }
    await new Promise<void>((resolve, reject) => {
      const go = (): void => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      };
      const onAbort = (): void => {
        const i = this.waiting.indexOf(go);
        if (i >= 0) this.waiting.splice(i, 1);
        reject(signal.reason);
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.waiting.push(go);
    });
  }

  private release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.inflight--;
  }

  chat(req: ChatRequest): Promise<ChatReply> {
    const p = this.chatInner(req);
    this.running.add(p);
    void p.finally(() => this.running.delete(p)).catch(() => {});
    return p;
  }

  private async chatInner(req: ChatRequest): Promise<ChatReply> {
    req.signal.throwIfAborted();
    await this.acquire(req.signal);
    try {
      // a recorded answer of a resumed run costs nothing new
      const why = this.recorded.has(req.key) ? undefined : this.budgetReached();
      if (why) {
        if (this.budgetMessage === undefined) {
          this.budgetMessage = why;
          this.onBudget(why);
        }
        throw new LlmError('budget', why);
      }
      const s = this.settings;
      const body: LlmRecord['request'] = {
        temperature: s.temperature,
        max_tokens: s.maxOutputTokens ?? null,
        response_format: req.schema ? s.structured : 'none',
        messages: req.messages,
      };
      let replayed = false;
      let promptChanged = false;
      const complete = async (b: LlmRecord['request']): Promise<LlmRecord> => {
        const old = this.takeRecorded(req.key);
        if (old) {
          // already paid, counted (restore) and in llm.jsonl: answer from it
          replayed = true;
          this.replayed.calls++;
          if (JSON.stringify(old.request.messages) !== JSON.stringify(b.messages)) {
            promptChanged = true;
            this.replayed.promptChanged++;
          }
          return old;
        }
        const r = await this.transport.complete(req, b, s);
        this.record(r);
        return r;
      };
      let rec = await complete(body);
      if (rec.error?.kind === 'unsupported-schema' && body.response_format !== 'none') {
        // the server has no structured outputs: fall back to JSON extraction from text for the rest of the run
        this.settings.structured = 'none';
        rec = await complete({ ...body, response_format: 'none' });
      }
      if (rec.error) throw new LlmError(rec.error.kind, rec.error.message, rec.error.status);
      return {
        content: rec.reply?.content ?? null,
        refusal: rec.reply?.refusal ?? null,
        finishReason: rec.reply?.finish_reason ?? null,
        choices: rec.reply?.choices ?? 0,
        record: rec,
        ...(replayed ? { replayed } : {}),
        ...(promptChanged ? { promptChanged } : {}),
      };
    } finally {
      this.release();
    }
  }

  private record(rec: LlmRecord): void {
    this.account(rec);
    this.log(rec);
  }
}

/**
 * Replays a recorded llm.jsonl: each call gets the recorded record with its key, and records are handed out
 * strictly in their recorded (completion) order, one per macrotask, so the run's events interleave exactly as
 * they did live. A call the recording does not have, or a recording the run stops asking for, is an error.
 */
export class ReplayTransport implements Transport {
  private next = 0;
  private readonly pending = new Map<string, (r: LlmRecord | Error) => void>();
  private scheduled = false;
  private stall: NodeJS.Timeout | undefined;

  constructor(
    private readonly records: readonly LlmRecord[],
    // long enough for a slow evaluator between two recorded replies; only a diverged replay waits this long
    private readonly stallMs = 120_000,
  ) {}

  complete(req: ChatRequest): Promise<LlmRecord> {
    if (!this.records.slice(this.next).some((r) => r.key === req.key))
      return Promise.reject(
        new LlmError(
          'replay',
          `replay diverged: the run asked for ${req.key}, which the recording does not have`,
        ),
      );
    return new Promise<LlmRecord>((resolve, reject) => {
      const onAbort = (): void => {
        this.pending.delete(req.key);
        reject(req.signal.reason);
      };
      req.signal.addEventListener('abort', onAbort, { once: true });
      this.pending.set(req.key, (r) => {
        req.signal.removeEventListener('abort', onAbort);
        if (r instanceof Error) reject(r);
        else resolve(r);
      });
      this.pump();
    });
  }

  private pump(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      const rec = this.records[this.next];
      const deliver = rec && this.pending.get(rec.key);
      if (this.stall) clearTimeout(this.stall);
      this.stall = undefined;
      if (rec && deliver) {
        this.pending.delete(rec.key);
        this.next++;
        deliver(rec);
        if (this.pending.size) this.pump();
        return;
      }
      if (this.pending.size) {
        this.stall = setTimeout(() => {
          const err = new LlmError(
            'replay',
            `replay diverged: waiting for ${rec?.key ?? '(end of recording)'} but the run asked for ${[...this.pending.keys()].join(', ')}`,
          );
          for (const d of this.pending.values()) d(err);
          this.pending.clear();
        }, this.stallMs);
        this.stall.unref();
      }
    });
  }
}
