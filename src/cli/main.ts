// llm-nas: the headless CLI over the same core as the extension — search, resume, bench, export.

import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { benchMarkdown, DEFAULT_SEARCHERS, runBench, SEARCHERS, type BenchRow } from '../core/nb201/bench.js';
import type { SearchEvent } from '../core/events.js';
import { exportRun } from '../core/export.js';
import { createRegistry } from '../core/compose.js';
import {
  BENCHMARK_PROTOCOL,
  energyTasks,
  latencyTasks,
  threeObjectiveTasks,
} from '../core/nb201/benchmark.js';
import type { Registry } from '../core/registry.js';
import { buildRunConfig } from '../core/runconfig.js';
import { ConfigError } from '../core/errors.js';
import { SearchRun, type FrontFile, type RunNotice } from '../core/run.js';
import { RunFolderError, RunStore } from '../core/runstore.js';
import { SpaceError } from '../core/space.js';
import { userProviderOf } from '../core/userspace/provider.js';
import { KbParseError } from '../core/knowledge.js';
import { LlmError } from '../core/llm/index.js';
import { PromptError } from '../core/llm/prompts.js';
import { redact, secretsFromEnv } from '../core/redact.js';
import { configTrustItems, endpointOf, TrustError } from '../core/trust.js';
import { LIVE_RULE_NAMES, type LiveRule } from '../core/nb201/live-ensemble.js';
import {
  checkOutFolder,
  fsErrorLine,
  intFlag,
  LIMITS,
  readKnowledgeBaseFile,
  readSpaceFile,
  UsageError,
  writeOut,
} from './input.js';
import { installInterrupt } from './interrupt.js';
import { partitionOption } from './partition.js';
import {
  cliTrustStore,
  cmdTrust,
  requireRunFolderTrust,
  requireSpaceFileTrust,
  TRUST_USAGE,
  TrustUsageError,
} from './trust.js';
import {
  applyEvaluatorTimeout,
  EVALUATOR_TIMEOUT_ARG,
  EVALUATOR_TIMEOUT_USAGE,
} from './evaluator-timeout.js';
import { BATCH_ARGS, BATCH_USAGE, BatchUsageError, batchSpaceOptions, jobLine } from './batch.js';
import {
  applyBudgetOverrides,
  checkApiKey,
  LLM_ARGS,
  LLM_USAGE,
  llmBenchSearchers,
  llmOperatorOptions,
  llmSummary,
  noticeLine,
} from './llm.js';
import {
  CliUsageError,
  cmdCompare,
  cmdExportModel,
  cmdMeasure,
  cmdPlot,
  EXPORT_MODEL_USAGE,
} from './export-model.js';

const USAGE = `llm-nas — LLM-driven hardware-aware NAS (complexity-partitioned co-evolution, zero-cost evaluation)

Usage:
  llm-nas search [options]            run a search (defaults: NB201, cifar10, edgegpu latency, built-in operator)
  llm-nas search --replay RUN_DIR     re-run a recorded LLM run from its llm.jsonl (no endpoint needed)
  llm-nas resume RUN_DIR [--max-cost X] [--max-tokens N]   continue an interrupted or budget-stopped run
  llm-nas bench [options]             the search-quality benchmark (protocol v2, docs/benchmark.md)
  llm-nas export RUN_DIR --format csv|json [--out FILE] [--all]
${EXPORT_MODEL_USAGE}
  llm-nas trust PATH                  approve a run folder's / space file's command and LLM endpoint (docs/security.md)

search options:
  --space nb201            --dataset cifar10|cifar100|ImageNet16-120
  --device edgegpu[,raspi4,...]        --metric latency|energy
  --generations 10         --budget 300          --children N (per niche per generation)
  --seed 0                 --operator builtin|llm  --predictor rank-avg|naswot|logsynflow|zen|params|...
  --no-partition           --even (split children evenly instead of by front contribution)
  --out DIR (default .llm-nas/runs/<id>)
  --space fbnet|autoformer-t|autoformer-s|autoformer-b (dataset/device/predictor default to the space's)
  --space-file FILE        a user-defined space (JSON, schemas/space.schema.json; see docs/spaces.md)
  --external-evaluator CMD run CMD per candidate: spec JSON on stdin, metrics JSON on stdout (predictor external)
${EVALUATOR_TIMEOUT_USAGE}
  --niches K --partition-feature flops_m|params_m   quantile niches (FBNet, user spaces)
  --partition raw|live     NB201 niches by all 3×3 convs (raw, the paper's) or those on live edges only
  --live-rule ensemble|az-nas   NB201 --predictor live: the default ensemble, or AZ-NAS's rule as published
bench options:
  --budget 300 --seeds 10 --predictor rank-avg --searchers a,b,... --tasks latency|energy|3obj --json FILE
  --labels K (calibrate the predictor on K labelled architectures per search; they count towards the budget)
  --operator llm (adds llm-nas-llm, the full method, and llm-nas-llm-nokb, without knowledge-base update)
resume options:
  --external-evaluator CMD --base-url URL --api-key-env VAR   give the folder's command / endpoint again (approves them)
${BATCH_USAGE}${LLM_USAGE}${TRUST_USAGE}`;

