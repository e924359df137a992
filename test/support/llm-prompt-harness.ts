// Renders the LLM operator's prompts without a server: a synthetic niche history (architectures sampled in the
// niche, scores and costs from a hash of the architecture, so the files are stable), a transport that records
// each request and answers from a script. The golden-file tests and the prompt tests use it.
import { MemoryKnowledge, emptyKnowledgeBase, parseKnowledgeBase } from '../../src/core/knowledge';
import type { ChatRequest, LlmRecord } from '../../src/core/llm/record';
import { DEFAULT_SETTINGS, type LlmSettings } from '../../src/core/llm/settings';
import type { Transport } from '../../src/core/llm/transport';
import { DEFAULT_OPERATOR_OPTIONS, LlmOperator, type LlmOperatorOptions } from '../../src/core/llm/operator';
import { defaultKnowledgeBase } from '../../src/core/llm/prompts';
import { repairIntoNiche, type Member, type ProposeRequest } from '../../src/core/operator';
import { nonDominated } from '../../src/core/pareto';
import type { Niche } from '../../src/core/partition';
import { hashString, Rng } from '../../src/core/rng';
import type { SearchSpace } from '../../src/core/space';

export class CaptureTransport implements Transport {
  readonly requests: { key: string; user: string; system: string }[] = [];
  constructor(private readonly answer: (req: ChatRequest, user: string) => string) {}
  complete(req: ChatRequest, body: LlmRecord['request'], s: LlmSettings): Promise<LlmRecord> {
    const user = body.messages.find((m) => m.role === 'user')!.content;
    const system = body.messages.find((m) => m.role === 'system')?.content ?? '';
    this.requests.push({ key: req.key, user, system });
    const content = this.answer(req, user);
    return Promise.resolve({
      t: '2026-01-01T00:00:00.000Z',
      key: req.key,
      niche: req.niche,
      generation: req.generation,
      stage: req.stage,
      attempt: req.attempt,
      model: s.model,
      baseURL: s.baseURL,
      system_fingerprint: null,
      request: body,
      reply: { content, refusal: null, finish_reason: 'stop', choices: 1 },
      usage: { prompt_tokens: Math.ceil(user.length / 4), completion_tokens: 10, total_tokens: 0 },
      latencyMs: 0,
      cost: 0,
    });
  }
}

export const PREDICTOR = {
  id: 'rank-avg',
  unit: 'mean rank percentile (0..1) of naswot, logsynflow, zen and params',
  labels: 0,
};

/** Stable pseudo-scores of an architecture: accuracy in [0, 1), a cost per metric. */
export function fakeEvaluation(
  space: SearchSpace<unknown>,
  arch: unknown,
  costs: readonly string[],
): Member<unknown>['evaluation'] {
  const h = hashString(space.format(arch));
  return {
    predictedAccuracy: (h % 10000) / 10000,
    proxies: {},
    hw: Object.fromEntries(costs.map((c, i) => [c, 1 + ((h >>> (4 + i)) % 900) / 100])),
  };
}

/** `perGen` members per generation 0..gens-1 inside the niche: gen 0 initial samples, later ones LLM-made,
 * with `fillIns` built-in fill-ins in the last generation. */
export function syntheticHistory<A>(
  space: SearchSpace<A>,
  niche: Niche<A>,
  costs: readonly string[],
  gens = 3,
  perGen = 4,
  fillIns = 1,
  seed = 'history',
): Member<A>[] {
  const rng = new Rng(seed);
  const out: Member<A>[] = [];
  const keys = new Set<string>();
  for (let g = 0; g < gens; g++) {
    for (let t = 0, made = 0; made < perGen && t < 5000; t++) {
      let a: A | undefined = space.sample(rng);
      if (!niche.contains(a)) a = repairIntoNiche(space, niche, a, rng, 40);
      if (a === undefined) continue;
      const k = space.canonicalKey(a);
      if (keys.has(k)) continue;
      keys.add(k);
      const fill = g === gens - 1 && made >= perGen - fillIns;
      out.push({
        id: space.fileId(a),
        arch: a,
        evaluation: fakeEvaluation(space as SearchSpace<unknown>, a, costs),
        generation: g,
        operator: g === 0 ? 'sample' : fill ? 'mutation' : 'llm:mutation',
        rationale:
          g === 0
            ? `random sample in ${niche.name}`
            : fill
              ? `mutation of ${out[0]!.id} (surrogate: acc≈0.512, ${costs[0]}≈3.210)`
              : `mutation of ${out[0]!.id}: a rule said so`,
      });
      made++;
    }
  }
  return out;
}

export interface Harness<A> {
  op: LlmOperator<A>;
  transport: CaptureTransport;
  request: (over?: Partial<ProposeRequest<A>>) => ProposeRequest<A>;
}

export function harness<A>(
  space: SearchSpace<A>,
  niche: Niche<A>,
  history: Member<A>[],
  objectives: string[],
  answer: (req: ChatRequest, user: string) => string,
  options: Partial<LlmOperatorOptions> = {},
  seen: Set<string> = new Set(history.map((m) => space.canonicalKey(m.arch))),
): Harness<A> {
  const settings: LlmSettings = { ...DEFAULT_SETTINGS, baseURL: 'http://127.0.0.1:9/v1', model: 'capture' };
  const op = new LlmOperator(
    space,
    { ...DEFAULT_OPERATOR_OPTIONS, settings, ...options },
    { predictor: PREDICTOR },
  );
  const transport = new CaptureTransport(answer);
  const seedKb = defaultKnowledgeBase(space.id);
  op.attach({
    transport,
    knowledge: new MemoryKnowledge(seedKb ? parseKnowledgeBase(seedKb) : emptyKnowledgeBase()),
  });
  const costs = objectives.slice(1);
  const vec = (m: Member<A>): number[] => [
    -m.evaluation.predictedAccuracy,
    ...costs.map((c) => m.evaluation.hw[c]!),
  ];
  const gen = Math.max(...history.map((m) => m.generation)) + 1;
  const archive = nonDominated(history.map(vec)).map((i) => history[i]!);
  const request = (over: Partial<ProposeRequest<A>> = {}): ProposeRequest<A> => ({
    space,
    niche,
    generation: gen,
    parents: archive,
    knowledgeBase: '',
    count: 4,
    rng: new Rng(`request/${niche.id}/${gen}`),
    signal: new AbortController().signal,
    feedback: [],
    previous: [],
    objectives,
    evaluated: history,
    isNovel: (a: A) => !seen.has(space.canonicalKey(a)),
    ...over,
  });
  return { op, transport, request };
}
