// Duplicates, fill-ins and prompt tokens of the LLM operator, measured on the loopback server with the
// scripted model that proposes only from what the prompt shows (test/support/llm-server.ts: it sees the
// architectures the prompt names, the parents, the unseen list, the constraint; it never reads the benchmark).
// The operator and search come from ROOT (default: this checkout), so the same command measures an older
// checkout ("before") and this one ("after"):
//   node --import tsx scripts/measure-llm-prompts.ts [--root DIR] [--seeds 2] [--spaces nb201,fbnet,autoformer-t]
// NB201 is scored by the benchmark table (ImageNet16-120, raspi4 latency, as in the transcripts). FBNet and
// AutoFormer-T use a stand-in evaluator (accuracy from the architecture's params with a fixed per-architecture
// jitter, latency from its FLOPs): their live proxies take seconds per architecture on a shared 2-core machine,
// and duplicates and fill-ins depend on the prompts, not on the scores.
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { LlmTestServer, NB201_WORLD, type ModelWorld } from '../test/support/llm-server';
import { autoformerWorld, fbnetWorld } from '../test/support/llm-worlds';
import { hashString } from '../src/core/rng';

const { values } = parseArgs({
  options: {
    root: { type: 'string', default: path.join(__dirname, '..') },
    seeds: { type: 'string', default: '2' },
    spaces: { type: 'string', default: 'nb201,fbnet,autoformer-t' },
  },
});
const root = path.resolve(values.root!);

interface Mods {
  runSearch: typeof import('../src/core/search').runSearch;
  LlmOperator: typeof import('../src/core/llm/operator').LlmOperator;
  DEFAULT_OPERATOR_OPTIONS: typeof import('../src/core/llm/operator').DEFAULT_OPERATOR_OPTIONS;
  DEFAULT_SETTINGS: typeof import('../src/core/llm/settings').DEFAULT_SETTINGS;
  Nb201TableEvaluator: typeof import('../src/core/nb201/evaluator').Nb201TableEvaluator;
  nb201Partition: typeof import('../src/core/nb201/partition').nb201Partition;
  quantilePartition: typeof import('../src/core/partition').quantilePartition;
  vitPartition: typeof import('../src/core/vit/space').vitPartition;
  Rng: typeof import('../src/core/rng').Rng;
}

async function load(): Promise<Mods> {
  const m = async <T>(p: string): Promise<T> => (await import(path.join(root, p))) as T;
  const search = await m<typeof import('../src/core/search')>('src/core/search.ts');
  const op = await m<typeof import('../src/core/llm/operator')>('src/core/llm/operator.ts');
  await m('src/core/llm/index.ts');
  // the settings live in settings.ts since the client was split; an older checkout has them in client.ts
  const settingsFile = fs.existsSync(path.join(root, 'src/core/llm/settings.ts'))
    ? 'src/core/llm/settings.ts'
    : 'src/core/llm/client.ts';
  const settings = await m<typeof import('../src/core/llm/settings')>(settingsFile);
  const ev = await m<typeof import('../src/core/nb201/evaluator')>('src/core/nb201/evaluator.ts');
  const np = await m<typeof import('../src/core/nb201/partition')>('src/core/nb201/partition.ts');
  const part = await m<typeof import('../src/core/partition')>('src/core/partition.ts');
  const vit = await m<typeof import('../src/core/vit/space')>('src/core/vit/space.ts');
  const rng = await m<typeof import('../src/core/rng')>('src/core/rng.ts');
  return {
    runSearch: search.runSearch,
    LlmOperator: op.LlmOperator,
    DEFAULT_OPERATOR_OPTIONS: op.DEFAULT_OPERATOR_OPTIONS,
    DEFAULT_SETTINGS: settings.DEFAULT_SETTINGS,
    Nb201TableEvaluator: ev.Nb201TableEvaluator,
    nb201Partition: np.nb201Partition,
    quantilePartition: part.quantilePartition,
    vitPartition: vit.vitPartition,
    Rng: rng.Rng,
  };
}

/** A stand-in evaluator: accuracy rises with params (plus a fixed jitter per architecture), latency with FLOPs. */
function standIn(world: ModelWorld, metric: string): import('../src/core/evaluator').Evaluator<unknown> {
  const s = world.space;
  return {
    id: 'stand-in',
    predictor: { id: 'stand-in', unit: 'params-based stand-in score (0..1)', labels: 0 },
    metrics: [metric],
    evaluate: (a: unknown) => {
      const f = s.features(a);
      const j = (hashString(s.format(a)) % 1000) / 1000;
      return Promise.resolve({
        predictedAccuracy: Math.tanh((f['params_m'] ?? 1) / 4) * 0.8 + 0.2 * j,
        proxies: {},
        hw: { [metric]: (f['flops_m'] ?? 1) / 50 + j },
      });
    },
  };
}

