// A live run owned by this window: the core SearchRun, the dashboard model folded from its events, step mode
// (pause at every generation boundary), and change notifications. Disposable: disposing stops the run, and the
// folder stays resumable. No `vscode` here, so it is the same object under test and in the editor.

import { EventEmitter } from 'node:events';
import fs from 'node:fs';
import path from 'node:path';
import { writeJsonAtomic } from '../core/fsutil.js';
import type { SearchEvent } from '../core/events.js';
import { SearchRun, type RunHandlers, type RunNotice } from '../core/run.js';
import type { Registry } from '../core/registry.js';
import type { RunConfig } from '../core/runstore.js';
import type { DashboardModel, ModelEvent } from './dashboard-model.js';
import { LlmTail, modelFromFolder, newModel } from './folder-model.js';

/** The folder's UI state (step mode), so a reload or a later Resume keeps it. */
export const UI_STATE_FILE = 'ui-state.json';

/** Step mode recorded in a run folder (false when none is recorded). */
export function readStepping(dir: string): boolean {
  try {
    const v = JSON.parse(fs.readFileSync(path.join(dir, UI_STATE_FILE), 'utf8')) as { stepping?: unknown };
    return v.stepping === true;
  } catch {
    return false;
  }
}

export interface SessionOptions {
  /** Pause after every generation (the panel's "Next generation" runs one more). Resume: the folder's mode. */
  stepping?: boolean;
  onError?: (e: unknown) => void;
  /** Knowledge-base and LLM notices (an invalid edit rejected, budget reached, ...). */
  onNotice?: (n: RunNotice) => void;
  /** Job progress at a scheduler (SLURM evaluator): each job's state, and totals. */
  onJob?: RunHandlers['onJob'];
  /** The extension's composition (spaces, operators, its HostEnv: log channel, key resolver, cache folder). */
  registry?: Registry;
}

export class RunSession {
  private readonly emitter = new EventEmitter();
  private run!: SearchRun;
  /** Generations up to this one may start; a later `generation/planned` pauses the run (step mode). */
  private stepLimit = 0;
  private plannedGeneration = -1;
  readonly done: Promise<void>;
  private readonly llmTimer: NodeJS.Timeout;
  private readonly llm: LlmTail;

  private constructor(
    readonly model: DashboardModel,
    start: (h: RunHandlers) => SearchRun,
    opts: SessionOptions,
  ) {
    this.model.stepping = opts.stepping ?? false;
    const handlers: RunHandlers = {
      ...(opts.registry ? { registry: opts.registry } : {}),
      onEvent: (e) => this.onEvent(e),
      onNotice: (n) => {
        this.model.apply(n as ModelEvent);
        opts.onNotice?.(n);
        this.emitter.emit('change');
      },
      onJob: (e) => {
        this.model.applyJob(e);
        opts.onJob?.(e);
        this.emitter.emit('change');
      },
    };
    this.run = start(handlers);
    this.saveStepping();
    this.llm = new LlmTail(this.model);
    this.llmTimer = setInterval(() => {
      if (this.llm.poll()) this.emitter.emit('change');
    }, 500);
    this.done = this.run.done.then(
      () => this.finish(),
      (e: unknown) => {
        this.finish((e as Error)?.message ?? String(e));
        opts.onError?.(e);
      },
    );
  }

  static start(dir: string, config: RunConfig, opts: SessionOptions = {}): RunSession {
    return new RunSession(
      newModel(config, dir, true, opts.registry),
      (h) => SearchRun.start(dir, config, h),
      opts,
    );
  }

  /** Continues a run from its folder; the dashboard first replays what the folder already holds. */
  static resume(dir: string, opts: SessionOptions = {}): RunSession {
    const model = modelFromFolder(dir);
    model.live = true;
    model.setPhase('running');
    const stepping = opts.stepping ?? readStepping(dir);
    const s = new RunSession(model, (h) => SearchRun.resume(dir, h), { ...opts, stepping });
    s.stepLimit = stepping ? model.generation + 1 : Number.MAX_SAFE_INTEGER;
    return s;
  }

  get dir(): string {
    return this.model.dir;
  }

  get config(): RunConfig {
    return this.model.config;
  }

  get status(): SearchRun['status'] {
    return this.run.status;
  }

  get active(): boolean {
    const s = this.run.status;
    return s === 'running' || s === 'paused' || s === 'stopping';
  }

  private onEvent(e: SearchEvent): void {
    if (e.type === 'generation/planned') {
      this.plannedGeneration = e.generation;
      // `run` is unset only while the constructor is still starting generation 0, which is never paused
      if (this.model.stepping && e.generation > this.stepLimit && this.run) this.pauseNow();
    }
    this.model.apply(e as ModelEvent);
    // a pause waits for the generation in progress: "pausing" until no niche is proposing or evaluating
    if (this.model.runPhase === 'pausing' && !this.model.busy) this.model.setPhase('paused');
    this.emitter.emit('change');
  }

  private pauseNow(): void {
    this.run.pause();
    this.model.setPhase(this.model.busy ? 'pausing' : 'paused');
  }

  private saveStepping(): void {
    try {
      const f = path.join(this.model.dir, UI_STATE_FILE);
      if (!fs.existsSync(this.model.dir)) return;
      let old: Record<string, unknown> = {};
      try {
        old = JSON.parse(fs.readFileSync(f, 'utf8')) as Record<string, unknown>;
      } catch {
        // none yet
      }
      if (old['stepping'] !== this.model.stepping)
        writeJsonAtomic(f, { ...old, stepping: this.model.stepping });
    } catch {
      // a UI preference: never fail the run over it
    }
  }

  private finish(error?: string): void {
    clearInterval(this.llmTimer);
    this.llm.poll();
    const st = this.run.status;
    const phase = st === 'running' || st === 'paused' || st === 'stopping' ? 'stopped' : st;
    this.model.setPhase(phase, error);
    this.emitter.emit('change');
    this.emitter.emit('end');
  }

  onChange(listener: () => void): { dispose(): void } {
    this.emitter.on('change', listener);
    return { dispose: () => this.emitter.off('change', listener) };
  }

  onEnd(listener: () => void): { dispose(): void } {
    this.emitter.on('end', listener);
    return { dispose: () => this.emitter.off('end', listener) };
  }

  pause(): void {
    this.pauseNow();
    this.emitter.emit('change');
  }

  /** Runs freely to the end (leaves step mode). */
  resume(): void {
    this.model.stepping = false;
    this.saveStepping();
    this.run.resume();
    if (this.run.status === 'running') this.model.setPhase('running');
    this.emitter.emit('change');
  }

  /** Runs the next generation, then pauses again. */
  step(): void {
    this.model.stepping = true;
    this.saveStepping();
    this.stepLimit = this.plannedGeneration;
    if (this.run.status === 'paused') this.run.resume();
    if (this.run.status === 'running') this.model.setPhase('running');
    this.emitter.emit('change');
  }

  stop(): void {
    this.run.stop();
    if (this.active) this.model.setPhase('stopping');
    this.emitter.emit('change');
  }

  dispose(): void {
    clearInterval(this.llmTimer);
    this.run.dispose();
    this.emitter.removeAllListeners();
  }
}