/** What goes to stderr never holds a credential from the environment (a server may echo the key). */
const say = (line: string): void => {
  process.stderr.write(`llm-nas: ${redact(line, secretsFromEnv())}\n`);
};

function fail(e: unknown): never {
  if (
    e instanceof UsageError ||
    e instanceof CliUsageError ||
    e instanceof TrustError ||
    e instanceof TrustUsageError ||
    e instanceof RunFolderError ||
    e instanceof BatchUsageError ||
    e instanceof ConfigError ||
    e instanceof SpaceError ||
    e instanceof KbParseError ||
    e instanceof PromptError
  ) {
    say(e.message);
    process.exit(2);
  }
  if (e instanceof LlmError) {
    say(e.message);
    process.exit(1);
  }
  const fsLine = fsErrorLine(e);
  if (fsLine) {
    say(fsLine);
    process.exit(2);
  }
  if (e instanceof RangeError && /call stack/i.test(e.message)) {
    say(`input too large to process (${e.message})`);
    process.exit(2);
  }
  say((e as Error)?.stack ?? String(e));
  process.exit(1);
}

const int = (v: string | undefined, name: string, dflt: number, min = 0, max?: number): number =>
  intFlag(v, name, dflt, min, max);

/** The CLI's composition: every shipped space and operator; external evaluators' stderr to ours, redacted. */
function cliRegistry(): Registry {
  // an external evaluator's stderr goes to ours without the environment's credentials
  const secrets = secretsFromEnv();
  return createRegistry({
    externalLog: (l) => process.stderr.write(`[external] ${redact(l, secrets)}\n`),
  });
}

/** Live per-niche progress: redrawn lines on a TTY, plain lines otherwise. */
class Progress {
  private readonly tty = process.stdout.isTTY === true;
  private readonly niches = new Map<
    number,
    { gen: number; evals: number; archive: number; state: string; rejected: number }
  >();
  private drawn = 0;
  private last = 0;

  constructor(private readonly generations: number) {}

  on(e: SearchEvent): void {
    const n =
      'niche' in e
        ? (this.niches.get(e.niche) ?? { gen: 0, evals: 0, archive: 0, state: 'waiting', rejected: 0 })
        : undefined;
    if ('niche' in e && n) this.niches.set(e.niche, n);
    switch (e.type) {
      case 'niche/state':
        n!.state = e.state;
        n!.gen = e.generation;
        break;
      case 'candidate/rejected':
        n!.rejected++;
        break;
      case 'generation/completed':
        n!.evals = e.evaluations;
        n!.archive = e.archive.length;
        if (!this.tty)
          process.stdout.write(
            // generations are numbered from 0, as in the spec files, kb/gen-NN.md and the editor
            `N${e.niche} generation ${e.generation} done (${e.generation + 1} of ${this.generations}): ${e.evaluations} evaluated, archive ${e.archive.length}\n`,
          );
        break;
      default:
        break;
    }
    if (this.tty && Date.now() - this.last > 100) this.draw();
  }

