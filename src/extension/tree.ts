// The "Runs" tree: run folders under the workspace's runs folder → niches → architectures (best predicted
// accuracy first); clicking an architecture opens its spec file. The live run's node reads the in-memory model;
// other runs read their folder when expanded.

import fs from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import type { RunController } from './controller.js';
import { readSettings } from './config.js';
import type { DashboardModel } from './model.js';
import { modelFromFolder } from './runview.js';

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
      const m = this.model(n.dir);
      const item = new vscode.TreeItem(n.id, vscode.TreeItemCollapsibleState.Collapsed);
      item.id = `run:${n.dir}`;
      item.description = m ? `${m.runPhase} · ${m.evaluations} evaluated` : 'unreadable';
      item.tooltip = n.dir;
      item.contextValue = 'llmNasRun';
      item.iconPath = new vscode.ThemeIcon(m?.runPhase === 'running' ? 'sync~spin' : 'beaker');
      item.command = { command: 'llmNas.openDashboard', title: 'Open Dashboard', arguments: [n.dir] };
      return item;
    }
    if (n.kind === 'niche') {
      const item = new vscode.TreeItem(n.label, vscode.TreeItemCollapsibleState.Collapsed);
      item.id = `niche:${n.dir}:${n.niche}`;
      item.description = `${n.count} evaluated`;
      item.tooltip = n.constraint;
      item.iconPath = new vscode.ThemeIcon('symbol-namespace');
      return item;
    }
    const item = new vscode.TreeItem(n.label, vscode.TreeItemCollapsibleState.None);
    item.id = `arch:${n.dir}:${n.id}`;
    item.description = n.detail;
    item.tooltip = `${n.id}${n.onFront ? ' (on the global front)' : ''}`;
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
          detail: `acc ${p.predicted.toFixed(3)}${metric ? ` · ${metric} ${p.hw[0]?.toFixed(3)}` : ''} · gen ${p.generation}`,
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
