// What one LLM call is made of: the request the operator asks for, and the record of the call as one line of
// llm.jsonl (rendered prompt, raw reply, model, system_fingerprint, usage, latency, cost; never the key).

import type { LlmErrorKind } from './errors.js';
import type { LlmSettings } from './settings.js';

export type Stage = 'kb-update' | 'evolve';

export interface ChatMessage {
  role: 'system' | 'user';
  content: string;
}

export interface Usage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  /** True when the server reported no usage and tokens were estimated (≈ 4 characters per token). */
  estimated?: boolean;
}

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
