// The LLM co-evolution operator (the paper's two stages, per niche and generation):
//   stage 1 — knowledge-base update: from last generation's candidates (architecture, objectives, rationale,
//             whether they entered the archive) and the niche's rules in force, the LLM rewrites the niche's
//             positive and negative rules, each with its evidence;
//   stage 2 — guided evolution: crossover or mutation (p = 0.5, configurable) of the niche's Pareto parents
//             under the knowledge base, N candidates with rationales.
// It implements the same Operator contract as the built-in one: every candidate goes through the core
// validator, rejection reasons (and this operator's own findings: unparsable JSON, wrong schema, truncation,
// refusal) come back in the loop's bounded re-ask, and the built-in operator fills whatever is still missing.

import path from 'node:path';
import {
  applyGlobalEdits,
  cleanRule,
  emptyKnowledgeBase,
  emptySection,
  formatKnowledgeBase,
  MAX_GLOBAL_EDITS,
  MAX_RULE_CHARS,
  MemoryKnowledge,
  parseKnowledgeBase,
  withNicheSection,
  type GlobalEdit,
  type KbRule,
  type KbSection,
  type KnowledgeHost,
} from '../knowledge.js';
import type { Member, Operator, OperatorRun, ProposeRequest, RawCandidate } from '../operator.js';
import type { SearchSpace } from '../space.js';
import { LlmClient, type ChatReply } from './client.js';
import { LlmError } from './errors.js';
import type { LlmRecord, Stage } from './record.js';
import type { LlmSettings } from './settings.js';
import type { Transport } from './transport.js';
import { readLlmLog, ReplayTransport } from './replay.js';
import type { PredictorInfo } from '../evaluator.js';
import type { ApiKeyResolver } from '../env.js';
import { MAX_REPLY_CHARS } from './transport.js';
import { extractJsonObject, JsonExtractionError, objectSpans } from './json.js';
import { crossoverPlan, nicheRows, renderMemory, unseenInNiche, type MemoryRow } from './memory.js';
import { defaultKnowledgeBase, loadTemplates, render, type Templates } from './prompts.js';
import { fitSeedKnowledgeBase } from './seed.js';
import { signalsText, spaceNotes } from './signals.js';
import type { Partition } from '../partition.js';

export interface LlmOperatorOptions {
  settings: LlmSettings;
  /** Probability of crossover (else mutation) per request; the paper's 0.5. */
  crossoverProbability: number;
  /** Stage 1 on/off (off = the paper's "without knowledge-base update" ablation). */
  kbUpdate: boolean;
  /** Most positive (and negative) rules per niche. */
  maxRules: number;
  /**
   * Extra candidates asked for, as a share of those needed: the first valid ones are used, so a duplicate or
   * an illegal proposal is absorbed without a whole re-ask round trip.
   */
  spare: number;
  /** Workspace folder overriding the shipped prompt templates. */
  promptsDir?: string;
  /** Token budget of the niche memory table (the archive is always shown; older cells go first). */
  memoryTokens: number;
  /** Cap on one rendered prompt (≈ 4 characters per token): the memory table, then the knowledge base, shrink. */
  maxPromptTokens: number;
  /** Where the API key comes from (the host's resolver; default: the environment variable settings name). */
  apiKeyFor?: ApiKeyResolver;
}

export const DEFAULT_OPERATOR_OPTIONS: Omit<LlmOperatorOptions, 'settings'> = {
  crossoverProbability: 0.5,
  kbUpdate: true,
  maxRules: 8,
  spare: 0.5,
  memoryTokens: 1500,
  maxPromptTokens: 6000,
};

/** Unseen cells of a niche listed in full when at most this many remain. */
export const LIST_UNSEEN = 24;
/** Longest rationale kept per candidate (a 6 MB rationale was once stored verbatim). */
export const MAX_RATIONALE_CHARS = 400;
/** Longest knowledge-base text put into one prompt (a 4.7 MB knowledge base once went into every prompt). */
export const MAX_KB_PROMPT_CHARS = 16_000;
/** The run folder's log of LLM calls, one record a line. */
const LLM_LOG = 'llm.jsonl';

/** A knowledge-base text cut at a line boundary, saying so. */
function cutKb(text: string, max: number): string {
  if (text.length <= max) return text;
  const head = text.slice(0, max);
  const at = head.lastIndexOf('\n');
  return `${at > 0 ? head.slice(0, at) : head}\n(knowledge base cut here: ${text.length - (at > 0 ? at : max)} more characters not shown, prompt cap)`;
}

