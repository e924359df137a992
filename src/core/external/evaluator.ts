// The external evaluator: for each candidate, a user-named command runs with the candidate's spec as JSON on
// stdin and prints its metrics as JSON on stdout. This is how users measure on their own device (adb, a board)
// or train briefly, and how they scale out: the command may submit to an existing engine (`ray job submit`,
// `sbatch --wait`) while this side keeps only the in-flight limit.
//
// Contract (docs/spaces.md): stdin gets one JSON object (ExternalRequest); the command prints, as the last line
// of stdout that parses as a JSON object, {"accuracy": number, "metrics": {name: number}, "proxies"?: {...}}.
// Exit 0 = success; exit 2 = this candidate cannot be evaluated (no retry); anything else, a timeout, a crash or
// output that is not JSON = failure, retried up to `retries` times. Each attempt runs in its own process group,
// and a timeout or a cancellation kills the whole group (SIGTERM, then SIGKILL after a grace period). stderr is
// streamed line by line to a log callback.

import { spawn } from 'node:child_process';
import type { Evaluation, Evaluator, PredictorInfo } from '../evaluator.js';
import { Limiter } from '../fbnet/zc.js';
import type { SearchSpace } from '../space.js';

export interface ExternalCommand {
  /** A shell command line (run by /bin/sh), e.g. "python3 measure.py --device pixel". */
  command: string;
  cwd?: string;
  env?: Record<string, string>;
  /** Per attempt (default 10 minutes). */
  timeoutMs?: number;
  /** Candidates in flight at once (default 2). */
  concurrency?: number;
  /** Extra attempts after a failure (default 1). */
  retries?: number;
  /** Grace between SIGTERM and SIGKILL of the process group (default 2 s). */
  killGraceMs?: number;
}

export interface ExternalRequest {
  format: 'llm-nas-eval-request-v1';
  space: string;
  dataset: string;
  /** The spec file id of the candidate. */
  id: string;
  /** The space's text notation. */
  arch: string;
  spec: Record<string, unknown>;
  features: Record<string, number>;
  /** Hardware metric names the run needs. */
  metrics: string[];
  attempt: number;
}

export interface ExternalResponse {
  accuracy: number;
  metrics?: Record<string, number>;
  proxies?: Record<string, number>;
}

export type FailureKind = 'spawn' | 'exit' | 'timeout' | 'non-json' | 'bad-response' | 'rejected';

export class ExternalEvaluationError extends Error {
  /** Read by the search loop: this candidate failed, the run goes on. */
  readonly candidateFailure = true;
  constructor(
    readonly kind: FailureKind,
    message: string,
    readonly attempts: number,
  ) {
    super(message);
    this.name = 'ExternalEvaluationError';
  }
}

export type LogFn = (line: string) => void;

const MAX_STDOUT = 8 * 1024 * 1024;

function abortError(): Error {
  const e = new Error('external evaluation cancelled');
  e.name = 'AbortError';
  return e;
}

/** The last stdout line that parses as a JSON object (commands may print progress before it). */
export function lastJsonObject(stdout: string): unknown {
  const whole = stdout.trim();
  if (whole.startsWith('{')) {
    try {
      return JSON.parse(whole);
    } catch {
      // fall through to line-wise
    }
  }
  const lines = whole.split('\n');
  for (let i = lines.length - 1; i >= 0; i--) {
    const l = lines[i]!.trim();
    if (!l.startsWith('{')) continue;
    try {
      const v: unknown = JSON.parse(l);
      if (v && typeof v === 'object' && !Array.isArray(v)) return v;
    } catch {
      // not this line
    }
  }
  return undefined;
}