  draw(): void {
    if (!this.tty) return;
    this.last = Date.now();
    if (this.drawn) process.stdout.write(`\x1b[${this.drawn}A`);
    const lines = [...this.niches.entries()]
      .sort((a, b) => a[0] - b[0])
      .map(([id, n]) => {
        const bar = '█'
          .repeat(Math.round((10 * Math.min(n.gen, this.generations)) / this.generations))
          .padEnd(10, '·');
        return `\x1b[2KN${id} ${bar} gen ${n.gen < this.generations ? String(n.gen).padStart(2) : 'done'} (0–${this.generations - 1})  evaluated ${String(n.evals).padStart(4)}  archive ${String(n.archive).padStart(3)}  rejected ${String(n.rejected).padStart(3)}  ${n.state}`;
      });
    process.stdout.write(lines.join('\n') + '\n');
    this.drawn = lines.length;
  }
}

function printFront(f: FrontFile): void {
  const cols = [
    'id',
    'niche',
    'proxy score',
    // HW-NAS-Bench, the FBNet tables and the measured-here latencies are in ms and mJ; a user space's own metric
    // carries no unit the product knows
    ...f.costMetrics.map((m) => (/_energy$/.test(m) ? `${m} (mJ)` : /_latency$/.test(m) ? `${m} (ms)` : m)),
    ...(f.front.some((r) => r.trueAccuracy !== undefined) ? ['test acc (%)'] : []),
    ...(f.front.some((r) => r.degenerate) ? ['degenerate'] : []),
    'arch',
  ];
  const rows = f.front.map((r) => [
    r.id,
    `N${r.niche}`,
    r.predictedAccuracy.toFixed(4),
    ...f.costMetrics.map((m) => r.hw[m]!.toFixed(3)),
    ...(r.trueAccuracy !== undefined ? [r.trueAccuracy.toFixed(2)] : []),
    ...(f.front.some((q) => q.degenerate) ? [r.degenerate ?? ''] : []),
    r.arch,
  ]);
  const w = cols.map((c, i) => Math.max(c.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]): string => cells.map((c, i) => c.padEnd(w[i]!)).join('  ');
  process.stdout.write(
    `\nGlobal Pareto front (${f.front.length} architectures; proxy score = predicted accuracy as ${f.predictor.unit}; test acc = the benchmark's true accuracy, never seen by the search):\n`,
  );
  process.stdout.write(line(cols) + '\n' + line(w.map((n) => '-'.repeat(n))) + '\n');
  for (const r of rows) process.stdout.write(line(r) + '\n');
  const truth = f.truth
    ? `HV ratio ${f.truth.hvRatio.toFixed(4)}  IGD ${f.truth.igd.toFixed(4)}  coverage ${f.truth.coverage.toFixed(2)}  ` +
      (f.truth.frontSize !== undefined
        ? `|F| ${f.truth.frontSize} scored (protocol v2, docs/benchmark.md)  `
        : '')
    : '';
  process.stdout.write(`\n${truth}evaluations ${f.evaluations}  wall ${(f.wallMs / 1000).toFixed(2)} s\n`);
}

async function follow(run: SearchRun): Promise<void> {
  await run.done;
  const front = JSON.parse(fs.readFileSync(run.store.file('front.json'), 'utf8')) as FrontFile;
  printFront(front);
  const llm = llmSummary(run.store.dir);
  if (llm) process.stdout.write(llm + '\n');
  if (run.status === 'stopped' && run.stopReason) process.stdout.write(`stopped: ${run.stopReason}\n`);
  process.stdout.write(
    `run folder: ${run.store.dir}${run.status === 'stopped' ? ` (stopped; continue with: llm-nas resume ${run.store.dir})` : ''}\n`,
  );
  if (front.evaluations === 0 && run.status === 'completed') {
    // a run that evaluated nothing is a failure, not a success with an empty front
    say('the run evaluated no architecture (every candidate was rejected or failed; see events.jsonl)');
    process.exitCode = 1;
  }
}