/** The candidate objects of an evolve reply, or what is wrong with it. */
export function candidateItems(text: string): { items: unknown[]; error?: string; schemaError?: string } {
  try {
    const obj = extractJsonObject(text.length > MAX_REPLY_CHARS ? text.slice(0, MAX_REPLY_CHARS) : text);
    if (Array.isArray(obj['candidates'])) return { items: obj['candidates'] };
    // one bare candidate, or the first complete candidate of a list cut short: salvage every complete one
    if (typeof obj['arch'] === 'string')
      return /"candidates"/.test(text) ? { items: salvage(text) } : { items: [obj] };
    return {
      items: [],
      schemaError: `wrong JSON schema: expected {"candidates": [{"arch", "parents", "rationale"}, …]}, got keys ${JSON.stringify(Object.keys(obj)).slice(0, 120)}`,
    };
  } catch (e) {
    if (!(e instanceof JsonExtractionError)) throw e;
    // a truncated reply may still hold complete candidate objects
    const items = salvage(text);
    return items.length ? { items } : { items: [], error: e.message };
  }
}

/** Complete candidate objects of a reply whose JSON does not parse as a whole (cut off, or prose around). */
function salvage(text: string): Record<string, unknown>[] {
  return objectSpans(text.length > MAX_REPLY_CHARS ? text.slice(0, MAX_REPLY_CHARS) : text, 64)
    .map((s) => {
      try {
        return JSON.parse(s) as unknown;
      } catch {
        return undefined;
      }
    })
    .filter((o): o is Record<string, unknown> => !!o && typeof o === 'object' && 'arch' in o);
}

/**
 * The Global edits of a stage-1 reply ("global_edits", optional: absent or empty = none), or what is wrong with
 * their shape. Whether they apply to the Global rules in force is checked by applyGlobalEdits.
 */
export function parseGlobalEdits(obj: Record<string, unknown>): { edits: GlobalEdit[] } | { error: string } {
  const arr = obj['global_edits'];
  if (arr === undefined || arr === null) return { edits: [] };
  if (!Array.isArray(arr))
    return {
      error:
        'wrong JSON schema: "global_edits" must be a list of {"action", "list", "rule", "new_rule", "evidence"}',
    };
  const edits: GlobalEdit[] = [];
  for (const [i, it] of arr.entries()) {
    const o = (it && typeof it === 'object' ? it : {}) as Record<string, unknown>;
    const str = (k: string): string =>
      typeof o[k] === 'string' ? (o[k] as string).replace(/\s+/g, ' ').trim() : '';
    const action = str('action').toLowerCase();
    const list = str('list').toLowerCase();
    if (action !== 'add' && action !== 'remove' && action !== 'reword')
      return {
        error: `global_edits[${i}]: "action" must be add, remove or reword, got ${JSON.stringify(o['action'] ?? null).slice(0, 40)}`,
      };
    if (list !== 'positive' && list !== 'negative')
      return {
        error: `global_edits[${i}]: "list" must be positive or negative, got ${JSON.stringify(o['list'] ?? null).slice(0, 40)}`,
      };
    if (!str('rule')) return { error: `global_edits[${i}]: "rule" is empty` };
    if (action === 'reword' && !str('new_rule'))
      return { error: `global_edits[${i}]: a reword needs "new_rule"` };
    edits.push({
      action,
      list,
      rule: str('rule'),
      ...(action === 'reword' ? { newRule: str('new_rule') } : {}),
      evidence: str('evidence'),
    });
  }
  return { edits };
}

/** The rules of a stage-1 reply, with the ones a cap dropped (too long, over the count), or what is wrong. */
export function parseKbReply(
  text: string,
  maxRules: number,
):
  | { positive: KbRule[]; negative: KbRule[]; dropped: string[]; global: ReturnType<typeof parseGlobalEdits> }
  | { error: string; json: boolean } {
  let obj: Record<string, unknown>;
  try {
    obj = extractJsonObject(text.length > MAX_REPLY_CHARS ? text.slice(0, MAX_REPLY_CHARS) : text);
  } catch (e) {
    if (e instanceof JsonExtractionError) return { error: e.message, json: false };
    throw e;
  }
  const lists: Record<'positive' | 'negative', KbRule[]> = { positive: [], negative: [] };
  const dropped: string[] = [];
  for (const name of ['positive', 'negative'] as const) {
    const arr = obj[name];
    if (!Array.isArray(arr))
      return { error: `wrong JSON schema: "${name}" must be a list of {"rule", "evidence"}`, json: true };
    let over = 0;
    arr.forEach((it, i) => {
      const o = (it && typeof it === 'object' ? it : { rule: it }) as Record<string, unknown>;
      const r = cleanRule(o['rule'], o['evidence']);
      if (typeof r === 'string') dropped.push(`${name}[${i}]: ${r}`);
      else if (lists[name].length < maxRules) lists[name].push(r);
      else over++;
    });
    if (over) dropped.push(`${over} ${name} rule${over === 1 ? '' : 's'} over the limit of ${maxRules}`);
  }
  return { ...lists, dropped, global: parseGlobalEdits(obj) };
}

