// The palette commands ("LLM-NAS: …"). Each is a thin flow over the controller and src/core; arguments let
// tests and other commands skip the interactive pickers.

import fs from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import { slurmSpaceOptions } from './slurm.js';
import { exportRun } from '../core/export.js';
import {
  checkConfig,
  costMetricsOf,
  operatorIds,
  registerSpace,
  spaceIds,
  spaceProvider,
} from '../core/registry.js';
import type { ExtensionTrust } from './trust.js';
import { readDefinitionFile } from '../core/userspace/definition.js';
import { userProviderOf } from '../core/userspace/provider.js';
import { RUN_FORMAT, type RunConfig } from '../core/runstore.js';
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
  stepTitle,
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
}

function newRunId(): string {
  const t = new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '').replace('T', '-');
  return `${t}-${Math.random().toString(36).slice(2, 6)}`;
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

async function askNumber(
  title: string,
  dflt: number,
  min: number,
  hint?: (n: number) => string,
): Promise<number | undefined> {
  const v = await vscode.window.showInputBox({
    title,
    value: String(dflt),
    ...(hint ? { prompt: hint(dflt) } : {}),
    ignoreFocusOut: true,
    validateInput: (s) =>
      Number.isInteger(Number(s)) && Number(s) >= min
        ? hint
          ? { message: hint(Number(s)), severity: vscode.InputBoxValidationSeverity.Info }
          : undefined
        : `an integer ≥ ${min}`,
  });
  return v === undefined ? undefined : Number(v);
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

/** The New Search flow: space, dataset, device(s), predictor, operator, generations, budget, mode. */
async function buildConfig(
  args: NewSearchArgs,
  trust: ExtensionTrust,
  context: vscode.ExtensionContext,
): Promise<{ config: RunConfig; stepping: boolean } | undefined> {
  const d = readSettings().defaults;
  const auto = args.useDefaults === true;
  const spaces = spaceIds().filter((x) => !x.startsWith('user:'));
  let space =
    args.space ??
    (args.spaceFile !== undefined || auto
      ? d.space
      : await pick(stepTitle(1, STEPS, 'search space'), [...spaces, SPACE_FILE_ITEM], d.space, (x) =>
          x === SPACE_FILE_ITEM ? 'a layer-wise space of your own (*.space.json)' : spaceProvider(x).label,
        ));
  if (!space) return undefined;
  const spaceOptions: Record<string, unknown> = {};
  const spaceFile = args.spaceFile ?? (space === SPACE_FILE_ITEM ? await pickSpaceFile() : undefined);
  if (space === SPACE_FILE_ITEM && !spaceFile) return undefined;
  if (spaceFile) {
    // the definition travels in the run config, so the run folder is self-contained (as with the CLI's --space-file)
    const def = readDefinitionFile(spaceFile);
    const up = userProviderOf(def);
    registerSpace(up);
    space = up.id;
    spaceOptions['definition'] = def;
  }
  const p = spaceProvider(space);
  // the settings' defaults describe the default space; another space starts from its own defaults
  const own = space === d.space;
  const dflt = {
    dataset: own && p.datasets.includes(d.dataset) ? d.dataset : p.defaults.dataset,
    devices: own && d.devices.every((x) => p.devices.includes(x)) ? d.devices : p.defaults.devices,
    metric: (own && p.metrics.includes(d.metric) ? d.metric : p.defaults.metric) as RunConfig['metric'],
  };
  const dataset =
    args.dataset ??
    (auto || p.datasets.length === 1
      ? dflt.dataset
      : await pick(stepTitle(2, STEPS, 'dataset'), p.datasets, dflt.dataset));
  if (!dataset) return undefined;
  let devices = args.devices ?? (auto ? dflt.devices : undefined);
  let preselected = dflt.devices;
  while (!devices) {
    const picked = await vscode.window.showQuickPick(
      p.devices.map((x) => ({ label: x, description: describeDevice(x), picked: preselected.includes(x) })),
      {
        title: stepTitle(3, STEPS, 'target device(s) — each adds a cost objective'),
        placeHolder: 'Space to check, Enter to accept (at least one)',
        canPickMany: true,
        ignoreFocusOut: true,
      },
    );
    if (!picked) return undefined;
    if (picked.length) devices = picked.map((x) => x.label);
    else {
      // no silent default: say what is wrong and ask again
      void vscode.window.showErrorMessage(
        'LLM-NAS: choose at least one target device (each is a cost objective).',
      );
      preselected = [];
    }
  }
  const metrics = p.metrics as readonly ('latency' | 'energy')[];
  const metric =
    args.metric ??
    (auto || metrics.length < 2
      ? dflt.metric
      : await pick(stepTitle(4, STEPS, 'cost metric'), metrics, dflt.metric, (m) =>
          m === 'latency' ? 'time per inference (ms)' : 'energy per inference (mJ)',
        ));
  if (!metric) return undefined;
  const predictors = [...new Set(p.predictors(dataset))];
  const dfltPredictor = predictors.includes(d.predictor) ? d.predictor : p.defaults.predictor;
  let predictor = args.predictor ?? (args.externalEvaluator !== undefined ? 'external' : undefined);
  if (!predictor) {
    if (auto || predictors.length === 1) predictor = dfltPredictor;
    else {
      const items = predictorItems(predictors, dfltPredictor).map((x) =>
        x.separator
          ? { label: x.label, kind: vscode.QuickPickItemKind.Separator }
          : { label: x.label, description: x.description ?? '' },
      );
      const r = await vscode.window.showQuickPick(items, {
        title: stepTitle(5, STEPS, 'accuracy predictor'),
        placeHolder: `accuracy predictor (default ${dfltPredictor}: ${describePredictor(dfltPredictor)})`,
        matchOnDescription: true,
        ignoreFocusOut: true,
      });
      predictor = r?.label;
    }
  }
  if (!predictor) return undefined;
  if (predictor === 'external') {
    // a user space may name its own evaluator command; otherwise "external" needs one. It runs in the workspace
    // folder (relative paths in the command resolve there, as in a terminal opened on the workspace)
    const own = (spaceOptions['definition'] as { evaluator?: { command: string } } | undefined)?.evaluator;
    // the space file's own command runs only once approved (Workspace Trust, then a modal showing it)
    if (
      args.externalEvaluator === undefined &&
      own?.command &&
      spaceFile &&
      !(await trust.approveSpaceFile(spaceFile, spaceOptions['definition']))
    )
      return undefined;
    const command =
      args.externalEvaluator ??
      own?.command ??
      (await vscode.window.showInputBox({
        title: 'LLM-NAS: external evaluator command',
        prompt:
          'Run once per candidate: the spec JSON on stdin, a metrics JSON on stdout (see docs/spaces.md)',
        placeHolder: 'node examples/evaluators/local-eval.mjs',
        ignoreFocusOut: true,
        validateInput: (v) => (v.trim() ? undefined : 'a command'),
      }));
    if (!command?.trim()) return undefined;
    const cwd = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    spaceOptions['externalEvaluator'] = {
      ...(args.externalEvaluator === undefined ? own : {}),
      command: command.trim(),
      ...(cwd ? { cwd } : {}),
    };
    // llmNas.slurm.enabled: the same command, run per candidate as SLURM job array tasks
    Object.assign(spaceOptions, slurmSpaceOptions(command.trim(), cwd));
  }
  const ops = operatorIds();
  const s = readSettings();
  const noPrices = s.llm.costCapUsd > 0 && !(s.llm.priceInPer1k > 0 || s.llm.priceOutPer1k > 0);
  let operator =
    args.operator ??
    (auto || ops.length === 1
      ? d.operator
      : await pick(
          stepTitle(6, STEPS, 'operator'),
          ops,
          ops.includes(d.operator) ? d.operator : 'builtin',
          (o) =>
            o === 'builtin'
              ? 'mutation + crossover, no LLM (ignores the knowledge base)'
              : `LLM proposals guided by the knowledge base · ${s.llm.model} at ${s.llm.endpoint}${noPrices ? ' · cost cap inactive: no token prices set' : ''}`,
        ));
  if (!operator) return undefined;
  if (operator !== 'builtin' && !auto && args.operator === undefined) {
    // Test connection: a run that cannot reach its endpoint should not start
    const r = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `LLM-NAS: testing ${s.llm.endpoint}…` },
      () => checkEndpoint(context.secrets),
    );
    if (!r.ok) {
      const USE_BUILTIN = 'Use the built-in operator';
      const ANYWAY = 'Start anyway';
      const a = await vscode.window.showQuickPick(
        [
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
        { title: `LLM-NAS: test connection failed — ${r.message}`, ignoreFocusOut: true },
      );
      if (!a) return undefined;
      if (a.label === OPEN_SETTINGS) {
        await openLlmSettings();
        return undefined;
      }
      if (a.label === USE_BUILTIN) operator = 'builtin';
    }
  }
  const generations =
    args.generations ??
    (auto ? d.generations : await askNumber(stepTitle(7, STEPS, 'generations'), d.generations, 1));
  if (generations === undefined) return undefined;
  const estimateOf = (n: number): string => {
    const e = estimateDuration(n, space, predictor, runsRoot());
    if (!e) return 'duration unknown for this space';
    return `≈ ${formatDuration(e.seconds)} (${e.secondsPerEvaluation < 0.1 ? e.secondsPerEvaluation.toFixed(3) : e.secondsPerEvaluation.toFixed(1)} s per evaluation, ${e.basis === 'measured' ? `measured in ${e.runs} earlier run${e.runs === 1 ? '' : 's'} here` : 'typical figure'})`;
  };
  const budget =
    args.budget ??
    (auto
      ? d.budget
      : await askNumber(
          stepTitle(8, STEPS, 'evaluation budget'),
          d.budget,
          1,
          (n) => `estimated ${estimateOf(n)}`,
        ));
  if (budget === undefined) return undefined;
  let stepping = args.stepping;
  if (stepping === undefined && !auto) {
    const mode = await pick(
      stepTitle(9, STEPS, `how to run · estimated ${estimateOf(budget)}`),
      ['Run to the end', 'Step: pause after each generation'] as const,
      'Run to the end',
      (m) => (m === 'Run to the end' ? '' : 'edit the knowledge base between generations'),
    );
    if (!mode) return undefined;
    stepping = mode !== 'Run to the end';
  }
  const config: RunConfig = {
    format: RUN_FORMAT,
    id: newRunId(),
    createdAt: new Date().toISOString(),
    space,
    dataset,
    devices,
    metric,
    costMetrics: costMetricsOf(devices, metric),
    predictor,
    operator,
    partition: true,
    generations,
    budget,
    adaptive: true,
    seed: args.seed ?? d.seed,
    ...(Object.keys(spaceOptions).length ? { spaceOptions } : {}),
    // the core's LLM option names (src/core/llm/index.ts); the API key never enters the run folder
    ...(operator !== 'builtin' ? { operatorOptions: operatorOptionsOf(s.llm) } : {}),
  };
  checkConfig(config);
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
  return { config, stepping: stepping ?? false };
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
    const built = await buildConfig(args ?? {}, trust, context);
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