/** Checks a response, naming the field at fault. */
export function checkResponse(v: unknown, required: readonly string[]): ExternalResponse {
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw new Error('$: expected a JSON object');
  const o = v as Record<string, unknown>;
  if (typeof o['accuracy'] !== 'number' || !Number.isFinite(o['accuracy']))
    throw new Error(`$.accuracy: expected a finite number, got ${JSON.stringify(o['accuracy'])}`);
  const numbers = (key: string): Record<string, number> | undefined => {
    const m = o[key];
    if (m === undefined) return undefined;
    if (!m || typeof m !== 'object' || Array.isArray(m)) throw new Error(`$.${key}: expected an object`);
    for (const [k, x] of Object.entries(m))
      if (typeof x !== 'number' || !Number.isFinite(x))
        throw new Error(`$.${key}.${k}: expected a finite number, got ${JSON.stringify(x)}`);
    return m as Record<string, number>;
  };
  const metrics = numbers('metrics');
  const proxies = numbers('proxies');
  for (const r of required)
    if (metrics?.[r] === undefined) throw new Error(`$.metrics.${r}: missing (the run needs it)`);
  return { accuracy: o['accuracy'], ...(metrics ? { metrics } : {}), ...(proxies ? { proxies } : {}) };
}

interface AttemptResult {
  stdout: string;
  code: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
}

/** One run of the command in its own process group. */
export function runOnce(
  cmd: ExternalCommand,
  input: string,
  log: LogFn,
  signal?: AbortSignal,
): Promise<AttemptResult> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(abortError());
    const child = spawn(cmd.command, {
      shell: true,
      detached: true, // own process group: a timeout or cancel kills the command's children too
      cwd: cmd.cwd,
      env: { ...process.env, ...cmd.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let errBuf = '';
    let timedOut = false;
    let aborted = false;
    let killTimer: NodeJS.Timeout | undefined;
    const killGroup = (): void => {
      if (child.pid === undefined || child.exitCode !== null) return;
      try {
        process.kill(-child.pid, 'SIGTERM');
      } catch {
        // already gone
      }
      killTimer = setTimeout(() => {
        try {
          process.kill(-child.pid!, 'SIGKILL');
        } catch {
          // already gone
        }
      }, cmd.killGraceMs ?? 2000);
      killTimer.unref();
    };
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup();
    }, cmd.timeoutMs ?? 600_000);
    const onAbort = (): void => {
      aborted = true;
      killGroup();
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (d: string) => {
      if (stdout.length < MAX_STDOUT) stdout += d;
    });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (d: string) => {
      errBuf += d;
      const lines = errBuf.split('\n');
      errBuf = lines.pop()!;
      for (const l of lines) log(l);
    });
    // a command that does not read its stdin must not fail the attempt (EPIPE)
    child.stdin.on('error', () => undefined);
    child.stdin.end(input);
    child.on('error', (e) => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      reject(new ExternalEvaluationError('spawn', `cannot start "${cmd.command}": ${e.message}`, 1));
    });
    child.on('close', (code, sig) => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      if (errBuf) log(errBuf);
      // the command exited, but children it left in the group must not outlive it
      if (child.pid !== undefined)
        try {
          process.kill(-child.pid, 'SIGKILL');
        } catch {
          // group already empty
        }
      if (killTimer) clearTimeout(killTimer);
      if (aborted) reject(abortError());
      else resolve({ stdout, code, signal: sig, timedOut });
    });
  });
}

export interface ExternalEvaluatorOptions<A> {
  space: SearchSpace<A>;
  dataset: string;
  command: ExternalCommand;
  /** Hardware metrics the run needs. */
  metrics: readonly string[];
  /**
   * Metrics the space computes itself (e.g. FBNet's lookup tables, a measured CPU latency), named in
   * `fallbackMetrics`; used only for the metrics the command does not report.
   */
  hwFallback?: (arch: A) => Promise<Record<string, number>>;
  fallbackMetrics?: readonly string[];
  log?: LogFn;
}

export class ExternalEvaluator<A> implements Evaluator<A> {
  readonly id = 'external';
  readonly predictor: PredictorInfo;
  readonly metrics: readonly string[];
  private readonly limiter: Limiter;
  private readonly log: LogFn;

