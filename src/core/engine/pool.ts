// A pool of worker threads scoring networks in parallel (one per core by default). Cancellation: an aborted
// job leaves the queue, or, when already running, its worker is terminated and replaced. A worker that dies
// mid-job is reported (onCrash) and the job retried once on a fresh worker, never silently dropped.

import os from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { cacheDir } from './cache.js';
import type { ScoreJob, WorkerJob, WorkerReply } from './worker.js';

export type PoolJob = ScoreJob;

export interface PoolOptions {
  size?: number;
  /** Worker script; default: worker.ts next to this file in development, dist/live-worker.js when bundled. */
  workerFile?: string;
  onCrash?: (info: { job: PoolJob; attempt: number; reason: string }) => void;
  /** Test hook: the number of attempts of each job whose worker is made to exit before scoring. */
  injectCrashes?: number;
  /** The host's cache folder (HostEnv.cacheDir), handed to the workers; default cache.ts's. */
  cacheDir?: string;
}

interface Pending {
  id: number;
  job: PoolJob;
  attempt: number;
  resolve: (s: Record<string, number>) => void;
  reject: (e: Error) => void;
  signal?: AbortSignal;
  onAbort?: () => void;
}

interface Slot {
  worker: Worker;
  busy?: Pending;
}

export class WorkerCrashError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WorkerCrashError';
  }
}

function abortError(): Error {
  const e = new Error('live evaluation cancelled');
  e.name = 'AbortError';
  return e;
}

export function defaultWorkerFile(): string {
  return __filename.endsWith('.ts')
    ? path.join(__dirname, '..', 'worker-main.ts')
    : path.join(__dirname, 'live-worker.js');
}

export class WorkerPool {
  readonly size: number;
  private readonly slots: Slot[] = [];
  private readonly queue: Pending[] = [];
  private nextId = 1;
  private closed = false;
  /** Worker deaths observed while a job was running. */
  crashes = 0;
  /** Jobs a worker finished (successfully or with an error reply). */
  completed = 0;

  constructor(private readonly opts: PoolOptions = {}) {
    this.size = Math.max(1, opts.size ?? os.availableParallelism());
  }

  score<J extends ScoreJob>(job: J, signal?: AbortSignal): Promise<Record<string, number>> {
    if (this.closed) return Promise.reject(new Error('worker pool is closed'));
    if (signal?.aborted) return Promise.reject(abortError());
    return new Promise<Record<string, number>>((resolve, reject) => {
      const p: Pending = { id: this.nextId++, job, attempt: 0, resolve, reject, signal };
      if (signal) {
        p.onAbort = () => this.cancel(p);
        signal.addEventListener('abort', p.onAbort, { once: true });
      }
      this.queue.push(p);
      this.pump();
    });
  }

  private settle(p: Pending): void {
    if (p.signal && p.onAbort) p.signal.removeEventListener('abort', p.onAbort);
  }

  private cancel(p: Pending): void {
    const qi = this.queue.indexOf(p);
    if (qi >= 0) this.queue.splice(qi, 1);
    const slot = this.slots.find((s) => s.busy === p);
    if (slot) this.replace(slot);
    this.settle(p);
    p.reject(abortError());
    this.pump();
  }

  private spawn(): Slot {
    const file = this.opts.workerFile ?? defaultWorkerFile();
    // a TypeScript worker (development, tests): tsx's loader does not follow into worker threads, so register
    // its CommonJS hook inside the thread before loading the entry
    // the host's cache folder (engine/cache.ts) reaches the worker through its own copy of the environment
    const env = { ...process.env, LLM_NAS_CACHE_DIR: cacheDir(this.opts.cacheDir) };
    const worker = file.endsWith('.ts')
      ? new Worker(`require('tsx/cjs/api').register(); require(${JSON.stringify(file)});`, {
          eval: true,
          env,
        })
      : new Worker(file, { env });
    // idle workers must not keep the process alive (a CLI run exits when its search is done)
    worker.unref();
    const slot: Slot = { worker };
    worker.on('message', (r: WorkerReply) => {
      const p = slot.busy;
      if (!p || p.id !== r.id) return;
      slot.busy = undefined;
      this.completed++;
      slot.worker.unref();
      this.settle(p);
      if (r.ok) p.resolve(r.scores);
      else p.reject(new Error(r.error));
      this.pump();
    });
    const died = (reason: string): void => {
      const i = this.slots.indexOf(slot);
      if (i < 0) return; // already replaced
      this.slots.splice(i, 1);
      const p = slot.busy;
      slot.busy = undefined;
      if (p) {
        this.crashes++;
        this.opts.onCrash?.({ job: p.job, attempt: p.attempt, reason });
        if (p.attempt === 0 && !this.closed) {
          p.attempt = 1;
          this.queue.unshift(p);
        } else {
          this.settle(p);
          p.reject(
            new WorkerCrashError(`live evaluator worker crashed twice on this architecture (${reason})`),
          );
        }
      }
      this.pump();
    };
    worker.on('error', (e) => died(e.message));
    worker.on('exit', (code) => died(`worker exited with code ${code}`));
    this.slots.push(slot);
    return slot;
  }

  private replace(slot: Slot): void {
    const i = this.slots.indexOf(slot);
    if (i >= 0) this.slots.splice(i, 1);
    slot.busy = undefined;
    void slot.worker.terminate();
  }

  private pump(): void {
    if (this.closed) return;
    while (this.queue.length) {
      let slot = this.slots.find((s) => !s.busy);
      if (!slot) {
        if (this.slots.length >= this.size) return;
        slot = this.spawn();
      }
      const p = this.queue.shift()!;
      slot.busy = p;
      slot.worker.ref();
      const crash = p.attempt < (this.opts.injectCrashes ?? 0);
      slot.worker.postMessage({ ...p.job, id: p.id, crash } satisfies WorkerJob);
    }
  }

  /** Terminates the workers; pending jobs are rejected. */
  async close(): Promise<void> {
    this.closed = true;
    const pending = [...this.queue, ...this.slots.flatMap((s) => (s.busy ? [s.busy] : []))];
    this.queue.length = 0;
    for (const p of pending) {
      this.settle(p);
      p.reject(new Error('worker pool closed'));
    }
    const workers = this.slots.splice(0).map((s) => s.worker);
    await Promise.all(workers.map((w) => w.terminate()));
  }
}

const sharedPools = new Map<string, WorkerPool>();

/**
 * One pool per process and cache folder (a host passes one folder): its idle workers do not keep the process
 * alive. `dir` is the host's cache folder (HostEnv.cacheDir).
 */
export function livePool(dir?: string): WorkerPool {
  const key = cacheDir(dir);
  let pool = sharedPools.get(key);
  if (!pool) sharedPools.set(key, (pool = new WorkerPool({ cacheDir: key })));
  return pool;
}