/** Knowledge-base and budget notices go to stderr, so they never mix with the progress lines. */
function printNotice(n: RunNotice): void {
  const line = noticeLine(n);
  if (line) process.stderr.write(`${line}\n`);
}

function printJob(e: Parameters<typeof jobLine>[0]): void {
  const line = jobLine(e);
  if (line) process.stderr.write(`${line}\n`);
}

async function cmdSearch(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      space: { type: 'string', default: 'nb201' },
      // dataset, device, metric and predictor default to the space's own defaults (spaceProvider(..).defaults)
      dataset: { type: 'string' },
      device: { type: 'string' },
      metric: { type: 'string' },
      'space-file': { type: 'string' },
      'external-evaluator': { type: 'string' },
      niches: { type: 'string' },
      'partition-feature': { type: 'string' },
      partition: { type: 'string' },
      'live-rule': { type: 'string' },
      generations: { type: 'string' },
      budget: { type: 'string' },
      children: { type: 'string' },
      seed: { type: 'string' },
      operator: { type: 'string', default: 'builtin' },
      predictor: { type: 'string' },
      'no-partition': { type: 'boolean', default: false },
      even: { type: 'boolean', default: false },
      out: { type: 'string' },
      replay: { type: 'string' },
      'knowledge-base': { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
      ...EVALUATOR_TIMEOUT_ARG,
      ...LLM_ARGS,
      ...BATCH_ARGS,
    },
  });
  if (values.help) return void process.stdout.write(USAGE);
  if (values.replay) return replay(values.replay, values.out, values['external-evaluator']);
  const spaceOptions: Record<string, unknown> = {};
  const trust = cliTrustStore();
  if (values['space-file']) {
    // a user-defined space: the definition travels in the run config, so the run folder is self-contained
    const def = readSpaceFile(values['space-file']);
    // its evaluator.command runs only if approved for this file or given again (docs/security.md)
    if (values['external-evaluator'] === undefined && (values.predictor ?? 'external') === 'external')
      requireSpaceFileTrust(values['space-file'], def, {}, trust);
    values.space = userProviderOf(def).id;
    spaceOptions['definition'] = def;
  }
  if (values['external-evaluator']) spaceOptions['externalEvaluator'] = values['external-evaluator'];
  applyEvaluatorTimeout(spaceOptions, values['evaluator-timeout']);
  Object.assign(spaceOptions, batchSpaceOptions(values));
  if (values.niches !== undefined) spaceOptions['niches'] = int(values.niches, 'niches', 4, 1, LIMITS.niches);
  if (values['partition-feature']) spaceOptions['partitionFeature'] = values['partition-feature'];
  if (values['live-rule']) spaceOptions['liveRule'] = values['live-rule'];
  if (values.partition !== undefined)
    spaceOptions['partition'] = partitionOption(values.partition, values.space);
  const registry = cliRegistry();
  // unknown space → ConfigError listing the valid ones
  const defaults = registry.providerOf({ space: values.space, spaceOptions }).defaults;
  values.predictor ??= values['external-evaluator'] || values.evaluator ? 'external' : defaults.predictor;
  if (
    values.predictor === 'external' &&
    !spaceOptions['externalEvaluator'] &&
    !values['space-file'] &&
    (values.evaluator === undefined || values.evaluator === 'command')
  )
    throw new UsageError('predictor "external" needs --external-evaluator "CMD"');
  if (values['live-rule'] && (values.space !== 'nb201' || values.predictor !== 'live'))
    throw new UsageError('--live-rule applies to --space nb201 --predictor live');
  if (values['live-rule'] && !LIVE_RULE_NAMES.includes(values['live-rule'] as LiveRule))
    throw new UsageError(`--live-rule must be ${LIVE_RULE_NAMES.join(' or ')}, got "${values['live-rule']}"`);
  let operatorOptions: Record<string, unknown> | undefined;
  if (values.operator === 'llm') {
    operatorOptions = llmOperatorOptions(values);
    checkApiKey(operatorOptions);
  }
  const config = buildRunConfig(registry, {
    space: values.space,
    ...(values.dataset !== undefined ? { dataset: values.dataset } : {}),
    ...(values.device !== undefined
      ? {
          devices: values.device
            .split(',')
            .map((d) => d.trim())
            .filter(Boolean),
        }
      : {}),
    ...(values.metric !== undefined ? { metric: values.metric } : {}),
    predictor: values.predictor,
    operator: values.operator,
    partition: !values['no-partition'],
    generations: int(values.generations, 'generations', 10, 1, LIMITS.generations),
    budget: int(values.budget, 'budget', 300, 1, LIMITS.budget),
    ...(values.children !== undefined
      ? { children: int(values.children, 'children', 5, 1, LIMITS.children) }
      : {}),
    adaptive: !values.even,
    seed: int(values.seed, 'seed', 0, 0, LIMITS.seed),
    spaceOptions,
    ...(operatorOptions ? { operatorOptions } : {}),
  });
  const id = config.id;
  const seedKnowledge = values['knowledge-base']
    ? readKnowledgeBaseFile(values['knowledge-base'])
    : undefined;
  const out = values.out ?? path.join('.llm-nas', 'runs', id);
  checkOutFolder(out);
  const interrupt = installInterrupt(); // before the run starts: Ctrl-C during the first generation stops it too
  const progress = new Progress(config.generations);
  process.stdout.write(
    `LLM-NAS search: ${config.space} ${config.dataset}, ${config.costMetrics.join(' + ')}, operator ${config.operator}, ` +
      `${config.partition ? 'partitioned' : 'one niche'}, ${config.generations} generations, budget ${config.budget}, seed ${config.seed}\n`,
  );
  const run = SearchRun.start(out, config, {
    registry,
    onEvent: (e) => progress.on(e),
    onNotice: printNotice,
    onJob: printJob,
    ...(seedKnowledge !== undefined ? { seedKnowledge } : {}),
  });
  interrupt.attach(run);
  // this run's own command and endpoint (given on this command line) are approved for its new folder
  trust.approve(run.store.dir, configTrustItems(config));
  await run.done.finally(() => progress.draw());
  await follow(run);
  interrupt.dispose();
}

