// The CLI's LLM options (--operator llm --base-url … --model …), turned into a run config's operatorOptions
// (never the key: only the name of the variable holding it), plus the LLM lines the CLI prints: knowledge-base
// notices, the budget stop, and the calls / tokens / cost summary of a run folder.

import fs from 'node:fs';
import path from 'node:path';
import type { Nb201Arch } from '../core/nb201/space.js';
import type { SearchSpace } from '../core/space.js';
import { singleNiche } from '../core/partition.js';
import { ConfigError } from '../core/errors.js';
import type { RunNotice } from '../core/run.js';
import { llmOptionsFrom, LlmOperator, readLlmLog, summarize, type Spend } from '../core/llm/index.js';

export const LLM_ARGS = {
  'base-url': { type: 'string' },
  model: { type: 'string' },
  'api-key-env': { type: 'string' },
  temperature: { type: 'string' },
  'max-inflight': { type: 'string' },
  timeout: { type: 'string' },
  'max-retries': { type: 'string' },
  'max-cost': { type: 'string' },
  'max-tokens': { type: 'string' },
  'max-output-tokens': { type: 'string' },
  'output-tokens-field': { type: 'string' },
  'price-in': { type: 'string' },
  'price-out': { type: 'string' },
  structured: { type: 'string' },
  'crossover-p': { type: 'string' },
  prompts: { type: 'string' },
  'memory-tokens': { type: 'string' },
  'max-prompt-tokens': { type: 'string' },
  'no-kb-update': { type: 'boolean', default: false },
} as const;

export const LLM_USAGE = `LLM operator options (search --operator llm, bench --operator llm):
  --base-url URL           OpenAI-compatible endpoint (default https://api.openai.com/v1; Ollama http://localhost:11434/v1)
  --model NAME             model or deployment name (default gpt-4o-mini)
  --api-key-env VAR        environment variable holding the API key (default OPENAI_API_KEY; not needed on localhost)
  --temperature 0.7        --max-inflight 6 (requests at once)   --timeout 120 (seconds per request)
  --max-retries 2          (the SDK's retries with backoff; honours retry-after)
  --max-cost X             stop cleanly once the LLM cost reaches X (priced with --price-in/--price-out per 1k tokens)
  --max-tokens N           stop cleanly once the run has used N tokens
  --max-output-tokens N    output-token limit of each reply, sent as max_tokens
  --output-tokens-field max_tokens|max_completion_tokens   (OpenAI's reasoning models take max_completion_tokens)
  --structured json_schema|json_object|none   (structured outputs; none = extract JSON from text)
  --crossover-p 0.5        --no-kb-update (ablation)   --prompts DIR (override prompt templates; default .llm-nas/prompts)
  --memory-tokens 1500     token budget of the niche memory table (the archive is always shown)
  --max-prompt-tokens 6000 cap on one prompt: older memory rows, then the knowledge base, are cut (with a notice)
  --knowledge-base FILE    seed the run's knowledge base (default: the shipped NB201 heuristics)
  search --replay RUN_DIR [--out DIR]   re-run a recorded run from its llm.jsonl, without any endpoint
`;

type LlmArgValues = {
  [K in keyof typeof LLM_ARGS]?: (typeof LLM_ARGS)[K]['type'] extends 'boolean' ? boolean : string;
};

function number(v: string | undefined, flag: string): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n)) throw new ConfigError(`--${flag} must be a number, got "${v}"`);
  return n;
}

/** operatorOptions for the LLM operator from CLI flags (only the flags given; defaults live in the core). */
export function llmOperatorOptions(v: LlmArgValues, cwd = process.cwd()): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  const set = (k: string, x: unknown): void => {
    if (x !== undefined) o[k] = x;
  };
  set('baseURL', v['base-url']);
  set('model', v.model);
  set('apiKeyEnv', v['api-key-env']);
  set('temperature', number(v.temperature, 'temperature'));
  set('maxInflight', number(v['max-inflight'], 'max-inflight'));
  const timeout = number(v.timeout, 'timeout');
  set('timeoutMs', timeout === undefined ? undefined : Math.round(timeout * 1000));
  set('maxRetries', number(v['max-retries'], 'max-retries'));
  set('maxCost', number(v['max-cost'], 'max-cost'));
  set('maxTokens', number(v['max-tokens'], 'max-tokens'));
  set('maxOutputTokens', number(v['max-output-tokens'], 'max-output-tokens'));
  set('outputTokensField', v['output-tokens-field']);
  set('priceIn', number(v['price-in'], 'price-in'));
  set('priceOut', number(v['price-out'], 'price-out'));
  set('structured', v.structured);
  set('crossoverProbability', number(v['crossover-p'], 'crossover-p'));
  set('memoryTokens', number(v['memory-tokens'], 'memory-tokens'));
  set('maxPromptTokens', number(v['max-prompt-tokens'], 'max-prompt-tokens'));
  if (v['no-kb-update']) o.kbUpdate = false;
  const prompts =
    v.prompts ?? (fs.existsSync(path.join(cwd, '.llm-nas', 'prompts')) ? '.llm-nas/prompts' : undefined);
  if (prompts) o.promptsDir = path.resolve(cwd, prompts);
  llmOptionsFrom({ operatorOptions: o }); // validate now: a bad flag is a usage error, not a failed run
  return o;
}