/** The architecture specs proposed in an evolve reply (for the next prompts' accounts of them). */
function candidateSpecs(text: string): unknown[] {
  return candidateItems(text)
    .items.map((it) => (it && typeof it === 'object' ? (it as Record<string, unknown>)['arch'] : undefined))
    .filter((a) => typeof a === 'string' || (typeof a === 'object' && a !== null))
    .slice(0, 64);
}

const ruleSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['rule', 'evidence'],
  properties: { rule: { type: 'string' }, evidence: { type: 'string' } },
};
const globalEditSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['action', 'list', 'rule', 'new_rule', 'evidence'],
  properties: {
    action: { type: 'string', enum: ['add', 'remove', 'reword'] },
    list: { type: 'string', enum: ['positive', 'negative'] },
    rule: { type: 'string' },
    new_rule: { type: 'string' },
    evidence: { type: 'string' },
  },
};
export const KB_SCHEMA = {
  name: 'knowledge_base_update',
  schema: {
    type: 'object',
    additionalProperties: false,
    required: ['positive', 'negative', 'global_edits'],
    properties: {
      positive: { type: 'array', items: ruleSchema },
      negative: { type: 'array', items: ruleSchema },
      global_edits: { type: 'array', items: globalEditSchema },
    },
  },
};
export const EVOLVE_SCHEMA = {
  name: 'architecture_proposals',
  schema: {
    type: 'object',
    additionalProperties: false,
    required: ['candidates'],
    properties: {
      candidates: {
        type: 'array',
        items: {
          type: 'object',
          additionalProperties: false,
          required: ['arch', 'parents', 'rationale'],
          properties: {
            arch: { type: 'string' },
            parents: { type: 'array', items: { type: 'string' } },
            rationale: { type: 'string' },
          },
        },
      },
    },
  },
};

interface NicheGen {
  stage1?: Promise<KbSection>;
  attempts: number;
  /** Problems with earlier replies in this niche and generation, told to the model on the re-ask. */
  problems: string[];
  /** A transport failure (after the SDK's retries): no further calls this generation, the fallback fills. */
  dead: boolean;
}

export interface OperatorHooks {
  knowledge?: KnowledgeHost;
  /** Signal for HTTP requests (user cancellation); defaults to the request's signal. */
  httpSignal?: AbortSignal;
  transport?: Transport;
  log?: (r: LlmRecord) => void;
  onBudget?: (message: string) => void;
  /** A problem with a reply or a call that the run should show (it does not stop the run). */
  onProblem?: (niche: number, generation: number, stage: Stage, message: string) => void;
}

/** What the operator knows about the run beyond the space: the predictor's scale (explained in prompts). */
export interface LlmOperatorContext {
  predictor?: PredictorInfo;
  /** The run's niches: the shipped seed knowledge base is fitted to them (benchmarks without a run folder). */
  partition?: Pick<Partition, 'kind' | 'niches'>;
}

export class LlmOperator<A = unknown> implements Operator<A> {
  readonly id = 'llm';
  /**
   * A resumed run whose llm.jsonl can answer the interrupted generation's calls replays that generation
   * exactly, like the built-in operator (same prompts, same replies, same candidates); otherwise not.
   */
  get deterministic(): boolean {
    return this.client.hasRecorded;
  }
  /** Evolve replies by call key (this run's, and a resumed run's from llm.jsonl). */
  private readonly replies = new Map<string, string>();
  private ingested = false;
  private readonly notes: string;
  readonly client: LlmClient;
  private knowledge: KnowledgeHost;
  private httpSignal: AbortSignal | undefined;
  private onProblem: NonNullable<OperatorHooks['onProblem']> = () => {};
  private readonly state = new Map<string, NicheGen>();
  private templates: Templates | undefined;

  constructor(
    readonly space: SearchSpace<A>,
    readonly options: LlmOperatorOptions,
    readonly context: LlmOperatorContext = {},
  ) {
    this.client = new LlmClient(options.settings, { apiKeyFor: options.apiKeyFor });
    this.notes = spaceNotes(space.id, options.promptsDir);
    const seed = defaultKnowledgeBase(space.id);
    this.knowledge = new MemoryKnowledge(
      seed
        ? context.partition
          ? fitSeedKnowledgeBase(seed, context.partition).kb
          : parseKnowledgeBase(seed)
        : emptyKnowledgeBase(),
    );
  }

