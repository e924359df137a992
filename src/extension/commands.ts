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
import { readDefinitionFile } from '../core/userspace/definition.js';
import { userProviderOf } from '../core/userspace/provider.js';
import { RUN_FORMAT, type RunConfig } from '../core/runstore.js';
import type { RunAction } from '../protocol.js';
import { readSettings, SECRET_API_KEY } from './config.js';
import type { RunController } from './controller.js';
import { DashboardPanel } from './dashboard.js';
import type { RunSession } from './session.js';
import { listRunDirs, runsRoot, type RunsTree } from './tree.js';

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

async function askNumber(title: string, dflt: number, min: number): Promise<number | undefined> {
  const v = await vscode.window.showInputBox({
    title,
    value: String(dflt),
    ignoreFocusOut: true,
    validateInput: (s) =>
      Number.isInteger(Number(s)) && Number(s) >= min ? undefined : `an integer ≥ ${min}`,
  });
  return v === undefined ? undefined : Number(v);
}

const SPACE_FILE_ITEM = 'User-defined space file…';
let warnedNoPrices = false;

/** One line on what a predictor is, for the New Search picker. */
function describePredictor(p: string): string {
  if (p === 'rank-avg') return 'mean rank of several zero-cost proxies (zero labels)';
  if (p === 'live') return 'proxies computed on each network, onnxruntime in worker threads';
  if (p === 'external') return 'your command scores each candidate';
  if (p.startsWith('feature:')) return 'a feature of the space (a dry run, no evaluator)';
  if (/^(nbsz|freerea)_/.test(p)) return 'one published proxy table';
  return 'one zero-cost proxy';
}

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
): Promise<{ config: RunConfig; stepping: boolean } | undefined> {
  const d = readSettings().defaults;
  const auto = args.useDefaults === true;
  const spaces = spaceIds().filter((x) => !x.startsWith('user:'));
  let space =
    args.space ??
    (args.spaceFile !== undefined || auto
      ? d.space
      : await pick('LLM-NAS: search space', [...spaces, SPACE_FILE_ITEM], d.space, (x) =>
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
    args.dataset ?? (auto ? dflt.dataset : await pick('LLM-NAS: dataset', p.datasets, dflt.dataset));
  if (!dataset) return undefined;
  let devices = args.devices ?? (auto ? dflt.devices : undefined);
  if (!devices) {
    const picked = await vscode.window.showQuickPick(
      p.devices.map((x) => ({ label: x, picked: dflt.devices.includes(x) })),
      {
        title: 'LLM-NAS: target device(s) — each adds a cost objective',
        canPickMany: true,
        ignoreFocusOut: true,
      },
    );
    if (!picked) return undefined;
    devices = picked.length ? picked.map((x) => x.label) : dflt.devices;
  }
  const metric = args.metric ?? dflt.metric;
  const predictors = p.predictors(dataset);
  const dfltPredictor = predictors.includes(d.predictor) ? d.predictor : p.defaults.predictor;
  const predictor =
    args.predictor ??
    (args.externalEvaluator !== undefined
      ? 'external'
      : auto || predictors.length === 1
        ? dfltPredictor
        : await pick('LLM-NAS: accuracy predictor', predictors, dfltPredictor, describePredictor));
  if (!predictor) return undefined;
  if (predictor === 'external') {
    // a user space may name its own evaluator command; otherwise "external" needs one. It runs in the workspace
    // folder (relative paths in the command resolve there, as in a terminal opened on the workspace)
    const own = (spaceOptions['definition'] as { evaluator?: { command: string } } | undefined)?.evaluator;
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
  const operator =
    args.operator ??
    (auto || ops.length === 1
      ? d.operator
      : await pick('LLM-NAS: operator', ops, ops.includes(d.operator) ? d.operator : 'builtin', (o) =>
          o === 'builtin' ? 'mutation + crossover, no LLM' : 'LLM proposals guided by the knowledge base',
        ));
  if (!operator) return undefined;
  const generations =
    args.generations ?? (auto ? d.generations : await askNumber('LLM-NAS: generations', d.generations, 1));
  if (generations === undefined) return undefined;
  const budget =
    args.budget ?? (auto ? d.budget : await askNumber('LLM-NAS: evaluation budget', d.budget, 1));
  if (budget === undefined) return undefined;
  let stepping = args.stepping;
  if (stepping === undefined && !auto) {
    const mode = await pick(
      'LLM-NAS: how to run',
      ['Run to the end', 'Step: pause after each generation'] as const,
      'Run to the end',
      (m) => (m === 'Run to the end' ? '' : 'edit the knowledge base between generations'),
    );
    if (!mode) return undefined;
    stepping = mode !== 'Run to the end';
  }
  const s = readSettings();
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
    ...(operator !== 'builtin'
      ? {
          // the core's LLM option names (src/core/llm/index.ts); the API key never enters the run folder
          operatorOptions: {
            baseURL: s.llm.endpoint,
            model: s.llm.model,
            maxInflight: s.llm.maxInFlight,
            temperature: s.llm.temperature,
            ...(s.llm.priceInPer1k > 0 ? { priceIn: s.llm.priceInPer1k } : {}),
            ...(s.llm.priceOutPer1k > 0 ? { priceOut: s.llm.priceOutPer1k } : {}),
            ...(s.llm.costCapUsd > 0 ? { maxCost: s.llm.costCapUsd } : {}),
            ...(s.llm.maxOutputTokens > 0
              ? { maxOutputTokens: s.llm.maxOutputTokens, outputTokensField: s.llm.outputTokensField }
              : {}),
          },
        }
      : {}),
  };
  checkConfig(config);
  if (
    operator !== 'builtin' &&
    s.llm.costCapUsd > 0 &&
    !(s.llm.priceInPer1k > 0 || s.llm.priceOutPer1k > 0) &&
    !warnedNoPrices
  ) {
    warnedNoPrices = true; // once per window: the settings say the rest
    void vscode.window.showWarningMessage(
      `LLM-NAS: the cost cap (${s.llm.costCapUsd} USD) cannot act without token prices: set llmNas.llm.priceInPer1k and priceOutPer1k. Token counts are still recorded.`,
    );
  }
  return { config, stepping: stepping ?? false };
}

function showProgress(session: RunSession, enabled: boolean): void {
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
              message: `generation ${Math.max(0, model.generation + 1)}/${config.generations} · ${n}/${config.budget} evaluated · ${model.runPhase}`,
            });
            reported = n;
          }, 250);
          const sub = { dispose: () => clearInterval(tick) };
          void session.done.finally(() => {
            sub.dispose();
            cancel.dispose();
            resolve();
          });
        }),
    )
    .then(undefined, () => {});
}

export type CommandHandler = (...args: never[]) => Promise<unknown>;

/** The commands' implementations by id (the thin entry registers them and loads this module on first use). */
export function createCommands(deps: CommandDeps): Map<string, CommandHandler> {
  const { context, controller, log, tree } = deps;
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
    const built = await buildConfig(args ?? {});
    if (!built) return undefined;
    const { config, stepping } = built;
    if (config.operator !== 'builtin' && !(await context.secrets.get(SECRET_API_KEY)))
      log.warn('no API key in SecretStorage; run "LLM-NAS: Set API Key" if the endpoint needs one');
    const dir = path.join(runsRoot()!, config.id);
    const session = controller.start(dir, config, stepping);
    showProgress(session, readSettings().showProgressNotification);
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

  reg('llmNas.resumeRunFromFolder', async (dir?: string) => {
    let target = typeof dir === 'string' ? dir : undefined;
    if (!target) {
      const items = listRunDirs().map((d) => ({ label: path.basename(d), description: d, dir: d }));
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
    const session = controller.resumeFolder(target);
    showProgress(session, readSettings().showProgressNotification);
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
    return true;
  });

  reg('llmNas.showLog', () => log.show());
  reg('llmNas.refreshRuns', () => tree.refresh());
  return handlers;
}
