// The LLM client: what a search needs on top of a transport (transport.ts: the official SDK against any
// OpenAI-compatible endpoint; replay.ts: a recording) — a cap on requests in flight, token and cost accounting
// per call, niche and run, a hard budget (spend.ts: no new call starts at the cap), one llm.jsonl record per
// call, the fallback from structured outputs to JSON extraction, and a resumed run's calls answered from its
// own llm.jsonl.

import type { ApiKeyResolver } from '../env.js';
import { LlmError } from './errors.js';
import type { ChatRequest, LlmRecord } from './record.js';
import { RecordedReplies } from './replay.js';
import type { LlmSettings } from './settings.js';
import { budgetReached, SpendLedger } from './spend.js';
import { OpenAITransport, type Transport } from './transport.js';

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

export interface LlmClientOptions {
  /** Where the live transport finds the key (default: the environment variable the settings name). */
  apiKeyFor?: ApiKeyResolver;
  /** Default: the live transport (OpenAITransport). */
  transport?: Transport;
  /** Appends one record to llm.jsonl (or wherever the caller keeps them). */
  log?: (r: LlmRecord) => void;
  /** Called once when the budget is reached (no new call will start). */
  onBudget?: (message: string) => void;
}

export class LlmClient {
  private inflight = 0;
  private readonly waiting: (() => void)[] = [];
  private readonly running = new Set<Promise<unknown>>();
  private readonly ledger = new SpendLedger();
  readonly spend = this.ledger.run;
  readonly nicheSpend = this.ledger.niches;
  private budgetMessage: string | undefined;
  settings: LlmSettings;
  private transport: Transport;
  private log: (r: LlmRecord) => void;
  private onBudget: (message: string) => void;

  constructor(settings: LlmSettings, options: LlmClientOptions = {}) {
    this.settings = { ...settings };
    this.transport = options.transport ?? new OpenAITransport(options.apiKeyFor);
    this.log = options.log ?? (() => {});
    this.onBudget = options.onBudget ?? (() => {});
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

  /** Recorded calls of a resumed run not yet answered again. */
  private readonly recorded = new RecordedReplies();
  /** Every record handed to restore() (the operator rebuilds its prompts' inputs from them). */
  restoredRecords: readonly LlmRecord[] = [];
  /** Calls answered from llm.jsonl, and how many of those had a prompt that differs from the recorded one. */
  readonly replayed = this.recorded.counts;

  /**
   * Counts earlier calls of a resumed run against the budget, and keeps their replies: a call the resumed run
   * makes again (same key: niche, generation, stage, attempt) is answered from llm.jsonl instead of being paid
   * twice, so the interrupted generation replays as it ran.
   */
  restore(records: readonly LlmRecord[]): void {
    for (const r of records) {
      this.ledger.add(r);
      // the server had no structured outputs: keep the run's fallback
      if (this.recorded.keep(r) && r.error?.kind === 'unsupported-schema') this.settings.structured = 'none';
    }
    this.restoredRecords = [...records];
  }

  /** True while recorded replies of a resumed run may still answer calls. */
  get hasRecorded(): boolean {
    return this.recorded.size > 0;
  }

  /** Why no new call may start, or undefined. */
  budgetReached(): string | undefined {
    return budgetReached(this.spend, this.settings);
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
        const old = this.recorded.take(req.key, b.messages);
        if (old) {
          // already paid, counted (restore) and in llm.jsonl: answer from it
          replayed = true;
          if (old.promptChanged) promptChanged = true;
          return old.record;
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
    this.ledger.add(rec);
    this.log(rec);
  }
}