  attach(h: OperatorHooks): void {
    if (h.knowledge) this.knowledge = h.knowledge;
    if (h.httpSignal) this.httpSignal = h.httpSignal;
    if (h.onProblem) this.onProblem = h.onProblem;
    this.client.attach(h);
  }

  /** Resolves when no LLM call is in flight. */
  idle(): Promise<void> {
    return this.client.idle();
  }

  /** The API key's value (from the variable the settings name): kept out of the run folder. */
  secrets(): (string | undefined)[] {
    return [process.env[this.client.settings.apiKeyEnv]];
  }

  /** A recorded run's calls and replies (its llm.jsonl), for a replay. */
  loadRecording(dir: string): LlmRecord[] {
    return readLlmLog(path.join(dir, LLM_LOG));
  }

  /**
   * Binds the operator to a run folder: a resumed run's calls are restored from its llm.jsonl, every call is
   * appended there, a replay answers from the recording, and budget stops and problems go to the run.
   */
  attachRun(run: OperatorRun): void {
    if (run.resume) this.client.restore(readLlmLog(path.join(run.dir, LLM_LOG)));
    this.attach({
      knowledge: run.knowledge,
      httpSignal: run.signal,
      ...(run.recording !== undefined
        ? { transport: new ReplayTransport(run.recording as LlmRecord[]) }
        : {}),
      log: (r) => run.appendLine(LLM_LOG, JSON.stringify(r)),
      onBudget: (message) => run.budgetStop(message),
      onProblem: (niche, generation, stage, message) => run.problem(niche, generation, stage, message),
    });
  }

  private tpl(): Templates {
    this.templates ??= loadTemplates(this.options.promptsDir);
    return this.templates;
  }

