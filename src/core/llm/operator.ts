// The LLM co-evolution operator (the paper's two stages, per niche and generation):
//   stage 1 — knowledge-base update: from last generation's candidates (architecture, objectives, rationale,
//             whether they entered the archive) and the niche's rules in force, the LLM rewrites the niche's
//             positive and negative rules, each with its evidence;
//   stage 2 — guided evolution: crossover or mutation (p = 0.5, configurable) of the niche's Pareto parents
//             under the knowledge base, N candidates with rationales.
// It implements the same Operator contract as the built-in one: every candidate goes through the core
// validator, rejection reasons (and this operator's own findings: unparsable JSON, wrong schema, truncation,
// refusal) come back in the loop's bounded re-ask, and the built-in operator fills whatever is still missing.

import {
  cleanRule,
  emptyKnowledgeBase,
  emptySection,
  formatKnowledgeBase,
  MAX_RULE_CHARS,
  MemoryKnowledge,
  parseKnowledgeBase,
  withNicheSection,
  type KbRule,
  type KbSection,
  type KnowledgeHost,
} from '../knowledge.js';
import type { Member, Operator, ProposeRequest, RawCandidate } from '../operator.js';
import type { SearchSpace } from '../space.js';
import {
  LlmClient,
  LlmError,
  type ChatReply,
  type LlmSettings,
  type Stage,
  type Transport,
  type LlmRecord,
} from './client.js';
import { extractJsonObject, JsonExtractionError, objectSpans } from './json.js';
import { defaultKnowledgeBase, loadTemplates, render, type Templates } from './prompts.js';

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
}

export const DEFAULT_OPERATOR_OPTIONS: Omit<LlmOperatorOptions, 'settings'> = {
  crossoverProbability: 0.5,
  kbUpdate: true,
  maxRules: 8,
  spare: 0.5,
};

const ruleSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['rule', 'evidence'],
  properties: { rule: { type: 'string' }, evidence: { type: 'string' } },
};
export const KB_SCHEMA = {
  name: 'knowledge_base_update',
  schema: {
    type: 'object',
    additionalProperties: false,
    required: ['positive', 'negative'],
    properties: {
      positive: { type: 'array', items: ruleSchema },
      negative: { type: 'array', items: ruleSchema },
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

export class LlmOperator<A = unknown> implements Operator<A> {
  readonly id = 'llm';
  readonly deterministic = false;
  readonly client: LlmClient;
  private knowledge: KnowledgeHost;
  private httpSignal: AbortSignal | undefined;
  private onProblem: NonNullable<OperatorHooks['onProblem']> = () => {};
  private readonly state = new Map<string, NicheGen>();
  private templates: Templates | undefined;

  constructor(
    readonly space: SearchSpace<A>,
    readonly options: LlmOperatorOptions,
  ) {
    this.client = new LlmClient(options.settings);
    const seed = defaultKnowledgeBase(space.id);
    this.knowledge = new MemoryKnowledge(seed ? parseKnowledgeBase(seed) : emptyKnowledgeBase());
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

  private tpl(): Templates {
    this.templates ??= loadTemplates(this.options.promptsDir);
    return this.templates;
  }

  async propose(req: ProposeRequest<A>): Promise<RawCandidate[]> {
    req.signal.throwIfAborted();
    const nid = req.niche.id;
    const gen = req.generation;
    const k = `${nid}/${gen}`;
    let st = this.state.get(k);
    if (!st) {
      st = { attempts: 0, problems: [], dead: false };
      this.state.set(k, st);
      for (const key of this.state.keys()) if (Number(key.split('/')[1]) < gen - 1) this.state.delete(key);
    }
    // crossover or mutation: drawn from the generation's stream before any await, so a replay draws the same
    const op =
      req.parents.length >= 2 && req.rng.next() < this.options.crossoverProbability
        ? 'crossover'
        : 'mutation';
    if (st.dead) return [];
    st.stage1 ??= this.stage1(req);
    const section = await st.stage1;
    if (st.dead) return [];
    const kb = withNicheSection(this.knowledge.inForce(gen), nid, section);
    const t = this.tpl();
    const problems = [...st.problems, ...req.feedback].slice(-12);
    const user = render(t.text.evolve, {
      ...this.common(req),
      knowledge_base: formatKnowledgeBase(kb, nid).trim(),
      parents: req.parents.map((m) => this.memberLine(m, req.objectives)).join('\n'),
      operation: op,
      operation_instructions:
        op === 'crossover'
          ? 'Combine two parents: each candidate takes every edge (slot) from one of its two parents, then changes as ' +
            'little as needed to satisfy the niche constraint. Name both parents. Let the positive rules decide which ' +
            "parent's choices to keep and the negative rules what to drop."
          : 'Mutate one parent: change one or two operations (slots), following the positive rules and avoiding the ' +
            'negative ones. Name the parent.',
      feedback: problems.length
        ? `\n## Problems with earlier answers in this generation (fix them)\n\n${problems.map((p) => `- ${p}`).join('\n')}\n`
        : '',
      recent: req.previous.length
        ? req.previous.map((o) => `- ${this.space.format(o.member.arch)}`).join('\n')
        : '(none yet)',
      count: req.count + Math.ceil(req.count * this.options.spare),
    });
    const attempt = st.attempts++;
    const reply = await this.call(req, 'evolve', attempt, user, EVOLVE_SCHEMA, st);
    if (!reply) return [];
    const { candidates, problems: found } = this.readCandidates(reply, req, op);
    st.problems = found;
    for (const p of found) this.onProblem(nid, gen, 'evolve', p);
    return candidates;
  }

  private common(req: ProposeRequest<A>): Record<string, string | number> {
    return {
      niche: req.niche.name,
      grammar: req.space.grammar(),
      constraint: req.niche.constraint,
      objectives: req.objectives.map((o, i) => (i === 0 ? `${o} (maximise)` : `${o} (minimise)`)).join(', '),
      generation: req.generation,
    };
  }

  private memberLine(m: Member<A>, objectives: readonly string[]): string {
    const vals = objectives.map((o, i) =>
      i === 0 ? `${o} ${m.evaluation.predictedAccuracy.toFixed(4)}` : `${o} ${fmt(m.evaluation.hw[o])}`,
    );
    const f = Object.entries(this.space.features(m.arch))
      .map(([k, v]) => `${k} ${fmt(v)}`)
      .join(', ');
    return `- id=${m.id} arch=${this.space.format(m.arch)} | ${vals.join(', ')} | ${f}`;
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
  ): { candidates: RawCandidate[]; problems: string[] } {
    const problems: string[] = [];
    const bad = this.replyProblem(r);
    if (bad) return { candidates: [], problems: [bad] };
    const text = r.content!;
    let items: unknown[];
    const truncated = r.finishReason === 'length';
    if (truncated)
      problems.push(
        'the reply was cut off at the token limit (finish_reason "length"): keep rationales to one sentence',
      );
    try {
      const obj = extractJsonObject(text);
      if (!Array.isArray(obj['candidates'])) {
        if (typeof obj['arch'] === 'string') items = [obj];
        else {
          problems.push(
            `wrong JSON schema: expected {"candidates": [{"arch", "parents", "rationale"}, …]}, got keys ${JSON.stringify(Object.keys(obj)).slice(0, 120)}`,
          );
          return { candidates: [], problems };
        }
      } else items = obj['candidates'];
    } catch (e) {
      if (!(e instanceof JsonExtractionError)) throw e;
      // a truncated reply may still hold complete candidate objects
      items = objectSpans(text)
        .map((s) => {
          try {
            return JSON.parse(s) as unknown;
          } catch {
            return undefined;
          }
        })
        .filter((o): o is Record<string, unknown> => !!o && typeof o === 'object' && 'arch' in o);
      if (!items.length) {
        if (!truncated) problems.push(e.message);
        return { candidates: [], problems };
      }
    }
    const parentIds = new Set(req.parents.map((m) => m.id));
    const candidates: RawCandidate[] = [];
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
        ? o['parents'].filter((p): p is string => typeof p === 'string' && parentIds.has(p))
        : [];
      const rationale = typeof o['rationale'] === 'string' ? o['rationale'].replace(/\s+/g, ' ').trim() : '';
      candidates.push({ spec: arch, rationale: rationale || `LLM ${op}`, operator: `llm:${op}`, parents });
    });
    return { candidates, problems };
  }

  /** Stage 1: the niche's rules revised from last generation's outcomes (or the rules in force, unchanged). */
  private async stage1(req: ProposeRequest<A>): Promise<KbSection> {
    const nid = req.niche.id;
    const gen = req.generation;
    const kb = this.knowledge.inForce(gen);
    // a niche without a section yet gets one titled with its constraint
    const current = kb.niches.get(nid) ?? emptySection(req.niche.constraint);
    if (!this.options.kbUpdate || req.previous.length === 0) return current;
    const previous = req.previous
      .map(
        (o) =>
          `${this.memberLine(o.member, req.objectives)} | entered archive: ${o.enteredArchive ? 'yes' : 'no'}` +
          (o.member.rationale ? ` | rationale: ${o.member.rationale}` : ''),
      )
      .join('\n');
    const user = render(this.tpl().text['kb-update'], {
      ...this.common(req),
      knowledge_base: formatKnowledgeBase(kb, nid).trim(),
      previous,
      max_rules: this.options.maxRules,
      max_rule_chars: MAX_RULE_CHARS,
    });
    const st = this.state.get(`${nid}/${gen}`)!;
    const reply = await this.call(req, 'kb-update', 0, user, KB_SCHEMA, { ...st, dead: false });
    if (!reply) return current;
    const problem = (m: string): KbSection => {
      this.onProblem(nid, gen, 'kb-update', `${m}; the rules in force stay unchanged`);
      return current;
    };
    const bad = this.replyProblem(reply);
    if (bad) return problem(bad);
    let obj: Record<string, unknown>;
    try {
      obj = extractJsonObject(reply.content!);
    } catch (e) {
      if (e instanceof JsonExtractionError)
        return problem(
          reply.finishReason === 'length'
            ? 'the knowledge-base reply was cut off (finish_reason "length")'
            : e.message,
        );
      throw e;
    }
    const lists: Record<'positive' | 'negative', KbRule[]> = { positive: [], negative: [] };
    for (const name of ['positive', 'negative'] as const) {
      const arr = obj[name];
      if (!Array.isArray(arr))
        return problem(`wrong JSON schema: "${name}" must be a list of {"rule", "evidence"}`);
      for (const it of arr) {
        const o = (it && typeof it === 'object' ? it : { rule: it }) as Record<string, unknown>;
        const r = cleanRule(o['rule'], o['evidence']);
        if (typeof r !== 'string' && lists[name].length < this.options.maxRules) lists[name].push(r);
      }
    }
    const section: KbSection = { ...current, positive: lists.positive, negative: lists.negative };
    this.knowledge.revise(nid, gen, section);
    return section;
  }
}

function fmt(v: number | undefined): string {
  if (v === undefined || Number.isNaN(v)) return 'n/a';
  return Math.abs(v) >= 100 ? v.toFixed(1) : Number(v.toPrecision(4)).toString();
}