async function replay(from: string, out: string | undefined, command: string | undefined): Promise<void> {
  const dir = out ?? `${from.replace(/[\\/]+$/, '')}-replay`;
  const config = RunStore.open(from).readConfig();
  // a replay needs no endpoint, but it runs the recorded folder's evaluator command
  const trust = cliTrustStore();
  requireRunFolderTrust(
    from,
    config,
    { commands: command ? [command] : [] },
    trust,
    `llm-nas search --replay ${from}`,
    ['command'],
  );
  checkOutFolder(dir);
  const progress = new Progress(config.generations);
  const interrupt = installInterrupt();
  const run = SearchRun.replay(from, dir, {
    registry: cliRegistry(),
    onEvent: (e) => progress.on(e),
    onNotice: printNotice,
  });
  interrupt.attach(run);
  trust.approve(
    run.store.dir,
    configTrustItems(config).filter((i) => i.kind === 'command'),
  );
  process.stdout.write(
    `replaying ${path.resolve(from)} from its llm.jsonl (no endpoint) into ${run.store.dir}\n`,
  );
  await run.done.finally(() => progress.draw());
  await follow(run);
  interrupt.dispose();
}

async function cmdResume(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      'max-cost': LLM_ARGS['max-cost'],
      'max-tokens': LLM_ARGS['max-tokens'],
      'external-evaluator': { type: 'string' },
      'base-url': LLM_ARGS['base-url'],
      'api-key-env': LLM_ARGS['api-key-env'],
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) return void process.stdout.write(USAGE);
  const dir = positionals[0];
  if (!dir) throw new UsageError('resume needs the run folder: llm-nas resume RUN_DIR');
  // the folder's command and endpoint are used only when given again here or approved (docs/security.md)
  const trust = cliTrustStore();
  const given = {
    commands: values['external-evaluator'] ? [values['external-evaluator']] : [],
    ...(values['base-url'] !== undefined || values['api-key-env'] !== undefined
      ? {
          endpoint: endpointOf({
            ...(values['base-url'] !== undefined ? { baseURL: values['base-url'] } : {}),
            ...(values['api-key-env'] !== undefined ? { apiKeyEnv: values['api-key-env'] } : {}),
          }),
        }
      : {}),
  };
  const config = RunStore.open(dir).readConfig();
  requireRunFolderTrust(dir, config, given, trust, `llm-nas resume ${dir}`);
  const raised = applyBudgetOverrides(dir, values);
  if (raised) process.stdout.write(`${raised}\n`);
  const holder: { progress?: Progress } = {};
  const interrupt = installInterrupt();
  const run = SearchRun.resume(dir, {
    registry: cliRegistry(),
    onEvent: (e) => holder.progress?.on(e),
    onNotice: printNotice,
    onJob: printJob,
  });
  interrupt.attach(run);
  // given again on this command line: remembered for this folder
  trust.approve(run.store.dir, configTrustItems(config));
  holder.progress = new Progress(run.config.generations);
  process.stdout.write(`resuming ${run.store.dir}\n`);
  await follow(run);
  interrupt.dispose();
}

