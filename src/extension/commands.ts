// The palette commands ("LLM-NAS: …"). Each is a thin flow over the controller and src/core; arguments let
// tests and other commands skip the interactive pickers.

import fs from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import { slurmSpaceOptions } from './slurm.js';
import { exportRun } from '../core/export.js';
import type { Registry } from '../core/registry.js';
import { buildRunConfig } from '../core/runconfig.js';
import { type SpaceProvider } from '../core/provider.js';
import type { ExtensionTrust } from './trust.js';
import { readDefinitionFile } from '../core/userspace/definition.js';
import { userProviderOf } from '../core/userspace/provider.js';
import type { RunConfig } from '../core/runstore.js';
import type { RunAction } from '../protocol.js';
import { readSettings, SECRET_API_KEY } from './config.js';
import type { RunController } from './controller.js';
import { DashboardPanel } from './dashboard.js';
import { operatorOptionsOf } from './endpoint.js';
import { checkEndpoint, openLlmSettings, OPEN_SETTINGS, showConnectionTest } from './endpoint-ui.js';
import {
  describeDevice,
  describePredictor,
  estimateDuration,
  formatDuration,
  predictorItems,
  runSteps,
  stepTitle,
  type StepOutcome,
  type WizardStep,
} from './pickers.js';
import { compareRuns, renameRun, runInfo, runLabel } from './runinfo.js';
import type { RunSession } from './session.js';
import { listRunDirs, runsRoot, type RunsTree } from './tree.js';
import { registerExportModelCommands } from './export-model.js';

/** What New Search needs; any field given as an argument skips its picker. */
export interface NewSearchArgs {
  space?: string;
  /** A user-defined space file (*.space.json); replaces `space`. */
  spaceFile?: string;
  /** Command of the external evaluator (predictor "external"): spec JSON on stdin, metrics JSON on stdout. */
  externalEvaluator?: string;
  dataset?: string;
  devices?: string[];
  metric?: 'latency' | 'energy';
  operator?: string;
  predictor?: string;
  generations?: number;
  budget?: number;
  seed?: number;
  /** Pause after every generation. */
  stepping?: boolean;
  /** Start with the settings' defaults for every field not given (no pickers). */
  useDefaults?: boolean;
  /** Do not open the dashboard. */
  noDashboard?: boolean;
}

export interface CommandDeps {
  context: vscode.ExtensionContext;
  controller: RunController;
  log: vscode.LogOutputChannel;
  tree: RunsTree;
  /** Approves a folder's / space file's command and endpoint before they are used (src/extension/trust.ts). */
  trust: ExtensionTrust;
  /** The extension's composition (src/extension/main.ts): spaces, operators and the host environment. */
  registry: Registry;
}

async function pick<T extends string>(
  title: string,
  items: readonly T[],
  dflt: T,
  describe?: (x: T) => string,
): Promise<T | undefined> {
  const qp = items.map((label) => ({
    label,
    description: [label === dflt ? 'default' : '', describe?.(label) ?? ''].filter(Boolean).join(' · '),
  }));
  qp.sort((a, b) => (a.label === dflt ? -1 : b.label === dflt ? 1 : 0));
  const r = await vscode.window.showQuickPick(qp, { title, placeHolder: title, ignoreFocusOut: true });
  return r?.label as T | undefined;
}

type Back = 'back';

/** A quick pick offering Back (vscode.QuickInputButtons.Back) when `canGoBack`; undefined: cancelled. */
function quickPickStep<I extends vscode.QuickPickItem>(
  o: {
    title: string;
    placeholder?: string;
    items: readonly I[];
    /** The item the cursor starts on (single choice) or the items checked (canPickMany). */
    chosen?: (i: I) => boolean;
    many?: boolean;
    matchOnDescription?: boolean;
  },
  canGoBack: boolean,
): Promise<readonly I[] | Back | undefined> {
  return new Promise((resolve) => {
    const qp = vscode.window.createQuickPick<I>();
    qp.title = o.title;
    qp.placeholder = o.placeholder ?? o.title;
    qp.ignoreFocusOut = true;
    qp.canSelectMany = o.many === true;
    qp.matchOnDescription = o.matchOnDescription === true;
    qp.items = o.items;
    const chosen = o.chosen ? o.items.filter(o.chosen) : [];
    if (o.many) qp.selectedItems = chosen;
    else if (chosen.length) qp.activeItems = [chosen[0]!];
    qp.buttons = canGoBack ? [vscode.QuickInputButtons.Back] : [];
    let done = false;
    const finish = (v: readonly I[] | Back | undefined): void => {
      if (done) return;
      done = true;
      resolve(v);
      qp.dispose();
    };
    qp.onDidTriggerButton((b) => {
      if (b === vscode.QuickInputButtons.Back) finish('back');
    });
    qp.onDidAccept(() =>
      finish(o.many ? qp.selectedItems : qp.selectedItems.length ? qp.selectedItems : qp.activeItems),
    );
    qp.onDidHide(() => finish(undefined));
    qp.show();
  });
}