/** A missing key is caught before the run starts (local servers need none). */
export function checkApiKey(options: Record<string, unknown>): void {
  const s = llmOptionsFrom({ operatorOptions: options }).settings;
  const host = new URL(s.baseURL).hostname;
  const local = host === 'localhost' || host === '127.0.0.1' || host === '[::1]';
  if (!local && !process.env[s.apiKeyEnv])
    throw new ConfigError(
      `no API key for ${s.baseURL}: set ${s.apiKeyEnv} (or name another variable with --api-key-env)`,
    );
}

/** Budget overrides for `resume` (raise --max-cost / --max-tokens and continue). */
export function applyBudgetOverrides(dir: string, v: LlmArgValues): string | undefined {
  const cost = number(v['max-cost'], 'max-cost');
  const tokens = number(v['max-tokens'], 'max-tokens');
  if (cost === undefined && tokens === undefined) return undefined;
  const f = path.join(dir, 'config.json');
  const cfg = JSON.parse(fs.readFileSync(f, 'utf8')) as { operatorOptions?: Record<string, unknown> };
  cfg.operatorOptions = { ...cfg.operatorOptions };
  if (cost !== undefined) cfg.operatorOptions.maxCost = cost;
  if (tokens !== undefined) cfg.operatorOptions.maxTokens = tokens;
  llmOptionsFrom(cfg);
  const tmp = `${f}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(cfg, null, 2) + '\n');
  fs.renameSync(tmp, f);
  return `budget raised:${cost !== undefined ? ` --max-cost ${cost}` : ''}${tokens !== undefined ? ` --max-tokens ${tokens}` : ''}`;
}

/** The line the CLI prints for a run notice (LLM reply problems are summarised at the end instead). */
export function noticeLine(n: RunNotice): string | undefined {
  switch (n.type) {
    case 'kb/rejected':
      return `knowledge base: ${n.message}`;
    case 'kb/edited':
      return `knowledge base: your edit is in force from generation ${n.generation} (kept as ${n.file})`;
    case 'kb/deferred':
    case 'kb/global':
      return `knowledge base: ${n.message}`;
    case 'kb/seed':
      return n.message;
    case 'llm/budget':
      return `${n.message}: no new LLM call will start; running calls finish`;
    case 'run/repaired':
      return `run folder: ${n.file}: ${n.message}`;
    default:
      return undefined;
  }
}

const spendLine = (s: Spend): string =>
  `${s.calls} calls, ${s.tokens.toLocaleString('en-US')} tokens (${s.promptTokens.toLocaleString('en-US')} in / ` +
  `${s.completionTokens.toLocaleString('en-US')} out), cost ${s.cost.toFixed(4)}`;

/** Calls, tokens and cost of a run folder's llm.jsonl, for the run and per niche. */
export function llmSummary(dir: string): string | undefined {
  const recs = readLlmLog(path.join(dir, 'llm.jsonl'));
  if (!recs.length) return undefined;
  const { run, niches } = summarize(recs);
  const failed = recs.filter((r) => r.error).length;
  const lines = [`LLM: ${spendLine(run)}${failed ? `, ${failed} failed` : ''}`];
  for (const [n, s] of [...niches.entries()].sort((a, b) => a[0] - b[0]))
    lines.push(`  N${n}: ${spendLine(s)}`);
  return lines.join('\n');
}

/**
 * The bench's LLM searchers: the full method and the "without knowledge-base update" ablation. --max-cost and
 * --max-tokens cap the whole bench: each new search gets what its predecessors left.
 */
export function llmBenchSearchers(options: Record<string, unknown>): {
  operators: Record<
    string,
    { operator: (space: SearchSpace<Nb201Arch>) => LlmOperator<Nb201Arch>; partition: boolean }
  >;
  /** Calls and tokens of the operators created since the last call, per searcher. */
  take: (searcher: string) => { calls: number; tokens: number };
} {
  const made = new Map<string, LlmOperator<Nb201Arch>[]>();
  const all: LlmOperator<Nb201Arch>[] = [];
  const left = (cap: unknown, used: (o: LlmOperator<Nb201Arch>) => number): number | undefined =>
    typeof cap === 'number' ? Math.max(0, cap - all.reduce((n, o) => n + used(o), 0)) : undefined;
  const factory =
    (name: string, kbUpdate: boolean, partitioned = true) =>
    (space: SearchSpace<Nb201Arch>) => {
      const o: Record<string, unknown> = { ...options, kbUpdate };
      const cost = left(options['maxCost'], (op) => op.client.spend.cost);
      const tokens = left(options['maxTokens'], (op) => op.client.spend.tokens);
      if (cost !== undefined) o['maxCost'] = cost;
      if (tokens !== undefined) o['maxTokens'] = tokens;
      const op = new LlmOperator(
        space,
        llmOptionsFrom({ operatorOptions: o }),
        partitioned ? {} : { partition: singleNiche() },
      );
      made.set(name, [...(made.get(name) ?? []), op]);
      all.push(op);
      return op;
    };
  return {
    operators: {
      'llm-nas-llm': { operator: factory('llm-nas-llm', true), partition: true },
      'llm-nas-llm-nokb': { operator: factory('llm-nas-llm-nokb', false), partition: true },
      // the paper's "w/o partition" ablation with the LLM operator (its table: 0.516)
      'llm-nas-llm-nopartition': {
        operator: factory('llm-nas-llm-nopartition', true, false),
        partition: false,
      },
    },
    take: (searcher) => {
      const ops = made.get(searcher) ?? [];
      made.set(searcher, []);
      return {
        calls: ops.reduce((n, o) => n + o.client.spend.calls, 0),
        tokens: ops.reduce((n, o) => n + o.client.spend.tokens, 0),
      };
    },
  };
}