async function cmdBench(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      budget: { type: 'string' },
      seeds: { type: 'string' },
      labels: { type: 'string' },
      predictor: { type: 'string', default: 'rank-avg' },
      searchers: { type: 'string', default: DEFAULT_SEARCHERS.join(',') },
      tasks: { type: 'string', default: 'latency' },
      json: { type: 'string' },
      operator: { type: 'string', default: 'builtin' },
      ...LLM_ARGS,
    },
  });
  if (values.operator !== 'builtin' && values.operator !== 'llm')
    throw new UsageError(`--operator must be builtin or llm, got "${values.operator}"`);
  const llm = values.operator === 'llm' ? llmOperatorOptions(values) : undefined;
  if (llm) checkApiKey(llm);
  const llmSearchers = llm ? llmBenchSearchers(llm) : undefined;
  const known = [...SEARCHERS, ...Object.keys(llmSearchers?.operators ?? {})];
  const budget = int(values.budget, 'budget', 300, 1, LIMITS.budget);
  const seeds = int(values.seeds, 'seeds', 10, 1, 1000);
  const labels = values.labels === undefined ? 0 : Number(values.labels);
  if (
    values.labels?.trim() === '' ||
    !Number.isInteger(labels) ||
    labels === 1 ||
    labels < 0 ||
    labels >= budget
  )
    throw new UsageError(`--labels must be 0 or an integer from 2 to budget − 1, got "${values.labels}"`);
  const taskSets: Record<string, () => ReturnType<typeof latencyTasks>> = {
    latency: latencyTasks,
    energy: energyTasks,
    '3obj': threeObjectiveTasks,
  };
  const tasks = taskSets[values.tasks]?.();
  if (!tasks) throw new UsageError(`--tasks must be latency, energy or 3obj, got "${values.tasks}"`);
  // --operator llm runs the full method and the no-KB-update ablation unless --searchers says otherwise
  const chosen =
    llmSearchers && !argv.includes('--searchers')
      ? Object.keys(llmSearchers.operators).join(',')
      : values.searchers;
  const searchers = chosen.split(',').map((s) => s.trim());
  for (const s of searchers)
    if (!known.includes(s)) throw new UsageError(`unknown searcher "${s}"; valid: ${known.join(', ')}`);
  const t0 = Date.now();
  const rows: BenchRow[] = [];
  let stopped: string | undefined;
  await runBench({
    budget,
    seeds,
    labels,
    predictor: values.predictor,
    searchers,
    tasks,
    ...(llmSearchers ? { operators: llmSearchers.operators } : {}),
    onRow: (r) => {
      if (llmSearchers && r.searcher in llmSearchers.operators) {
        const used = llmSearchers.take(r.searcher);
        r.llm_calls = used.calls;
        r.tokens = used.tokens;
      }
      rows.push(r);
      process.stderr.write(
        `${r.searcher.padEnd(28)} ${r.task.padEnd(28)} HV ${r.hv_ratio_mean.toFixed(4)} ± ${r.hv_ratio_std.toFixed(4)}  (${r.wall_s.toFixed(1)} s)` +
          (r.llm_calls !== undefined ? `  LLM ${r.llm_calls} calls, ${r.tokens} tokens` : '') +
          '\n',
      );
    },
  }).catch((e: unknown) => {
    // the LLM budget (--max-cost / --max-tokens, for the whole bench) ends it cleanly: the rows done are kept
    if (!(e instanceof LlmError && e.kind === 'budget')) throw e;
    const caps = [
      llm?.['maxCost'] !== undefined ? `--max-cost ${String(llm['maxCost'])}` : '',
      llm?.['maxTokens'] !== undefined ? `--max-tokens ${String(llm['maxTokens'])}` : '',
    ].filter(Boolean);
    stopped = `LLM budget for the whole bench reached (${caps.join(', ')}): the bench stopped after ${rows.length} complete rows (the interrupted row is not reported)`;
    process.stderr.write(`llm-nas: ${stopped}\n`);
  });
  const wall = (Date.now() - t0) / 1000;
  process.stdout.write(
    (rows.length ? benchMarkdown(rows) : '(no complete row)') +
      `\n\nbudget ${budget}, seeds ${seeds}, predictor ${values.predictor}${labels ? ` calibrated on ${labels} labelled architectures (counted in the budget)` : ''}, wall ${wall.toFixed(1)} s` +
      (stopped ? `\nstopped: ${stopped}` : '') +
      '\n',
  );
  if (values.json) {
    fs.writeFileSync(
      values.json,
      JSON.stringify(
        {
          protocol: BENCHMARK_PROTOCOL,
          budget,
          seeds,
          labels,
          wall_s: wall,
          ...(stopped ? { stopped } : {}),
          rows,
        },
        null,
        2,
      ) + '\n',
    );
  }
}