  constructor(private readonly o: ExternalEvaluatorOptions<A>) {
    this.metrics = o.metrics;
    this.limiter = new Limiter(Math.max(1, o.command.concurrency ?? 2));
    this.log = o.log ?? ((l) => process.stderr.write(`[external] ${l}\n`));
    this.predictor = { id: 'external', unit: `accuracy reported by "${o.command.command}"`, labels: 0 };
  }

  async evaluate(arch: A, signal?: AbortSignal): Promise<Evaluation> {
    return this.limiter.run(() => this.evaluateNow(arch, signal));
  }

  private async evaluateNow(arch: A, signal?: AbortSignal): Promise<Evaluation> {
    const { space } = this.o;
    const covered = new Set(this.o.hwFallback ? (this.o.fallbackMetrics ?? []) : []);
    const required = this.metrics.filter((m) => !covered.has(m));
    const retries = Math.max(0, this.o.command.retries ?? 1);
    const id = space.fileId(arch);
    let last: ExternalEvaluationError | undefined;
    for (let attempt = 1; attempt <= retries + 1; attempt++) {
      signal?.throwIfAborted();
      const req: ExternalRequest = {
        format: 'llm-nas-eval-request-v1',
        space: space.id,
        dataset: this.o.dataset,
        id,
        arch: space.format(arch),
        spec: space.toJSON(arch),
        features: space.features(arch),
        metrics: [...this.metrics],
        attempt,
      };
      const log: LogFn = (l) => this.log(`${id}#${attempt}: ${l}`);
      let r: AttemptResult;
      try {
        r = await runOnce(this.o.command, JSON.stringify(req) + '\n', log, signal);
      } catch (e) {
        if (e instanceof ExternalEvaluationError) {
          last = new ExternalEvaluationError(e.kind, e.message, attempt);
          continue;
        }
        throw e;
      }
      const why = (kind: FailureKind, msg: string): ExternalEvaluationError =>
        new ExternalEvaluationError(kind, `${msg} (attempt ${attempt} of ${retries + 1})`, attempt);
      if (r.timedOut) {
        last = why(
          'timeout',
          `timed out after ${this.o.command.timeoutMs ?? 600_000} ms; process group killed`,
        );
        this.log(`${id}#${attempt}: ${last.message}`);
        continue;
      }
      if (r.code === 2) {
        last = why('rejected', 'the command rejected this candidate (exit code 2)');
        break; // permanent: no retry
      }
      if (r.code !== 0) {
        last = why('exit', r.signal ? `killed by ${r.signal}` : `exit code ${r.code}`);
        this.log(`${id}#${attempt}: ${last.message}`);
        continue;
      }
      const v = lastJsonObject(r.stdout);
      if (v === undefined) {
        const head = r.stdout.trim().slice(0, 120);
        last = why(
          'non-json',
          `stdout holds no JSON object${head ? ` (got ${JSON.stringify(head)})` : ' (empty)'}`,
        );
        this.log(`${id}#${attempt}: ${last.message}`);
        continue;
      }
      let res: ExternalResponse;
      try {
        res = checkResponse(v, required);
      } catch (e) {
        last = why('bad-response', (e as Error).message);
        this.log(`${id}#${attempt}: ${last.message}`);
        continue;
      }
      const hw: Record<string, number> = {};
      const missing = this.metrics.filter((m) => res.metrics?.[m] === undefined);
      const fallback = missing.length && this.o.hwFallback ? await this.o.hwFallback(arch) : {};
      for (const m of this.metrics) {
        const v = res.metrics?.[m] ?? fallback[m];
        if (v === undefined) throw new Error(`no value for ${m} from the command or the space`);
        hw[m] = v;
      }
      return { predictedAccuracy: res.accuracy, proxies: res.proxies ?? {}, hw };
    }
    throw last ?? new ExternalEvaluationError('exit', 'no attempt was made', 0);
  }
}