interface Result {
  calls: number;
  evolveCalls: number;
  promptTokens: number;
  evolveTokens: number;
  proposals: number;
  duplicates: number;
  fillIns: number;
  evaluations: number;
}

async function measure(mods: Mods, spaceId: string, seed: number): Promise<Result> {
  const world: ModelWorld =
    spaceId === 'nb201'
      ? (NB201_WORLD as unknown as ModelWorld)
      : spaceId === 'fbnet'
        ? fbnetWorld('cifar100')
        : autoformerWorld('T');
  const space = world.space;
  let partition: import('../src/core/partition').Partition<unknown>;
  let evaluator: import('../src/core/evaluator').Evaluator<unknown>;
  let metric: string;
  if (spaceId === 'nb201') {
    metric = 'raspi4_latency';
    partition = mods.nb201Partition() as never;
    evaluator = new mods.Nb201TableEvaluator({
      dataset: 'ImageNet16-120',
      predictor: 'rank-avg',
      required: ['raspi4_latency'],
    }) as never;
  } else if (spaceId === 'fbnet') {
    metric = 'pixel3_latency';
    const rng = new mods.Rng(`${space.id}-partition-reference`);
    partition = mods.quantilePartition(
      space,
      'flops_m',
      4,
      Array.from({ length: 2000 }, () => space.sample(rng)),
    );
    evaluator = standIn(world, metric);
  } else {
    metric = 'cpu_latency';
    partition = mods.vitPartition(space as never) as never;
    evaluator = standIn(world, metric);
  }
  const srv = await LlmTestServer.start({ world });
  const proposals = { n: 0 };
  srv.onRequest = () => {};
  try {
    const settings = {
      ...mods.DEFAULT_SETTINGS,
      baseURL: srv.url,
      model: 'scripted',
      maxRetries: 0,
      timeoutMs: 60_000,
    };
    const operator = new mods.LlmOperator(space, { ...mods.DEFAULT_OPERATOR_OPTIONS, settings } as never);
    const budget = partition.niches.length * 25;
    let duplicates = 0;
    let fillIns = 0;
    const result = await mods.runSearch({
      space,
      partition,
      evaluator,
      operator,
      costMetrics: [metric],
      generations: 5,
      budget,
      seed,
      onEvent: (e) => {
        if (e.type === 'candidate/rejected' && e.kind === 'duplicate' && e.message.startsWith('llm:'))
          duplicates++;
        if (e.type === 'operator/fallback') fillIns += e.filled;
      },
    });
    const evolve = srv.requests.filter((r) => r.stage === 'evolve');
    // every candidate the scripted model returned (its replies are deterministic in the prompt)
    if (process.env.DUMP_PROMPT)
      (await import('node:fs')).writeFileSync(process.env.DUMP_PROMPT, evolve[evolve.length - 1]!.prompt);
    const { scriptedModel } = await import('../test/support/llm-server.js');
    for (const r of evolve)
      proposals.n += (JSON.parse(scriptedModel(r, world)) as { candidates: unknown[] }).candidates.length;
    const tok = (r: (typeof srv.requests)[number]): number =>
      Math.ceil(r.body.messages.reduce((n, m) => n + m.content.length, 0) / 4);
    return {
      calls: srv.requests.length,
      evolveCalls: evolve.length,
      promptTokens: srv.requests.reduce((n, r) => n + tok(r), 0),
      evolveTokens: evolve.reduce((n, r) => n + tok(r), 0),
      proposals: proposals.n,
      duplicates,
      fillIns,
      evaluations: result.evaluations,
    };
  } finally {
    await srv.close();
  }
}

void (async () => {
  const mods = await load();
  console.log(`root ${root}`);
  console.log(
    'space | seeds | calls | prompt tokens/call | evolve tokens/call | proposals | duplicates /100 | fill-ins /100 | evaluations',
  );
  for (const spaceId of values.spaces!.split(',')) {
    const rs: Result[] = [];
    for (let s = 0; s < Number(values.seeds); s++) rs.push(await measure(mods, spaceId, s));
    const sum = (k: keyof Result): number => rs.reduce((n, r) => n + r[k], 0);
    console.log(
      [
        spaceId,
        rs.length,
        sum('calls'),
        (sum('promptTokens') / sum('calls')).toFixed(0),
        (sum('evolveTokens') / sum('evolveCalls')).toFixed(0),
        sum('proposals'),
        ((100 * sum('duplicates')) / sum('proposals')).toFixed(1),
        ((100 * sum('fillIns')) / sum('proposals')).toFixed(1),
        sum('evaluations'),
      ].join(' | '),
    );
  }
})();