/** One choice among strings, the default marked and listed first, the cursor on `current` (a previous answer). */
async function pickStep<T extends string>(
  title: string,
  items: readonly T[],
  dflt: T,
  describe: ((x: T) => string) | undefined,
  canGoBack: boolean,
  current?: T,
): Promise<T | Back | undefined> {
  const qp = items.map((label) => ({
    label,
    description: [label === dflt ? 'default' : '', describe?.(label) ?? ''].filter(Boolean).join(' · '),
  }));
  qp.sort((a, b) => (a.label === dflt ? -1 : b.label === dflt ? 1 : 0));
  const at = current !== undefined && items.includes(current) ? current : dflt;
  const r = await quickPickStep({ title, items: qp, chosen: (i) => i.label === at }, canGoBack);
  return r === 'back' || r === undefined ? r : (r[0]?.label as T | undefined);
}

/** An input box offering Back when `canGoBack`; accepts only values `check` passes. undefined: cancelled. */
function inputStep(
  o: {
    title: string;
    value: string;
    prompt?: string;
    placeholder?: string;
    /** undefined or an Info message: acceptable; a string or Error message: not. */
    check: (s: string) => { ok: boolean; message?: string | vscode.InputBoxValidationMessage };
  },
  canGoBack: boolean,
): Promise<string | Back | undefined> {
  return new Promise((resolve) => {
    const ib = vscode.window.createInputBox();
    ib.title = o.title;
    ib.value = o.value;
    if (o.prompt) ib.prompt = o.prompt;
    if (o.placeholder) ib.placeholder = o.placeholder;
    ib.ignoreFocusOut = true;
    ib.buttons = canGoBack ? [vscode.QuickInputButtons.Back] : [];
    const validate = (s: string): boolean => {
      const r = o.check(s);
      ib.validationMessage = r.message;
      return r.ok;
    };
    validate(ib.value);
    let done = false;
    const finish = (v: string | Back | undefined): void => {
      if (done) return;
      done = true;
      resolve(v);
      ib.dispose();
    };
    ib.onDidChangeValue(validate);
    ib.onDidTriggerButton((b) => {
      if (b === vscode.QuickInputButtons.Back) finish('back');
    });
    ib.onDidAccept(() => {
      if (validate(ib.value)) finish(ib.value);
    });
    ib.onDidHide(() => finish(undefined));
    ib.show();
  });
}

async function askNumber(
  title: string,
  value: number,
  min: number,
  hint: ((n: number) => string) | undefined,
  canGoBack: boolean,
): Promise<number | Back | undefined> {
  const r = await inputStep(
    {
      title,
      value: String(value),
      ...(hint ? { prompt: hint(value) } : {}),
      check: (s) =>
        s.trim() !== '' && Number.isInteger(Number(s)) && Number(s) >= min
          ? {
              ok: true,
              ...(hint
                ? { message: { message: hint(Number(s)), severity: vscode.InputBoxValidationSeverity.Info } }
                : {}),
            }
          : { ok: false, message: `an integer ≥ ${min}` },
    },
    canGoBack,
  );
  return r === 'back' || r === undefined ? r : Number(r);
}

const SPACE_FILE_ITEM = 'User-defined space file…';
/** New Search's steps (space, dataset, devices, metric, predictor, operator, generations, budget, mode). */
const STEPS = 9;

/** A user-defined space chosen from the workspace's *.space.json files or a file dialog; undefined: cancelled. */
async function pickSpaceFile(): Promise<string | undefined> {
  const found = await vscode.workspace.findFiles('**/*.space.json', '**/node_modules/**', 50);
  const browse = 'Browse…';
  const items = [
    ...found.map((u) => ({ label: vscode.workspace.asRelativePath(u), file: u.fsPath })),
    { label: browse, file: '' },
  ];
  const r = await vscode.window.showQuickPick(items, {
    title: 'LLM-NAS: user-defined space (JSON, see docs/spaces.md)',
    ignoreFocusOut: true,
  });
  if (!r) return undefined;
  if (r.label !== browse) return r.file;
  const picked = await vscode.window.showOpenDialog({
    title: 'LLM-NAS: user-defined space',
    canSelectMany: false,
    filters: { 'LLM-NAS space': ['json'] },
  });
  return picked?.[0]?.fsPath;
}