  async propose(req: ProposeRequest<A>): Promise<RawCandidate[]> {
    req.signal.throwIfAborted();
    this.ingestRestored();
    const nid = req.niche.id;
    const gen = req.generation;
    const k = `${nid}/${gen}`;
    let st = this.state.get(k);
    if (!st) {
      st = { attempts: 0, problems: [], dead: false };
      this.state.set(k, st);
      for (const key of this.state.keys()) if (Number(key.split('/')[1]) < gen - 1) this.state.delete(key);
      // prompts use this generation's and the previous one's replies only
      for (const key of this.replies.keys())
        if (Number(/\/g(\d+)\//.exec(key)?.[1] ?? gen) < gen - 1) this.replies.delete(key);
    }
    // crossover or mutation: drawn from the generation's stream before any await, so a replay draws the same
    let op: 'crossover' | 'mutation' =
      req.parents.length >= 2 && req.rng.next() < this.options.crossoverProbability
        ? 'crossover'
        : 'mutation';
    if (st.dead) return [];
    st.stage1 ??= this.stage1(req);
    const section = await st.stage1;
    if (st.dead) return [];
    const kb = withNicheSection(this.knowledge.inForce(gen), nid, section);
    const t = this.tpl();
    const costs = req.objectives.slice(1);
    const rows = nicheRows(req);
    const byKey = new Map(rows.map((r) => [this.space.canonicalKey(r.member.arch), r.member]));
    const status = this.nicheStatus(req, rows);
    // how many answers are evaluated: the loop's count, at most what the niche still holds
    let evaluate = req.count;
    if (status.unseen !== undefined) evaluate = Math.max(1, Math.min(evaluate, status.unseen.length));
    let opNote = '';
    if (op === 'crossover') {
      const plan = crossoverPlan(req, req.parents);
      if (plan.novel < evaluate) {
        op = 'mutation';
        opNote =
          `Crossover of these parents can produce only ${plan.novel} novel cell${plan.novel === 1 ? '' : 's'} in this ` +
          `niche (fewer than the ${evaluate} needed), so this request is a mutation.\n`;
      } else if (plan.novel < 4 * evaluate)
        // tight: name the pairs that still have novel children (diverse pairs first)
        opNote =
          `Parent pairs with the most novel in-niche crossover children (about ${plan.novel} in all): ` +
          plan.pairs.map((p) => `${p.a} × ${p.b} (${p.children})`).join(', ') +
          '.\n';
      else
        opNote = `The parents have about ${plan.novel} novel in-niche crossover children; pick diverse pairs.\n`;
    }
    let ask = evaluate + Math.ceil(evaluate * this.options.spare);
    if (status.unseen !== undefined) ask = Math.min(ask, status.unseen.length) || 1;
    const problems = [...st.problems, ...req.feedback.map((f) => this.explainRejection(f, byKey))].slice(-12);
    // parents are the archive (marked "yes" in the table), topped up when the archive has fewer than 4
    const topUps = req.parents.filter((m) => rows.find((r) => r.member.id === m.id)?.inArchive === false);
    const parentsText =
      req.parents.length && topUps.length < req.parents.length
        ? `the archive members (in archive = yes)${topUps.length ? ` and, as the archive has fewer than 4, ${topUps.map((m) => m.id).join(', ')}` : ''}`
        : req.parents.map((m) => m.id).join(', ');
    const vars = (memoryChars: number, kbText: string): Record<string, string | number> => ({
      ...this.common(req, status.text),
      knowledge_base: kbText,
      memory: renderMemory(this.space, rows, costs, memoryChars).text,
      parents: parentsText,
      operation: op,
      operation_instructions:
        (op === 'crossover'
          ? 'Combine two parents: each candidate takes every edge (slot) from one of its two parents, then changes as ' +
            'little as needed to satisfy the niche constraint. Name both parents. Let the positive rules decide which ' +
            "parent's choices to keep and the negative rules what to drop."
          : 'Mutate one parent: change one or two operations (slots), following the positive rules and avoiding the ' +
            'negative ones. Name the parent.') +
        `\nParents: ${parentsText}.` +
        (opNote ? `\n${opNote.trimEnd()}` : ''),
      this_generation: this.thisGenerationText(req, rows),
      not_evaluated: this.notEvaluatedText(req, gen - 1, byKey),
      feedback: problems.length
        ? `\n## Problems with earlier answers in this generation (fix them)\n\n${problems.map((p) => `- ${p}`).join('\n')}\n`
        : '',
      recent:
        rows
          .filter((r) => r.member.generation === gen - 1)
          .map((r) => `- ${this.space.format(r.member.arch)}`)
          .join('\n') || '(none yet)',
      count: ask,
      evaluate,
    });
    const user = this.fitPrompt(t.text.evolve, vars, formatKnowledgeBase(kb, nid).trim(), req, 'evolve');
    const attempt = st.attempts++;
    const reply = await this.call(req, 'evolve', attempt, user, EVOLVE_SCHEMA, st);
    if (!reply) return [];
    if (reply.content) this.replies.set(`N${nid}/g${gen}/evolve/${attempt}`, reply.content);
    const { candidates, problems: found } = this.readCandidates(reply, req, op, ask);
    st.problems = found;
    for (const p of found) this.onProblem(nid, gen, 'evolve', p);
    return candidates;
  }

  /** Replies of a resumed run's earlier calls (llm.jsonl): last generation's proposals come from them. */
  private ingestRestored(): void {
    if (this.ingested) return;
    this.ingested = true;
    for (const r of this.client.restoredRecords)
      if (r.stage === 'evolve' && r.reply?.content) this.replies.set(r.key, r.reply.content);
  }

  /** Niche size, how much of it is evaluated, and the unseen cells when few remain. */
  private nicheStatus(req: ProposeRequest<A>, rows: readonly MemoryRow<A>[]): { text: string; unseen?: A[] } {
    const u = unseenInNiche(req);
    if (!u) return { text: `${rows.length} architectures evaluated in this niche so far.` };
    let text =
      `This niche holds ${u.total} distinct (non-isomorphic) architectures; ${rows.length} evaluated here so far, ` +
      `${u.unseen.length} never evaluated in this run.`;
    if (u.unseen.length <= LIST_UNSEEN)
      text +=
        u.unseen.length === 0
          ? ' None is left: every architecture of the niche has been evaluated.'
          : ` They are all of the remaining choices:\n${u.unseen.map((a) => `- ${this.space.format(a)}`).join('\n')}`;
    return { text, unseen: u.unseen };
  }

  /** What became of this niche's Global edits of the last generation (empty when it proposed none). */
  private globalOutcomeText(niche: number, gen: number): string {
    const o = gen >= 1 ? this.knowledge.globalOutcome?.(niche, gen) : undefined;
    return o ? `\n## Your Global edits of generation ${gen}\n\n${o}\n` : '';
  }

  /** Cells of this generation already taken by earlier answers (being evaluated): not to be proposed again. */
  private thisGenerationText(req: ProposeRequest<A>, rows: readonly MemoryRow<A>[]): string {
    const inHistory = new Set(rows.map((r) => this.space.canonicalKey(r.member.arch)));
    const taken: string[] = [];
    const seen = new Set<string>();
    for (const spec of this.proposalsOf(req.niche.id, req.generation)) {
      const a = this.tryParse(spec);
      if (a === undefined) continue;
      const key = this.space.canonicalKey(a);
      if (seen.has(key) || inHistory.has(key) || req.isNovel(a) || !req.niche.contains(a)) continue;
      seen.add(key);
      taken.push(`- ${this.space.format(a)}`);
    }
    return taken.length
      ? `\n## Taken earlier in this generation (being evaluated; do not repeat)\n\n${taken.join('\n')}\n`
      : '';
  }

  /** Last generation's proposals that were not evaluated, each with the reason (from the recorded replies). */
  private notEvaluatedText(
    req: ProposeRequest<A>,
    gen: number,
    byKey: Map<string, Member<A>>,
    listSpares = true,
  ): string {
    if (gen < 1) return '';
    const lines: string[] = [];
    let spares = 0;
    const seen = new Set<string>();
    for (const spec of this.proposalsOf(req.niche.id, gen)) {
      const a = this.tryParse(spec);
      const text = typeof spec === 'string' ? spec : JSON.stringify(spec);
      if (a === undefined) {
        lines.push(`- ${text.slice(0, 160)}: illegal in this space`);
        continue;
      }
      const key = this.space.canonicalKey(a);
      const f = this.space.format(a);
      if (seen.has(key)) {
        lines.push(`- ${f}: repeated within your answers`);
        continue;
      }
      seen.add(key);
      const m = byKey.get(key);
      if (m && m.generation === gen && this.space.format(m.arch) === f) continue; // evaluated
      if (!req.niche.contains(a)) lines.push(`- ${f}: outside the niche`);
      else if (m) lines.push(`- ${f}: same cell as ${m.id} (evaluated in g${m.generation})`);
      else if (!req.isNovel(a)) lines.push(`- ${f}: evaluated in another niche`);
      else if (listSpares) lines.push(`- ${f}: unused spare, still unseen`);
      else spares++;
    }
    if (spares)
      lines.push(
        `- ${spares} unused spare${spares === 1 ? '' : 's'} (over the count; still unseen, not listed here)`,
      );
    if (!lines.length) return '';
    const shown = lines.slice(0, 16);
    return (
      `\n## Your generation-${gen} proposals that were not evaluated, and why\n\n${shown.join('\n')}` +
      (lines.length > shown.length ? `\n(${lines.length - shown.length} more not shown)` : '') +
      '\n'
    );
  }

  /** Candidate specs of a niche and generation's recorded evolve replies, in attempt order. */
  private proposalsOf(niche: number, gen: number): unknown[] {
    const out: unknown[] = [];
    for (let attempt = 0; ; attempt++) {
      const content = this.replies.get(`N${niche}/g${gen}/evolve/${attempt}`);
      if (content === undefined) break;
      out.push(...candidateSpecs(content));
    }
    return out;
  }

  private tryParse(spec: unknown): A | undefined {
    try {
      return this.space.parse(spec);
    } catch {
      return undefined;
    }
  }

  /** A validator message with the id of the cell a duplicate repeats. */
  private explainRejection(message: string, byKey: Map<string, Member<A>>): string {
    if (!/duplicates \(or is isomorphic to\)/.test(message)) return message;
    const a = this.tryParse(message.split(' ')[0]);
    const m = a === undefined ? undefined : byKey.get(this.space.canonicalKey(a));
    return m
      ? `${message}: ${m.id} (g${m.generation}, in the memory table)`
      : `${message} (earlier in this generation)`;
  }

  /**
   * Renders a template under the prompt cap: the memory table gets its token budget (the archive always
   * shown); when the prompt is still over maxPromptTokens, older rows go, then the knowledge base is cut,
   * and the run is told.
   */
  private fitPrompt(
    template: string,
    vars: (memoryChars: number, kb: string) => Record<string, string | number>,
    kbText: string,
    req: ProposeRequest<A>,
    stage: Stage,
  ): string {
    const cap = this.options.maxPromptTokens * 4;
    let kb = kbText.length > MAX_KB_PROMPT_CHARS ? cutKb(kbText, MAX_KB_PROMPT_CHARS) : kbText;
    let out = render(template, vars(this.options.memoryTokens * 4, kb));
    if (out.length > cap) out = render(template, vars(0, kb));
    if (out.length > cap) {
      kb = cutKb(kb, Math.max(400, kb.length - (out.length - cap)));
      out = render(template, vars(0, kb));
    }
    if (kb !== kbText || out.length > cap)
      this.onProblem(
        req.niche.id,
        req.generation,
        stage,
        `prompt cap: the ${stage} prompt of ${req.niche.name} would exceed ${this.options.maxPromptTokens} tokens ` +
          `(≈${Math.ceil(out.length / 4)} now); the knowledge base was cut to ${kb.length} characters ` +
          `(raise operatorOptions.maxPromptTokens or shorten the knowledge base)`,
      );
    return out;
  }

  private common(req: ProposeRequest<A>, nicheStatus: string): Record<string, string | number> {
    return {
      niche: req.niche.name,
      grammar: req.space.grammar(),
      constraint: req.niche.constraint,
      objectives: req.objectives.map((o, i) => (i === 0 ? `${o} (maximise)` : `${o} (minimise)`)).join(', '),
      generation: req.generation,
      space_notes: this.notes,
      niche_status: nicheStatus,
      signals: signalsText(req.objectives, this.context.predictor),
    };
  }

  /** One chat call; undefined when it failed in a way the fallback should absorb. */
  private async call(
    req: ProposeRequest<A>,
    stage: Stage,
    attempt: number,
    user: string,
    schema: { name: string; schema: Record<string, unknown> },
    st: NicheGen,
  ): Promise<ChatReply | undefined> {
    const nid = req.niche.id;
    const gen = req.generation;
    try {
      return await this.client.chat({
        key: `N${nid}/g${gen}/${stage}/${attempt}`,
        niche: nid,
        generation: gen,
        stage,
        attempt,
        messages: [
          { role: 'system', content: this.tpl().text.system.trim() },
          { role: 'user', content: user },
        ],
        schema,
        signal: this.httpSignal ?? req.signal,
      });
    } catch (e) {
      if (e instanceof LlmError) {
        if (e.kind === 'budget') {
          // the run's budget hook stops the search; without one the error itself ends it
          req.signal.throwIfAborted();
          throw e;
        }
        if (e.fatal) throw e;
        st.dead = true;
        this.onProblem(nid, gen, stage, `${stage} call failed: ${e.message}`);
        return undefined;
      }
      throw e;
    }
  }

  /** Problems common to any reply: no choices, refusal, truncation, no content. */
  private replyProblem(r: ChatReply): string | undefined {
    if (r.choices === 0) return 'the reply had no choices';
    if (r.refusal) return `the model refused: "${r.refusal.slice(0, 200)}"`;
    if (!r.content?.trim()) return `the reply had no content (finish_reason ${r.finishReason ?? 'none'})`;
    return undefined;
  }

  private readCandidates(
    r: ChatReply,
    req: ProposeRequest<A>,
    op: string,
    asked: number,
  ): { candidates: RawCandidate[]; problems: string[] } {
    const problems: string[] = [];
    const bad = this.replyProblem(r);
    if (bad) return { candidates: [], problems: [bad] };
    const text = r.content!;
    const truncated = r.finishReason === 'length';
    if (truncated)
      problems.push(
        'the reply was cut off at the token limit (finish_reason "length"): keep rationales to one sentence',
      );
    if (r.record.reply?.cut)
      problems.push(
        `the reply was ${r.record.reply.cut} characters; only the first ${MAX_REPLY_CHARS} were read (reply size cap)`,
      );
    const parsed = candidateItems(text);
    if (parsed.schemaError) {
      problems.push(parsed.schemaError);
      return { candidates: [], problems };
    }
    if (parsed.error) {
      if (!truncated) problems.push(parsed.error);
      return { candidates: [], problems };
    }
    let items = parsed.items;
    const maxRead = Math.max(2 * asked, 16);
    if (items.length > maxRead) {
      problems.push(
        `the reply had ${items.length} candidates; only the first ${maxRead} were read (${asked} were asked for)`,
      );
      items = items.slice(0, maxRead);
    }
    const parentIds = new Set(req.parents.map((m) => m.id));
    const candidates: RawCandidate[] = [];
    let cutRationales = 0;
    items.forEach((it, i) => {
      if (!it || typeof it !== 'object') {
        problems.push(`candidates[${i}]: expected an object with "arch", "parents", "rationale"`);
        return;
      }
      const o = it as Record<string, unknown>;
      const arch = o['arch'];
      if (typeof arch !== 'string' && (typeof arch !== 'object' || arch === null)) {
        problems.push(
          `candidates[${i}].arch: expected the architecture in the space's notation, got ${typeof arch}`,
        );
        return;
      }
      const parents = Array.isArray(o['parents'])
        ? o['parents'].filter((p): p is string => typeof p === 'string' && parentIds.has(p)).slice(0, 4)
        : [];
      let rationale = typeof o['rationale'] === 'string' ? o['rationale'].replace(/\s+/g, ' ').trim() : '';
      if (rationale.length > MAX_RATIONALE_CHARS) {
        rationale = rationale.slice(0, MAX_RATIONALE_CHARS - 1) + '…';
        cutRationales++;
      }
      candidates.push({ spec: arch, rationale: rationale || `LLM ${op}`, operator: `llm:${op}`, parents });
    });
    if (cutRationales)
      problems.push(
        `${cutRationales} rationale${cutRationales === 1 ? ' was' : 's were'} longer than ${MAX_RATIONALE_CHARS} characters and cut: keep them to one sentence`,
      );
    return { candidates, problems };
  }

  /** Stage 1: the niche's rules revised from the niche's history (or the rules in force, unchanged). */
  private async stage1(req: ProposeRequest<A>): Promise<KbSection> {
    const nid = req.niche.id;
    const gen = req.generation;
    const kb = this.knowledge.inForce(gen);
    // a niche without a section yet gets one titled with its constraint
    const current = kb.niches.get(nid) ?? emptySection(req.niche.constraint);
    const rows = nicheRows(req);
    const last = rows.filter((r) => r.member.generation === gen - 1);
    if (!this.options.kbUpdate || last.length === 0) return current;
    const byKey = new Map(rows.map((r) => [this.space.canonicalKey(r.member.arch), r.member]));
    // archive marks and dominating members are in the memory table; here what only this generation has
    const previous = last
      .map((r) => {
        const m = r.member;
        const why =
          r.source === 'llm'
            ? `rationale: ${m.rationale ?? '(none)'}`
            : r.source === 'fill-in'
              ? 'built-in fill-in (not your proposal; its rationale and surrogate estimates are not evidence)'
              : 'random initial sample';
        return `- ${m.id} (${r.inArchive ? 'entered the archive' : 'not in the archive'}): ${why}`;
      })
      .join('\n');
    const status = this.nicheStatus(req, rows);
    const t = this.tpl();
    const user = this.fitPrompt(
      t.text['kb-update'],
      (memoryChars, kbText) => ({
        ...this.common(req, status.text),
        knowledge_base: kbText,
        memory: renderMemory(this.space, rows, req.objectives.slice(1), memoryChars).text,
        previous,
        last_generation: gen - 1,
        not_evaluated: this.notEvaluatedText(req, gen - 1, byKey, false),
        max_rules: this.options.maxRules,
        max_rule_chars: MAX_RULE_CHARS,
        max_global_edits: MAX_GLOBAL_EDITS,
        next_generation: gen + 1,
        global_outcome: this.globalOutcomeText(nid, gen - 1),
      }),
      formatKnowledgeBase(kb, nid).trim(),
      req,
      'kb-update',
    );
    const st = this.state.get(`${nid}/${gen}`)!;
    const reply = await this.call(req, 'kb-update', 0, user, KB_SCHEMA, { ...st, dead: false });
    if (!reply) return current;
    const problem = (m: string): KbSection => {
      this.onProblem(nid, gen, 'kb-update', `${m}; the rules in force stay unchanged`);
      return current;
    };
    const bad = this.replyProblem(reply);
    if (bad) return problem(bad);
    const parsed = parseKbReply(reply.content!, this.options.maxRules);
    if ('error' in parsed)
      return problem(
        parsed.json === false && reply.finishReason === 'length'
          ? 'the knowledge-base reply was cut off (finish_reason "length")'
          : parsed.error,
      );
    const lists = parsed;
    if (parsed.dropped.length)
      this.onProblem(nid, gen, 'kb-update', `rules not kept: ${parsed.dropped.join('; ')}`);
    const section: KbSection = { ...current, positive: lists.positive, negative: lists.negative };
    this.knowledge.revise(nid, gen, section);
    // Global edits: checked now against the Global rules in force, applied (at most one niche's per
    // generation) at the next generation boundary
    const g = parsed.global;
    const checked = 'error' in g ? g : applyGlobalEdits(kb.global, g.edits, this.options.maxRules);
    if ('error' in checked) {
      // kept with the reason (a bad shape as no edits), so the niche's next prompt can say it was rejected
      this.knowledge.proposeGlobal?.(
        nid,
        gen,
        'edits' in g ? g.edits : [],
        this.options.maxRules,
        checked.error,
      );
      this.onProblem(
        nid,
        gen,
        'kb-update',
        `Global edits rejected: ${checked.error}; the Global rules in force stay unchanged`,
      );
    } else if ('edits' in g && g.edits.length)
      this.knowledge.proposeGlobal?.(nid, gen, g.edits, this.options.maxRules);
    return section;
  }
}
