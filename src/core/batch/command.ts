// Two local implementations of the batch contract (contract.ts):
//  - CommandBackend: the existing per-candidate command (ExternalEvaluator: spec on stdin, metrics on stdout,
//    one process per candidate) as a backend, unchanged — its own concurrency, timeouts and retries apply.
//  - JsonlCommandBackend: one process per batch; the batch's requests as JSON Lines on stdin (stdin is then
//    closed), one result line {"id", ...} per candidate on stdout, in any order, as each finishes. This is
//    the shape of a driver that fans candidates out itself (a Ray driver, a Kubernetes Job controller).

import { spawn } from 'node:child_process';
import type { Evaluator } from '../evaluator.js';
import { ExternalEvaluationError, type LogFn } from '../external/evaluator.js';
import {
  outcomeOfLine,
  type BatchBackend,
  type BatchFailureKind,
  type BatchItem,
  type BatchOutcome,
} from './contract.js';

function kindOf(e: ExternalEvaluationError): BatchFailureKind {
  switch (e.kind) {
    case 'timeout':
    case 'non-json':
    case 'bad-response':
    case 'rejected':
      return e.kind;
    default:
      return 'exit';
  }
}

/** The per-candidate command evaluator as a batch backend: every item of a batch runs through it at once. */
export class CommandBackend<A> implements BatchBackend<A> {
  readonly id = 'command';
  readonly label: string;

  constructor(
    private readonly inner: Evaluator<A>,
    label?: string,
  ) {
    this.label = label ?? inner.predictor.unit;
  }

  async run(items: BatchItem<A>[], done: (item: BatchItem<A>, outcome: BatchOutcome) => void): Promise<void> {
    await Promise.all(
      items.map(async (item) => {
        try {
          const e = await this.inner.evaluate(item.arch, item.signal);
          done(item, {
            ok: true,
            response: { accuracy: e.predictedAccuracy, metrics: e.hw, proxies: e.proxies },
          });
        } catch (e) {
          if (e instanceof ExternalEvaluationError)
            done(item, { ok: false, kind: kindOf(e), reason: e.message });
          else done(item, { ok: false, kind: 'backend', reason: (e as Error).message });
        }
      }),
    );
  }
}

export interface JsonlCommand {
  /** A shell command line (run by /bin/sh). */
  command: string;
  cwd?: string;
  env?: Record<string, string>;
  /** Per batch (default 1 hour). */
  timeoutMs?: number;
  /** Grace between SIGTERM and SIGKILL of the process group (default 2 s). */
  killGraceMs?: number;
}

/** One process per batch: JSON Lines of requests in, JSON Lines of results out. */
export class JsonlCommandBackend<A> implements BatchBackend<A> {
  readonly id = 'jsonl';
  readonly label: string;

  constructor(
    private readonly cmd: JsonlCommand,
    private readonly required: readonly string[],
    private readonly log: LogFn = (l) => process.stderr.write(`[jsonl] ${l}\n`),
  ) {
    this.label = `accuracy reported by the batch command "${cmd.command}"`;
  }

  run(items: BatchItem<A>[], done: (item: BatchItem<A>, outcome: BatchOutcome) => void): Promise<void> {
    return new Promise((resolve) => {
      const open = new Map(items.map((i) => [i.id, i]));
      const report = (item: BatchItem<A>, o: BatchOutcome): void => {
        if (!open.delete(item.id)) return;
        done(item, o);
      };
      const child = spawn(this.cmd.command, {
        shell: true,
        detached: true,
        cwd: this.cmd.cwd,
        env: { ...process.env, ...this.cmd.env },
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      let killTimer: NodeJS.Timeout | undefined;
      let why = '';
      const killGroup = (reason: string): void => {
        why ||= reason;
        if (child.pid === undefined || child.exitCode !== null) return;
        try {
          process.kill(-child.pid, 'SIGTERM');
        } catch {
          // already gone
        }
        killTimer ??= setTimeout(() => {
          try {
            process.kill(-child.pid!, 'SIGKILL');
          } catch {
            // already gone
          }
        }, this.cmd.killGraceMs ?? 2000);
        killTimer.unref();
      };
      const timer = setTimeout(
        () => killGroup(`timed out after ${this.cmd.timeoutMs ?? 3_600_000} ms`),
        this.cmd.timeoutMs ?? 3_600_000,
      );
      // a candidate that is no longer wanted is reported at once; when none is wanted the process goes
      const onAbort = (): void => {
        for (const i of items)
          if (i.signal.aborted) report(i, { ok: false, kind: 'backend', reason: 'cancelled' });
        if (items.every((i) => i.signal.aborted)) killGroup('cancelled');
      };
      for (const i of items) i.signal.addEventListener('abort', onAbort, { once: true });
      let out = '';
      child.stdout.setEncoding('utf8');
      child.stdout.on('data', (d: string) => {
        out += d;
        const lines = out.split('\n');
        out = lines.pop()!;
        for (const l of lines) this.line(l, open, report);
      });
      let err = '';
      child.stderr.setEncoding('utf8');
      child.stderr.on('data', (d: string) => {
        err += d;
        const lines = err.split('\n');
        err = lines.pop()!;
        for (const l of lines) this.log(l);
      });
      child.stdin.on('error', () => undefined);
      child.stdin.end(items.map((i) => JSON.stringify(i.request)).join('\n') + '\n');
      const finish = (msg: string): void => {
        clearTimeout(timer);
        if (killTimer) clearTimeout(killTimer);
        for (const i of items) i.signal.removeEventListener('abort', onAbort);
        if (out.trim()) this.line(out, open, report);
        if (err) this.log(err);
        for (const i of [...open.values()])
          report(i, {
            ok: false,
            kind: why.startsWith('timed out') ? 'timeout' : 'exit',
            reason: `${msg} without a result line for ${i.id}`,
          });
        resolve();
      };
      child.on('error', (e) => finish(`cannot start "${this.cmd.command}": ${e.message};`));
      child.on('close', (code, sig) => {
        if (child.pid !== undefined)
          try {
            process.kill(-child.pid, 'SIGKILL'); // nothing the command started outlives it
          } catch {
            // group already empty
          }
        finish(
          why
            ? `the batch command was stopped (${why})`
            : `the batch command ended (${sig ? `killed by ${sig}` : `exit code ${code}`})`,
        );
      });
    });
  }

  private line(
    l: string,
    open: Map<string, BatchItem<A>>,
    report: (item: BatchItem<A>, o: BatchOutcome) => void,
  ): void {
    const t = l.trim();
    if (!t.startsWith('{')) {
      if (t) this.log(`stdout: ${t.slice(0, 200)}`);
      return;
    }
    let v: Record<string, unknown>;
    try {
      v = JSON.parse(t) as Record<string, unknown>;
    } catch {
      this.log(`stdout line is not JSON: ${t.slice(0, 200)}`);
      return;
    }
    const item = typeof v['id'] === 'string' ? open.get(v['id']) : undefined;
    if (!item) {
      this.log(`result for an unknown or already reported id ${JSON.stringify(v['id'])}`);
      return;
    }
    report(item, outcomeOfLine(v, this.required));
  }
}