/** New Search's answers so far (a step finds its previous answer here when the user comes Back to it). */
interface Draft {
  /** The space item picked: a space id or SPACE_FILE_ITEM. */
  pick?: string;
  spaceFile?: string;
  /** The space id (a user space's from its file). */
  space?: string;
  definition?: unknown;
  dataset?: string;
  devices?: string[];
  metric?: RunConfig['metric'];
  predictor?: string;
  /** spaceOptions set by the external-evaluator step (externalEvaluator, SLURM). */
  external?: Record<string, unknown>;
  operator?: string;
  generations?: number;
  budget?: number;
  stepping?: boolean;
}

const asStep = (r: unknown): StepOutcome => (r === 'back' ? 'back' : 'cancel');

/**
 * The New Search flow: space, dataset, device(s), metric, predictor, operator, generations, budget, mode — each
 * step with Back to the previous one (its answer kept). A field given in `args` (or `useDefaults`) skips its step.
 */
async function buildConfig(
  args: NewSearchArgs,
  trust: ExtensionTrust,
  context: vscode.ExtensionContext,
  registry: Registry,
): Promise<{ config: RunConfig; stepping: boolean } | undefined> {
  const d = readSettings().defaults;
  const s = readSettings();
  const auto = args.useDefaults === true;
  const spaces = registry.spaceIds();
  const prov = (st: Draft): SpaceProvider =>
    registry.providerOf({
      space: st.space!,
      ...(st.definition !== undefined ? { spaceOptions: { definition: st.definition } } : {}),
    });
  // the settings' defaults describe the default space; another space starts from its own defaults
  const dfltOf = (st: Draft): { dataset: string; devices: string[]; metric: RunConfig['metric'] } => {
    const p = prov(st);
    const own = st.space === d.space;
    return {
      dataset: own && p.datasets.includes(d.dataset) ? d.dataset : p.defaults.dataset,
      devices: own && d.devices.every((x) => p.devices.includes(x)) ? d.devices : p.defaults.devices,
      metric: (own && p.metrics.includes(d.metric) ? d.metric : p.defaults.metric) as RunConfig['metric'],
    };
  };
  const resolveSpace = (st: Draft): void => {
    st.definition = undefined;
    st.space = st.pick;
    if (st.spaceFile) {
      // the definition travels in the run config, so the run folder is self-contained (as with the CLI's --space-file)
      const def = readDefinitionFile(st.spaceFile);
      st.space = userProviderOf(def).id;
      st.definition = def;
    }
  };
  const noPrices = s.llm.costCapUsd > 0 && !(s.llm.priceInPer1k > 0 || s.llm.priceOutPer1k > 0);
  const estimateOf = (st: Draft, n: number): string => {
    const e = estimateDuration(n, st.space!, st.predictor!, runsRoot());
    if (!e) return 'duration unknown for this space';
    return `≈ ${formatDuration(e.seconds)} (${e.secondsPerEvaluation < 0.1 ? e.secondsPerEvaluation.toFixed(3) : e.secondsPerEvaluation.toFixed(1)} s per evaluation, ${e.basis === 'measured' ? `measured in ${e.runs} earlier run${e.runs === 1 ? '' : 's'} here` : 'typical figure'})`;
  };

  const steps: WizardStep<Draft>[] = [
    // 1: search space
    {
      async run(st, back) {
        if (args.space !== undefined || args.spaceFile !== undefined || auto) {
          st.pick = args.space ?? d.space;
          st.spaceFile = args.spaceFile;
          resolveSpace(st);
          return 'auto';
        }
        for (;;) {
          const r = await pickStep(
            stepTitle(1, STEPS, 'search space'),
            [...spaces, SPACE_FILE_ITEM],
            d.space,
            (x) =>
              x === SPACE_FILE_ITEM
                ? 'a layer-wise space of your own (*.space.json)'
                : registry.spaceProvider(x).label,
            back,
            st.pick,
          );
          if (r === 'back' || r === undefined) return asStep(r);
          st.pick = r;
          st.spaceFile = undefined;
          if (r === SPACE_FILE_ITEM) {
            const f = await pickSpaceFile();
            if (!f) continue; // the file dialog closed: choose the space again
            st.spaceFile = f;
          }
          resolveSpace(st);
          return 'next';
        }
      },
    },
    // 2: dataset
    {
      async run(st, back) {
        const p = prov(st);
        if (args.dataset !== undefined || auto || p.datasets.length === 1) {
          st.dataset = args.dataset ?? dfltOf(st).dataset;
          return 'auto';
        }
        const r = await pickStep(
          stepTitle(2, STEPS, 'dataset'),
          p.datasets,
          dfltOf(st).dataset,
          undefined,
          back,
          st.dataset,
        );
        if (r === 'back' || r === undefined) return asStep(r);
        st.dataset = r;
        return 'next';
      },
    },
    // 3: devices (at least one: unchecking every device is an error, not a silent default)
    {
      async run(st, back) {
        const p = prov(st);
        if (args.devices !== undefined || auto) {
          st.devices = args.devices ?? dfltOf(st).devices;
          return 'auto';
        }
        let checked = st.devices?.filter((x) => p.devices.includes(x)) ?? dfltOf(st).devices;
        for (;;) {
          const r = await quickPickStep(
            {
              title: stepTitle(3, STEPS, 'target device(s) — each adds a cost objective'),
              placeholder: 'Space to check, Enter to accept (at least one)',
              items: p.devices.map((x) => ({ label: x, description: describeDevice(x) })),
              chosen: (i) => checked.includes(i.label),
              many: true,
            },
            back,
          );
          if (r === 'back' || r === undefined) return asStep(r);
          if (r.length) {
            st.devices = r.map((x) => x.label);
            return 'next';
          }
          void vscode.window.showErrorMessage(
            'LLM-NAS: choose at least one target device (each is a cost objective).',
          );
          checked = [];
        }
      },
    },
    // 4: cost metric
    {
      async run(st, back) {
        const metrics = prov(st).metrics as readonly RunConfig['metric'][];
        if (args.metric !== undefined || auto || metrics.length < 2) {
          st.metric = args.metric ?? dfltOf(st).metric;
          return 'auto';
        }
        const r = await pickStep(
          stepTitle(4, STEPS, 'cost metric'),
          metrics,
          dfltOf(st).metric,
          (m) => (m === 'latency' ? 'time per inference (ms)' : 'energy per inference (mJ)'),
          back,
          st.metric,
        );
        if (r === 'back' || r === undefined) return asStep(r);
        st.metric = r;
        return 'next';
      },
    },
    // 5: accuracy predictor
    {
      async run(st, back) {
        const predictors = [...new Set(prov(st).predictors(st.dataset!))];
        const dflt = predictors.includes(d.predictor) ? d.predictor : prov(st).defaults.predictor;
        const given = args.predictor ?? (args.externalEvaluator !== undefined ? 'external' : undefined);
        if (given !== undefined || auto || predictors.length === 1) {
          st.predictor = given ?? dflt;
          return 'auto';
        }
        const at = st.predictor !== undefined && predictors.includes(st.predictor) ? st.predictor : dflt;
        const items = predictorItems(predictors, dflt).map((x) =>
          x.separator
            ? { label: x.label, kind: vscode.QuickPickItemKind.Separator }
            : { label: x.label, description: x.description ?? '' },
        );
        const r = await quickPickStep(
          {
            title: stepTitle(5, STEPS, 'accuracy predictor'),
            placeholder: `accuracy predictor (default ${dflt}: ${describePredictor(dflt)})`,
            items,
            chosen: (i) => i.label === at && i.kind !== vscode.QuickPickItemKind.Separator,
            matchOnDescription: true,
          },
          back,
        );
        if (r === 'back' || r === undefined) return asStep(r);
        if (!r[0]) return 'cancel';
        st.predictor = r[0].label;
        return 'next';
      },
    },
    // 5 (continued): the external evaluator's command, when the predictor is "external"
    {
      async run(st, back) {
        st.external = undefined;
        if (st.predictor !== 'external') return 'auto';
        // a user space may name its own evaluator command; otherwise "external" needs one. It runs in the
        // workspace folder (relative paths in the command resolve there, as in a terminal opened on the workspace)
        const own = (st.definition as { evaluator?: { command: string } } | undefined)?.evaluator;
        // the space file's own command runs only once approved (Workspace Trust, then a modal showing it)
        if (
          args.externalEvaluator === undefined &&
          own?.command &&
          st.spaceFile &&
          !(await trust.approveSpaceFile(st.spaceFile, st.definition))
        )
          return 'cancel';
        let command = args.externalEvaluator ?? own?.command;
        const asked = command === undefined;
        if (command === undefined) {
          const r = await inputStep(
            {
              title: 'LLM-NAS: external evaluator command',
              prompt:
                'Run once per candidate: the spec JSON on stdin, a metrics JSON on stdout (see docs/spaces.md)',
              placeholder: 'node examples/evaluators/local-eval.mjs',
              value: '',
              check: (v) => (v.trim() ? { ok: true } : { ok: false, message: 'a command' }),
            },
            back,
          );
          if (r === 'back' || r === undefined) return asStep(r);
          command = r;
        }
        if (!command.trim()) return 'cancel';
        const cwd = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
        st.external = {
          externalEvaluator: {
            ...(args.externalEvaluator === undefined ? own : {}),
            command: command.trim(),
            ...(cwd ? { cwd } : {}),
          },
          // llmNas.slurm.enabled: the same command, run per candidate as SLURM job array tasks
          ...slurmSpaceOptions(command.trim(), cwd),
        };
        return asked ? 'next' : 'auto';
      },
    },
    // 6: operator, with a connection test for an LLM operator picked here
    {
      async run(st, back) {
        const ops = registry.operatorIds();
        if (args.operator !== undefined || auto || ops.length === 1) {
          st.operator = args.operator ?? d.operator;
          return 'auto';
        }
        for (;;) {
          const r = await pickStep(
            stepTitle(6, STEPS, 'operator'),
            ops,
            ops.includes(d.operator) ? d.operator : 'builtin',
            (o) =>
              o === 'builtin'
                ? 'mutation + crossover, no LLM (ignores the knowledge base)'
                : `LLM proposals guided by the knowledge base · ${s.llm.model} at ${s.llm.endpoint}${noPrices ? ' · cost cap inactive: no token prices set' : ''}`,
            back,
            st.operator,
          );
          if (r === 'back' || r === undefined) return asStep(r);
          st.operator = r;
          if (r === 'builtin') return 'next';
          // Test connection: a run that cannot reach its endpoint should not start
          const t = await vscode.window.withProgress(
            { location: vscode.ProgressLocation.Notification, title: `LLM-NAS: testing ${s.llm.endpoint}…` },
            () => checkEndpoint(context.secrets),
          );
          if (t.ok) return 'next';
          const USE_BUILTIN = 'Use the built-in operator';
          const ANYWAY = 'Start anyway';
          const a = await quickPickStep(
            {
              title: `LLM-NAS: test connection failed — ${t.message}`,
              items: [
                {
                  label: OPEN_SETTINGS,
                  description: 'fix llmNas.llm.endpoint / model, then start New Search again',
                },
                { label: USE_BUILTIN, description: 'mutation + crossover, no LLM' },
                {
                  label: ANYWAY,
                  description: 'the run fails at its first LLM call if the endpoint stays unreachable',
                },
              ],
            },
            true,
          );
          if (a === 'back') continue; // choose the operator again
          if (a === undefined || !a[0]) return 'cancel';
          if (a[0].label === OPEN_SETTINGS) {
            await openLlmSettings();
            return 'cancel';
          }
          if (a[0].label === USE_BUILTIN) st.operator = 'builtin';
          return 'next';
        }
      },
    },
    // 7: generations
    {
      async run(st, back) {
        if (args.generations !== undefined || auto) {
          st.generations = args.generations ?? d.generations;
          return 'auto';
        }
        const r = await askNumber(
          stepTitle(7, STEPS, 'generations'),
          st.generations ?? d.generations,
          1,
          undefined,
          back,
        );
        if (r === 'back' || r === undefined) return asStep(r);
        st.generations = r;
        return 'next';
      },
    },
    // 8: evaluation budget, with the estimated duration
    {
      async run(st, back) {
        if (args.budget !== undefined || auto) {
          st.budget = args.budget ?? d.budget;
          return 'auto';
        }
        const r = await askNumber(
          stepTitle(8, STEPS, 'evaluation budget'),
          st.budget ?? d.budget,
          1,
          (n) => `estimated ${estimateOf(st, n)}`,
          back,
        );
        if (r === 'back' || r === undefined) return asStep(r);
        st.budget = r;
        return 'next';
      },
    },
    // 9: run to the end or step
    {
      async run(st, back) {
        if (args.stepping !== undefined || auto) {
          st.stepping = args.stepping;
          return 'auto';
        }
        const END = 'Run to the end';
        const STEP = 'Step: pause after each generation';
        const r = await pickStep(
          stepTitle(9, STEPS, `how to run · estimated ${estimateOf(st, st.budget!)}`),
          [END, STEP] as const,
          END,
          (m) => (m === END ? '' : 'edit the knowledge base between generations'),
          back,
          st.stepping === undefined ? undefined : st.stepping ? STEP : END,
        );
        if (r === 'back' || r === undefined) return asStep(r);
        st.stepping = r !== END;
        return 'next';
      },
    },
  ];
  const st: Draft = {};
  if (!(await runSteps(steps, st))) return undefined;
  const { space, dataset, devices, metric, predictor, operator, generations, budget } = st as Required<Draft>;
  const spaceOptions: Record<string, unknown> = {
    ...(st.definition !== undefined ? { definition: st.definition } : {}),
    ...st.external,
  };
  const config = buildRunConfig(registry, {
    space,
    dataset,
    devices,
    metric,
    predictor,
    operator,
    partition: true,
    generations,
    budget,
    adaptive: true,
    seed: args.seed ?? d.seed,
    spaceOptions,
    // the core's LLM option names (src/core/llm/index.ts); the API key never enters the run folder
    ...(operator !== 'builtin' ? { operatorOptions: operatorOptionsOf(s.llm) } : {}),
  });
  // the cost cap without prices: said once (not on every LLM pick); the operator picker says it too
  const NO_PRICES_KEY = 'llmNas.warnedNoPrices';
  if (operator !== 'builtin' && noPrices && !context.globalState.get<boolean>(NO_PRICES_KEY)) {
    void context.globalState.update(NO_PRICES_KEY, true);
    void vscode.window
      .showWarningMessage(
        `LLM-NAS: the cost cap (${s.llm.costCapUsd} USD) cannot act without token prices: set llmNas.llm.priceInPer1k and priceOutPer1k. Token counts are still recorded.`,
        OPEN_SETTINGS,
      )
      .then((a) => (a === OPEN_SETTINGS ? openLlmSettings() : undefined));
  }
  return { config, stepping: st.stepping ?? false };
}