function cmdExport(argv: string[]): void {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      format: { type: 'string', default: 'csv' },
      out: { type: 'string' },
      all: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) return void process.stdout.write(USAGE);
  const dir = positionals[0];
  if (!dir) throw new UsageError('export needs the run folder: llm-nas export RUN_DIR --format csv|json');
  if (values.format !== 'csv' && values.format !== 'json')
    throw new UsageError(`--format must be csv or json, got "${values.format}"`);
  const text = exportRun(dir, values.format, values.all ? 'all' : 'front');
  if (values.out && fs.existsSync(values.out) && fs.statSync(values.out).isDirectory())
    throw new UsageError(`--out ${values.out}: is a folder; name the file to write`);
  if (values.out) writeOut(values.out, text, '--out');
  else process.stdout.write(text);
}

async function main(): Promise<void> {
  const [cmd, ...rest] = process.argv.slice(2);
  switch (cmd) {
    case 'search':
      return cmdSearch(rest);
    case 'resume':
      return cmdResume(rest);
    case 'bench':
      return cmdBench(rest);
    case 'export':
      return cmdExport(rest);
    case 'export-model':
      return cmdExportModel(rest);
    case 'measure':
      return cmdMeasure(rest);
    case 'compare':
      return cmdCompare(rest);
    case 'plot':
      return cmdPlot(rest);
    case 'trust':
    case 'allow':
      return cmdTrust(rest);
    case undefined:
    case '-h':
    case '--help':
    case 'help':
      process.stdout.write(USAGE);
      return;
    default:
      throw new UsageError(`unknown command "${cmd}"\n\n${USAGE}`);
  }
}

main().catch((e: unknown) => {
  if (e instanceof TypeError && (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS'))
    fail(new UsageError(e.message.replace(/\s*\n\s*/g, ' ')));
  fail(e);
});
