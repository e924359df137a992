// Token and cost accounting of LLM calls (per call, per niche, per run) and the run's hard budget: no new call
// starts once --max-cost or --max-tokens is reached.

import type { LlmRecord, Usage } from './record.js';
import type { LlmSettings } from './settings.js';

export interface Spend {
  calls: number;
  promptTokens: number;
  completionTokens: number;
  tokens: number;
  cost: number;
}

export function costOf(u: Usage, s: Pick<LlmSettings, 'priceIn' | 'priceOut'>): number {
  return (
    Math.round(((u.prompt_tokens / 1000) * s.priceIn + (u.completion_tokens / 1000) * s.priceOut) * 1e8) / 1e8
  );
}

export const zeroSpend = (): Spend => ({
  calls: 0,
  promptTokens: 0,
  completionTokens: 0,
  tokens: 0,
  cost: 0,
});

export function addSpend(s: Spend, r: LlmRecord): void {
  s.calls++;
  s.promptTokens += r.usage.prompt_tokens;
  s.completionTokens += r.usage.completion_tokens;
  s.tokens += r.usage.total_tokens;
  s.cost = Math.round((s.cost + r.cost) * 1e8) / 1e8;
}

/** Running totals of a run's calls: the run and each niche. */
export class SpendLedger {
  readonly run = zeroSpend();
  readonly niches = new Map<number, Spend>();

  add(r: LlmRecord): void {
    addSpend(this.run, r);
    if (!this.niches.has(r.niche)) this.niches.set(r.niche, zeroSpend());
    addSpend(this.niches.get(r.niche)!, r);
  }
}

/** Totals of llm.jsonl records: the run and each niche. */
export function summarize(records: readonly LlmRecord[]): { run: Spend; niches: Map<number, Spend> } {
  const ledger = new SpendLedger();
  for (const r of records) ledger.add(r);
  return { run: ledger.run, niches: ledger.niches };
}

/** Why no new call may start after `spend` under the settings' caps, or undefined. */
export function budgetReached(
  spend: Spend,
  s: Pick<LlmSettings, 'maxCost' | 'maxTokens'>,
): string | undefined {
  const cost = spend.cost;
  if (s.maxCost !== undefined && cost >= s.maxCost)
    return `LLM budget reached: cost ${cost.toFixed(4)} of --max-cost ${s.maxCost} after ${spend.calls} calls (${spend.tokens} tokens)`;
  if (s.maxTokens !== undefined && spend.tokens >= s.maxTokens)
    return `LLM budget reached: ${spend.tokens} tokens of --max-tokens ${s.maxTokens} after ${spend.calls} calls (cost ${cost.toFixed(4)})`;
  return undefined;
}