/** How long the progress notification stays at the start of a run (the status bar carries it after that). */
const PROGRESS_AT_START_MS = 12_000;

function showProgress(session: RunSession, enabled: boolean, forMs?: number): void {
  if (!enabled) return;
  const { config, model } = session;
  vscode.window
    .withProgress(
      {
        location: vscode.ProgressLocation.Notification,
        title: `LLM-NAS run ${config.id}`,
        cancellable: true,
      },
      (progress, token) =>
        new Promise<void>((resolve) => {
          let reported = 0;
          const cancel = token.onCancellationRequested(() => {
            if (session.active) session.stop();
          });
          // report on a clock (~4 Hz) so the last state always shows, however the events arrive
          const tick = setInterval(() => {
            const n = model.evaluations;
            progress.report({
              increment: ((n - reported) / config.budget) * 100,
              message: `${Math.max(0, model.generation + 1)} of ${config.generations} generations done · ${n}/${config.budget} evaluated · ${model.runPhase}`,
            });
            reported = n;
          }, 250);
          const sub = { dispose: () => clearInterval(tick) };
          const end = (): void => {
            sub.dispose();
            cancel.dispose();
            resolve();
          };
          if (forMs !== undefined) setTimeout(end, forMs);
          void session.done.finally(end);
        }),
    )
    .then(undefined, () => {});
}

