// The inference engine's worker-thread protocol: each message is one job for one space, answered with the
// scores it computed, so the extension host's event loop never runs a forward pass. The engine knows no space:
// the worker's entry (src/core/worker-main.ts) hands `serveJobs` a table of job handlers, one per space.

import { parentPort } from 'node:worker_threads';

/** A job for the worker: `space` picks the handler; the rest is that space's own job description. */
export interface ScoreJob {
  space: string;
}

export type WorkerJob = ScoreJob & {
  id: number;
  /** Fault injection for the pool's crash handling tests: the worker exits before scoring. */
  crash?: boolean;
};

export type WorkerReply =
  { id: number; ok: true; scores: Record<string, number> } | { id: number; ok: false; error: string };

/** What a space contributes to the worker: its jobs in, named scores (or measurements) out. */
export type JobHandler = (job: never) => Promise<Record<string, number>> | Record<string, number>;

/** Answers the parent thread's jobs with the handler its `space` names (no-op outside a worker thread). */
export function serveJobs(handlers: Readonly<Record<string, JobHandler>>): void {
  if (!parentPort) return;
  const port = parentPort;
  const handle = async (job: WorkerJob): Promise<Record<string, number>> => {
    if (job.crash) process.exit(70);
    const h = handlers[job.space];
    if (!h)
      throw new Error(`no job handler for space "${job.space}" (known: ${Object.keys(handlers).join(', ')})`);
    return (h as (j: WorkerJob) => Promise<Record<string, number>> | Record<string, number>)(job);
  };
  port.on('message', (job: WorkerJob) => {
    handle(job).then(
      (scores) => port.postMessage({ id: job.id, ok: true, scores } satisfies WorkerReply),
      (e: unknown) =>
        port.postMessage({
          id: job.id,
          ok: false,
          error: e instanceof Error ? e.message : String(e),
        } satisfies WorkerReply),
    );
  });
}
