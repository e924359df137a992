// Which run this window is working with: at most one live RunSession (started or resumed here) and, when none
// is live, a run folder opened for viewing. The commands, the dashboard, the tree, the status bar and the
// progress notification all observe this one object. Starting a new run never leaks the old one.

import fs from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import { writeJsonAtomic } from '../core/fsutil.js';
import type { Registry } from '../core/registry.js';
import { RunStore, type RunConfig } from '../core/runstore.js';
import type { RunAction } from '../protocol.js';
import type { DashboardModel } from './dashboard-model.js';
import { FolderTail } from './folder-model.js';
import { RunSession, type SessionOptions } from './session.js';

export interface ResumeOptions {
  /** Step mode; default: the mode recorded in the folder. */
  stepping?: boolean;
  /** Rewrites the folder's config.json before the run restarts (current LLM settings, built-in fallback). */
  rewrite?: (config: RunConfig) => { config: RunConfig; why: string } | undefined;
}

/** What the window does when a run's LLM endpoint fails (set by main.ts from the settings and the UI). */
export type EndpointFailureHandler = (dir: string, message: string) => void;

export class RunController implements vscode.Disposable {
  private session: RunSession | undefined;
  private viewed: DashboardModel | undefined;
  private tailTimer: NodeJS.Timeout | undefined;
  private readonly sessionSubs: vscode.Disposable[] = [];
  private readonly changed = new vscode.EventEmitter<void>();
  private readonly started = new vscode.EventEmitter<RunSession>();
  /** Fires on any change of the current run (not throttled; listeners throttle). */
  readonly onDidChange = this.changed.event;
  /** Fires when a live run starts or resumes in this window. */
  readonly onDidStart = this.started.event;

  /** Called when a live run fails on its LLM endpoint (offers settings, a test, the built-in fallback). */
  onEndpointFailure: EndpointFailureHandler | undefined;
  /** Applied to every resume that does not bring its own rewrite (main.ts: the current LLM settings). */
  defaultRewrite: ResumeOptions['rewrite'];

  constructor(
    private readonly log: vscode.LogOutputChannel,
    /** The extension's composition root's registry, handed to every run it starts or resumes. */
    private readonly registry?: Registry,
  ) {}

  get live(): RunSession | undefined {
    return this.session;
  }

  /** The model the dashboard shows: the live run's, else the folder being viewed. */
  get model(): DashboardModel | undefined {
    return this.session?.model ?? this.viewed;
  }

  private stopTail(): void {
    if (this.tailTimer) clearInterval(this.tailTimer);
    this.tailTimer = undefined;
  }

  private attach(s: RunSession): void {
    this.detach();
    this.stopTail();
    this.session = s;
    this.viewed = undefined;
    this.sessionSubs.push(
      s.onChange(() => this.changed.fire()),
      s.onEnd(() => {
        this.log.info(
          `run ${s.config.id} ended: ${s.model.runPhase} after ${s.model.evaluations} evaluations`,
        );
        this.changed.fire();
      }),
    );
    this.started.fire(s);
    this.changed.fire();
  }

  private detach(): void {
    for (const d of this.sessionSubs.splice(0)) d.dispose();
    if (this.session?.active) {
      this.log.info(`stopping run ${this.session.config.id} (replaced)`);
      this.session.dispose();
    }
    this.session = undefined;
  }

  start(dir: string, config: RunConfig, stepping: boolean): RunSession {
    if (this.session?.active)
      throw new Error(`run ${this.session.config.id} is still running; stop it first`);
    const s = RunSession.start(dir, config, this.sessionOptions(stepping));
    this.log.info(`run ${config.id} started in ${dir}`);
    this.attach(s);
    return s;
  }

  resumeFolder(dir: string, opts: ResumeOptions = {}): RunSession {
    if (this.session?.active) {
      if (this.session.dir === dir) return this.session;
      throw new Error(`run ${this.session.config.id} is still running; stop it first`);
    }
    const rewrite = opts.rewrite ?? this.defaultRewrite;
    if (rewrite) {
      const before = RunStore.open(dir).readConfig();
      const r = rewrite(before);
      if (r) {
        writeJsonAtomic(path.join(dir, 'config.json'), r.config);
        this.log.info(`run ${before.id}: config.json updated before resuming (${r.why})`);
      }
    }
    const s = RunSession.resume(dir, this.sessionOptions(opts.stepping));
    this.log.info(`run ${s.config.id} resumed from ${dir}`);
    this.attach(s);
    return s;
  }

  /** Shows a folder in the dashboard without running it (the live run, if any, keeps running). */
  view(dir: string): DashboardModel {
    if (this.session && this.session.dir === dir) return this.session.model;
    if (!fs.existsSync(dir)) throw new Error(`run folder not found: ${dir}`);
    if (this.session && !this.session.active) this.detach();
    if (this.session?.active)
      throw new Error(`run ${this.session.config.id} is running; stop it before viewing another run`);
    this.stopTail();
    // follow the folder: another process (the CLI) may be writing it
    const tail = new FolderTail(dir);
    this.viewed = tail.model;
    this.tailTimer = setInterval(() => {
      try {
        if (tail.poll()) this.changed.fire();
      } catch (e) {
        this.logError(`reading ${dir}`, e);
        this.stopTail();
      }
    }, 500);
    this.changed.fire();
    return this.viewed;
  }

  private sessionOptions(stepping: boolean | undefined): SessionOptions {
    return {
      ...(stepping !== undefined ? { stepping } : {}),
      ...(this.registry ? { registry: this.registry } : {}),
      onError: (e) => {
        this.logError('run failed', e);
        const s = this.session;
        if (s && s.model.summary().endpointError && this.onEndpointFailure) {
          this.onEndpointFailure(s.dir, s.model.summary().error ?? String(e));
          return;
        }
        void vscode.window
          .showErrorMessage(
            `LLM-NAS: the run failed: ${s?.model.summary().error ?? (e as Error)?.message ?? String(e)}`,
            'Show Log',
          )
          .then((a) => (a === 'Show Log' ? this.log.show() : undefined));
      },
      onNotice: (n) => {
        if (n.type === 'kb/rejected' || n.type === 'llm/budget') {
          this.log.warn(n.message);
          void vscode.window
            .showWarningMessage(
              `LLM-NAS: ${n.message}`,
              ...(n.type === 'kb/rejected' ? ['Open Knowledge Base'] : []),
            )
            .then((a) => (a ? vscode.commands.executeCommand('llmNas.openKnowledgeBase') : undefined));
        } else if (n.type === 'llm/problem')
          this.log.warn(`N${n.niche} gen ${n.generation} ${n.stage}: ${n.message}`);
        else this.log.info(JSON.stringify(n));
      },
      // the log names each job (submitted, failed with its reason, requeued)
      onJob: (e) => {
        if (e.type === 'job/state')
          (e.state === 'failed' ? this.log.warn : this.log.info).call(
            this.log,
            `[${e.backend}] job ${e.job ?? '?'} ${e.id}: ${e.state}${e.reason ? ` — ${e.reason}` : ''}`,
          );
      },
    };
  }

  control(action: RunAction): void {
    const s = this.session;
    if (!s || !s.active) throw new Error('no run is active in this window');
    if (action === 'pause') s.pause();
    else if (action === 'resume') s.resume();
    else if (action === 'step') s.step();
    else s.stop();
  }

  logError(what: string, e: unknown): void {
    this.log.error(`${what}: ${(e as Error)?.stack ?? String(e)}`);
  }

  dispose(): void {
    this.stopTail();
    this.detach();
    this.changed.dispose();
    this.started.dispose();
  }
}
