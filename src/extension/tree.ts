// The "Runs" tree: run folders under the workspace's runs folder → niches → architectures (best predicted
// accuracy first); clicking an architecture opens its spec file. The live run's node reads the in-memory model;
// other runs read their folder when expanded.

import fs from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import type { RunController } from './controller.js';
import { readSettings } from './config.js';
import type { DashboardModel } from './dashboard-model.js';
import { costUnit } from '../protocol.js';
import { modelFromFolder } from './folder-model.js';
import { runInfo, runLabel } from './runinfo.js';

type Node =
  | { kind: 'run'; dir: string; id: string }
  | { kind: 'niche'; dir: string; niche: number; label: string; count: number; constraint: string }
  | { kind: 'arch'; dir: string; id: string; label: string; detail: string; onFront: boolean };

export function runsRoot(): string | undefined {
  const ws = vscode.workspace.workspaceFolders?.[0];
  if (!ws) return undefined;
  const f = readSettings().runsFolder;
  return path.isAbsolute(f) ? f : path.join(ws.uri.fsPath, f);
}

export function listRunDirs(): string[] {
  const root = runsRoot();
  if (!root || !fs.existsSync(root)) return [];
  return fs
    .readdirSync(root)
    .map((d) => path.join(root, d))
    .filter((d) => fs.existsSync(path.join(d, 'config.json')))
    .sort()
    .reverse();
}

export class RunsTree implements vscode.TreeDataProvider<Node>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<Node | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly cache = new Map<string, DashboardModel>();
  private pending: NodeJS.Timeout | undefined;
  private readonly subs: vscode.Disposable[] = [];

  constructor(private readonly controller: RunController) {
    // refresh at most twice a second while a run streams events
    this.subs.push(controller.onDidChange(() => this.refreshSoon()));
  }

  refreshSoon(): void {
    if (this.pending) return;
    this.pending = setTimeout(() => {
      this.pending = undefined;
      this.refresh();
    }, 500);
  }

  refresh(): void {
    this.cache.clear();
    this.changed.fire(undefined);
  }

  private model(dir: string): DashboardModel | undefined {
    const live = this.controller.live;
    if (live && live.dir === dir) return live.model;
    let m = this.cache.get(dir);
    if (!m) {
      try {
        m = modelFromFolder(dir);
        this.cache.set(dir, m);
      } catch {
        return undefined;
      }
    }
    return m;
  }

  getTreeItem(n: Node): vscode.TreeItem {
    if (n.kind === 'run') {
      const live = this.controller.live;
      const isLive = !!live && live.dir === n.dir && live.active;
      const info = runLabel(n.dir, isLive ? live.model.runPhase : undefined);
      const status = isLive ? live.model.runPhase : runInfo(n.dir).status;
      const item = new vscode.TreeItem(info.label, vscode.TreeItemCollapsibleState.Collapsed);
      item.id = `run:${n.dir}`;
      item.description = info.description;
      const tip = new vscode.MarkdownString(undefined, true);
      tip.appendText(`${info.label}\n${info.detail}\n${n.dir}`);
      item.tooltip = tip;
      item.contextValue =
        !isLive && (status === 'interrupted' || status === 'stopped' || status === 'failed')
          ? 'llmNasRun.resumable'
          : 'llmNasRun';
      item.iconPath = new vscode.ThemeIcon(
        isLive && status === 'running'
          ? 'sync~spin'
          : status === 'paused' || status === 'pausing'
            ? 'debug-pause'
            : status === 'completed'
              ? 'pass'
              : status === 'failed'
                ? 'error'
                : status === 'stopped' || status === 'interrupted'
                  ? 'debug-stop'
                  : 'beaker',
      );
      item.command = { command: 'llmNas.openDashboard', title: 'Open Dashboard', arguments: [n.dir] };
      return item;
    }
    if (n.kind === 'niche') {
      const item = new vscode.TreeItem(n.label, vscode.TreeItemCollapsibleState.Collapsed);
      item.id = `niche:${n.dir}:${n.niche}`;
      item.description = `${n.count} evaluated`;
      item.tooltip = `Niche ${n.label}: ${n.constraint} (${n.count} architectures evaluated)`;
      item.iconPath = new vscode.ThemeIcon('layers');
      return item;
    }
    const item = new vscode.TreeItem(n.label, vscode.TreeItemCollapsibleState.None);
    item.id = `arch:${n.dir}:${n.id}`;
    item.description = n.detail;
    item.tooltip = `${n.id}: ${n.detail}${n.onFront ? ' (on the global front)' : ''}. Click to open its spec file.`;
    item.iconPath = new vscode.ThemeIcon(n.onFront ? 'star-full' : 'circuit-board');
    item.contextValue = 'llmNasArch'; // Export Model…, Measure on This Machine
    const uri = vscode.Uri.file(path.join(n.dir, 'archs', `${n.id}.json`));
    item.resourceUri = uri;
    item.command = { command: 'vscode.open', title: 'Open Spec', arguments: [uri] };
    return item;
  }

  getChildren(n?: Node): Node[] {
    if (!n) return listRunDirs().map((dir) => ({ kind: 'run', dir, id: path.basename(dir) }));
    const m = this.model(n.dir);
    if (!m) return [];
    if (n.kind === 'run')
      return m.nicheCards().map((c) => ({
        kind: 'niche',
        dir: n.dir,
        niche: c.id,
        label: c.name,
        count: c.evaluated,
        constraint: c.constraint,
      }));
    if (n.kind === 'niche') {
      const front = new Set(m.frontIds());
      const metric = m.config.costMetrics[0];
      return m
        .allPoints()
        .filter((p) => p.niche === n.niche)
        .sort((a, b) => b.predicted - a.predicted)
        .map((p) => ({
          kind: 'arch',
          dir: n.dir,
          id: p.id,
          label: p.id,
          detail: `proxy score ${p.predicted.toFixed(3)}${metric ? ` · ${metric.split('_').slice(1).join(' ') || metric} ${p.hw[0]?.toFixed(3)}${costUnit(metric) ? ` ${costUnit(metric)}` : ''}` : ''} · generation ${p.generation}`,
          onFront: front.has(p.id),
        }));
    }
    return [];
  }

  dispose(): void {
    if (this.pending) clearTimeout(this.pending);
    for (const d of this.subs) d.dispose();
    this.changed.dispose();
  }
}