export type CommandHandler = (...args: never[]) => Promise<unknown>;

/** The commands' implementations by id (the thin entry registers them and loads this module on first use). */
export function createCommands(deps: CommandDeps): Map<string, CommandHandler> {
  const { context, controller, log, tree, trust } = deps;
  const handlers = new Map<string, CommandHandler>();
  const reg = (id: string, fn: (...args: never[]) => unknown): void => {
    handlers.set(id, async (...args: never[]) => {
      try {
        return await fn(...args);
      } catch (e) {
        log.error(`${id}: ${(e as Error)?.stack ?? String(e)}`);
        void vscode.window
          .showErrorMessage(`LLM-NAS: ${(e as Error)?.message ?? String(e)}`, 'Show Log')
          .then((a) => (a === 'Show Log' ? log.show() : undefined));
        return undefined;
      }
    });
  };
  const openDashboard = (): DashboardPanel =>
    DashboardPanel.createOrShow(context.extensionUri, controller, log);
  const currentDir = (): string => {
    const m = controller.model;
    if (!m) throw new Error('no run is open; start one with "LLM-NAS: New Search"');
    return m.dir;
  };

  reg('llmNas.newSearch', async (args?: NewSearchArgs) => {
    if (!runsRoot()) throw new Error('open a folder first: runs are stored in the workspace');
    const built = await buildConfig(args ?? {}, trust, context, deps.registry);
    if (!built) return undefined;
    const { config, stepping } = built;
    if (config.operator !== 'builtin' && !(await context.secrets.get(SECRET_API_KEY)))
      log.warn('no API key in SecretStorage; run "LLM-NAS: Set API Key" if the endpoint needs one');
    const dir = path.join(runsRoot()!, config.id);
    const session = controller.start(dir, config, stepping);
    trust.approveOwnRun(dir, config); // chosen here by the user: resuming this folder later asks nothing
    showProgress(session, readSettings().showProgressNotification, PROGRESS_AT_START_MS);
    if (!args?.noDashboard) openDashboard();
    tree.refresh();
    return dir;
  });

  reg('llmNas.openDashboard', (dir?: string) => {
    if (typeof dir === 'string') controller.view(dir);
    else if (!controller.model) {
      const latest = listRunDirs()[0];
      if (latest) controller.view(latest);
    }
    openDashboard();
  });

  const control = (action: RunAction) => () => controller.control(action);
  reg('llmNas.pause', control('pause'));
  reg('llmNas.resume', control('resume'));
  reg('llmNas.step', control('step'));
  reg('llmNas.stop', control('stop'));

  reg('llmNas.resumeRunFromFolder', async (arg?: string | { dir?: string }) => {
    // a folder path (tests, other commands) or a node of the Runs view (its context menu)
    const dir = typeof arg === 'string' ? arg : arg?.dir;
    let target = typeof dir === 'string' ? dir : undefined;
    if (!target) {
      const items = listRunDirs().map((d) => ({ ...runLabel(d), dir: d }));
      const browse = { label: 'Browse…', description: 'choose a run folder', dir: '' };
      const r = await vscode.window.showQuickPick([...items, browse], {
        title: 'LLM-NAS: resume which run?',
      });
      if (!r) return undefined;
      if (r.dir) target = r.dir;
      else {
        const root = runsRoot();
        const u = await vscode.window.showOpenDialog({
          canSelectFolders: true,
          canSelectFiles: false,
          ...(root ? { defaultUri: vscode.Uri.file(root) } : {}),
          openLabel: 'Resume run',
        });
        target = u?.[0]?.fsPath;
      }
    }
    if (!target) return undefined;
    // a folder's command / LLM endpoint is used only with the user's approval (Workspace Trust + modal)
    if (!(await trust.approveRunFolder(target))) return undefined;
    const session = controller.resumeFolder(target);
    showProgress(session, readSettings().showProgressNotification, PROGRESS_AT_START_MS);
    openDashboard();
    return target;
  });

  reg('llmNas.openKnowledgeBase', async () => {
    const f = path.join(currentDir(), 'knowledge-base.md');
    await vscode.window.showTextDocument(vscode.Uri.file(f));
  });

  reg('llmNas.exportFront', async (format?: 'csv' | 'json', out?: string) => {
    const dir = currentDir();
    const fmt =
      format ?? (await pick('LLM-NAS: export the global front as', ['csv', 'json'] as const, 'csv'));
    if (!fmt) return undefined;
    const text = exportRun(dir, fmt, 'front');
    let target = out;
    if (!target) {
      const u = await vscode.window.showSaveDialog({
        defaultUri: vscode.Uri.file(path.join(dir, `front.${fmt}`)),
        filters: fmt === 'csv' ? { CSV: ['csv'] } : { JSON: ['json'] },
      });
      target = u?.fsPath;
    }
    if (!target) return undefined;
    fs.writeFileSync(target, text);
    log.info(`exported the front of ${path.basename(dir)} to ${target}`);
    if (!out)
      void vscode.window
        .showInformationMessage(`LLM-NAS: front exported to ${target}`, 'Open')
        .then((a) => (a === 'Open' ? vscode.window.showTextDocument(vscode.Uri.file(target)) : undefined));
    return target;
  });

  reg('llmNas.setApiKey', async (key?: string) => {
    const v =
      key ??
      (await vscode.window.showInputBox({
        title: 'LLM-NAS: API key for the OpenAI-compatible endpoint',
        password: true,
        ignoreFocusOut: true,
        placeHolder: 'stored in VS Code SecretStorage, never in settings or run folders',
      }));
    if (v === undefined) return undefined;
    if (v === '') await context.secrets.delete(SECRET_API_KEY);
    else await context.secrets.store(SECRET_API_KEY, v);
    log.info(v === '' ? 'API key removed' : 'API key stored in SecretStorage');
    if (key === undefined)
      void vscode.window
        .showInformationMessage(
          v === ''
            ? 'LLM-NAS: API key removed.'
            : 'LLM-NAS: API key stored in VS Code SecretStorage (never in settings or run folders).',
          ...(v === '' ? [] : ['Test Connection']),
        )
        .then((a) => (a ? showConnectionTest(context.secrets, log) : undefined));
    return true;
  });

  reg('llmNas.testConnection', () => showConnectionTest(context.secrets, log));

  reg('llmNas.showProgress', () => {
    const s = controller.live;
    if (!s?.active) throw new Error('no run is active in this window');
    showProgress(s, true);
  });

  // ---- run management (the Runs view's context menu; the argument is the tree node or a folder path)
  const dirOf = async (arg: unknown, title: string): Promise<string | undefined> => {
    if (typeof arg === 'string') return arg;
    const d = (arg as { dir?: unknown } | undefined)?.dir;
    if (typeof d === 'string') return d;
    const r = await vscode.window.showQuickPick(
      listRunDirs().map((x) => ({ ...runLabel(x), dir: x })),
      { title, matchOnDescription: true, matchOnDetail: true },
    );
    return r?.dir;
  };
  reg('llmNas.renameRun', async (arg?: unknown, name?: string) => {
    const dir = await dirOf(arg, 'LLM-NAS: rename which run?');
    if (!dir) return undefined;
    const v =
      name ??
      (await vscode.window.showInputBox({
        title: `LLM-NAS: name of run ${path.basename(dir)}`,
        value: runInfo(dir).name ?? '',
        prompt: 'shown in the Runs view and the resume picker; the folder keeps its id (empty: no name)',
      }));
    if (v === undefined) return undefined;
    renameRun(dir, v);
    tree.refresh();
    return v;
  });
  reg('llmNas.deleteRun', async (arg?: unknown, confirmed?: boolean) => {
    const dir = await dirOf(arg, 'LLM-NAS: delete which run?');
    if (!dir) return undefined;
    if (controller.live?.dir === dir && controller.live.active)
      throw new Error('this run is active: stop it before deleting it');
    const DELETE = 'Delete';
    if (
      !confirmed &&
      (await vscode.window.showWarningMessage(
        `Delete run ${runLabel(dir).label} and its folder (${dir})? This cannot be undone.`,
        { modal: true },
        DELETE,
      )) !== DELETE
    )
      return undefined;
    fs.rmSync(dir, { recursive: true, force: true });
    log.info(`deleted run folder ${dir}`);
    tree.refresh();
    return dir;
  });
  reg('llmNas.revealRun', async (arg?: unknown) => {
    const dir = await dirOf(arg, 'LLM-NAS: reveal which run?');
    if (dir) await vscode.commands.executeCommand('revealFileInOS', vscode.Uri.file(dir));
  });
  reg('llmNas.compareRuns', async (arg?: unknown, other?: string) => {
    const a = await dirOf(arg, 'LLM-NAS: compare which run?');
    if (!a) return undefined;
    const b =
      other ??
      (
        await vscode.window.showQuickPick(
          listRunDirs()
            .filter((x) => x !== a)
            .map((x) => ({ ...runLabel(x), dir: x })),
          { title: `LLM-NAS: compare ${runLabel(a).label} with…`, matchOnDescription: true },
        )
      )?.dir;
    if (!b) return undefined;
    const doc = await vscode.workspace.openTextDocument({
      language: 'markdown',
      content: compareRuns([a, b]),
    });
    await vscode.window.showTextDocument(doc, { preview: true });
    return doc.getText();
  });

  reg('llmNas.showLog', () => log.show());
  reg('llmNas.refreshRuns', () => tree.refresh());
  registerExportModelCommands(reg, { log, currentDir: () => controller.model?.dir });
  return handlers;
}
