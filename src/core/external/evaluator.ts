// The external evaluator: for each candidate, a user-named command runs with the candidate's spec as JSON on
// stdin and prints its metrics as JSON on stdout. This is how users measure on their own device (adb, a board)
// or train briefly, and how they scale out: the command may submit to an existing engine (`ray job submit`,
// `sbatch --wait`) while this side keeps only the in-flight limit.
//
// Contract (docs/spaces.md): stdin gets one JSON object (ExternalRequest); the command prints, as the last line
// of stdout that parses as a JSON object, {"accuracy": number, "metrics": {name: number}, "proxies"?: {...}}.
// Exit 0 = success; exit 2 = this candidate cannot be evaluated (no retry); anything else, a timeout, a crash or
// output that is not JSON = failure, retried up to `retries` times. Each attempt runs in its own process group,
// and a timeout or a cancellation kills the whole group (SIGTERM, then SIGKILL after a grace period), also when
// the direct child has exited and a grandchild still holds its pipes. stderr is streamed line by line to a log
// callback, capped (its tail goes into the failure message); stdout keeps its last 8 MB; metrics are checked
// (finite, costs ≥ 0, at most 1e12).

import { spawn } from 'node:child_process';
import type { Evaluation, Evaluator, PredictorInfo } from '../evaluator.js';
import { CandidateFailure } from '../errors.js';
import { Limiter } from '../zc.js';
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

/** This candidate failed, the run goes on (a CandidateFailure). */
export class ExternalEvaluationError extends CandidateFailure {
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

/** stdout kept per attempt: its tail (the result is the last JSON line, however much came before it). */
export const MAX_STDOUT = 8 * 1024 * 1024;
/** stderr passed to the log per attempt; the rest is counted, not logged (its tail is still kept). */
export const MAX_STDERR_LOGGED = 1024 * 1024;
/** Longest stderr line logged as one line; a longer one is cut. */
export const MAX_STDERR_LINE = 16 * 1024;
/** stderr tail kept for the failure message. */
export const STDERR_TAIL = 2000;
/** Largest cost metric (and |accuracy|, |proxy|) accepted from a command: beyond it a value is an error. */
export const MAX_METRIC = 1e12;

function abortError(): Error {
  const e = new Error('external evaluation cancelled');
  e.name = 'AbortError';
  return e;
}

/** The last stdout line that parses as a JSON object (commands may print progress before it). */
export function lastJsonObject(stdout: string, truncated = false): unknown {
  const whole = stdout.trim();
  if (!truncated && whole.startsWith('{')) {
    try {
      return JSON.parse(whole);
    } catch {
      // fall through to line-wise
    }
  }
  const lines = whole.split('\n');
  // a kept tail starts mid-line: its first line is not whole
  for (let i = lines.length - 1; i >= (truncated ? 1 : 0); i--) {
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

/** Checks a response, naming the field at fault: finite numbers, costs ≥ 0, nothing beyond ±MAX_METRIC. */
export function checkResponse(v: unknown, required: readonly string[]): ExternalResponse {
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw new Error('$: expected a JSON object');
  const o = v as Record<string, unknown>;
  const acc = o['accuracy'];
  if (typeof acc !== 'number' || !Number.isFinite(acc))
    throw new Error(`$.accuracy: expected a finite number, got ${JSON.stringify(acc)}`);
  if (Math.abs(acc) > MAX_METRIC)
    throw new Error(`$.accuracy: ${acc} is out of range (|accuracy| ≤ ${MAX_METRIC})`);
  const numbers = (key: string, costs: boolean): Record<string, number> | undefined => {
    const m = o[key];
    if (m === undefined) return undefined;
    if (!m || typeof m !== 'object' || Array.isArray(m)) throw new Error(`$.${key}: expected an object`);
    for (const [k, x] of Object.entries(m)) {
      if (typeof x !== 'number' || !Number.isFinite(x))
        throw new Error(`$.${key}.${k}: expected a finite number, got ${JSON.stringify(x)}`);
      if (costs && x < 0) throw new Error(`$.${key}.${k}: ${x} is negative (a cost is ≥ 0)`);
      if (Math.abs(x) > MAX_METRIC)
        throw new Error(`$.${key}.${k}: ${x} is out of range (at most ${MAX_METRIC})`);
    }
    return m as Record<string, number>;
  };
  const metrics = numbers('metrics', true);
  const proxies = numbers('proxies', false);
  for (const r of required)
    if (metrics?.[r] === undefined) throw new Error(`$.metrics.${r}: missing (the run needs it)`);
  return { accuracy: acc, ...(metrics ? { metrics } : {}), ...(proxies ? { proxies } : {}) };
}

interface AttemptResult {
  stdout: string;
  /** More than MAX_STDOUT came: `stdout` is its tail. */
  stdoutTruncated: boolean;
  stdoutBytes: number;
  /** The last STDERR_TAIL characters of stderr (for the failure message). */
  stderrTail: string;
  code: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
}

/** stderr to the log line by line, in linear time, with a per-line and a total cap; keeps the tail. */
class StderrSink {
  private pending = '';
  private cut = false;
  private logged = 0;
  private dropped = 0;
  tail = '';

  constructor(private readonly log: LogFn) {}

  push(d: string): void {
    this.tail = (this.tail + d).slice(-STDERR_TAIL);
    let from = 0;
    for (let nl = d.indexOf('\n'); nl >= 0; nl = d.indexOf('\n', from)) {
      this.add(d.slice(from, nl));
      this.line();
      from = nl + 1;
    }
    this.add(d.slice(from));
  }

  private add(s: string): void {
    if (this.cut) return;
    const room = MAX_STDERR_LINE - this.pending.length;
    if (s.length > room) {
      this.pending += s.slice(0, room);
      this.cut = true;
    } else this.pending += s;
  }

  private line(): void {
    const l = this.cut ? `${this.pending} … (line cut at ${MAX_STDERR_LINE} characters)` : this.pending;
    this.pending = '';
    this.cut = false;
    if (this.logged >= MAX_STDERR_LOGGED) {
      this.dropped += l.length + 1;
      return;
    }
    this.logged += l.length + 1;
    this.log(l);
  }

  end(): void {
    if (this.pending || this.cut) this.line();
    if (this.dropped)
      this.log(`(stderr over ${MAX_STDERR_LOGGED} bytes: ${this.dropped} more bytes not logged)`);
  }
}

/**
 * One run of the command in its own process group. A timeout or a cancellation kills the whole group
 * (SIGTERM, then SIGKILL after the grace) whether or not the direct child is still alive; once the direct child
 * has exited, what it left behind gets the grace to finish and is then killed, so a grandchild holding stdout
 * open cannot keep the attempt alive.
 */
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
    const grace = cmd.killGraceMs ?? 2000;
    let stdout = '';
    let stdoutBytes = 0;
    let truncated = false;
    const err = new StderrSink(log);
    let timedOut = false;
    let aborted = false;
    let done = false;
    let exit: { code: number | null; sig: NodeJS.Signals | null } | undefined;
    const timers: NodeJS.Timeout[] = [];
    const later = (ms: number, fn: () => void): void => {
      const t = setTimeout(fn, ms);
      t.unref();
      timers.push(t);
    };
    const signalGroup = (sig: NodeJS.Signals): void => {
      if (child.pid === undefined) return;
      try {
        process.kill(-child.pid, sig);
      } catch {
        // group already empty
      }
    };
    let killing = false;
    const killGroup = (): void => {
      if (killing) return;
      killing = true;
      signalGroup('SIGTERM');
      later(grace, () => {
        signalGroup('SIGKILL');
        // a process that left the group (setsid) may still hold the pipes: stop waiting for them
        later(500, () => finish());
      });
    };
    const finish = (): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      for (const t of timers) clearTimeout(t);
      signal?.removeEventListener('abort', onAbort);
      child.stdout.destroy();
      child.stderr.destroy();
      err.end();
      // the command ended, but children it left in the group must not outlive it
      signalGroup('SIGKILL');
      if (aborted) reject(abortError());
      else
        resolve({
          stdout,
          stdoutTruncated: truncated,
          stdoutBytes,
          stderrTail: err.tail,
          code: exit?.code ?? null,
          signal: exit?.sig ?? null,
          timedOut,
        });
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
      stdoutBytes += d.length;
      stdout += d;
      // keep the tail, trimming rarely so the cost stays linear
      if (stdout.length > 2 * MAX_STDOUT) {
        stdout = stdout.slice(-MAX_STDOUT);
        truncated = true;
      }
    });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (d: string) => err.push(d));
    // a command that does not read its stdin must not fail the attempt (EPIPE)
    child.stdin.on('error', () => undefined);
    child.stdin.end(input);
    child.on('error', (e) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      for (const t of timers) clearTimeout(t);
      signal?.removeEventListener('abort', onAbort);
      reject(new ExternalEvaluationError('spawn', `cannot start "${cmd.command}": ${e.message}`, 1));
    });
    child.on('exit', (code, sig) => {
      exit = { code, sig };
      // pipes still open after the direct child exited: a grandchild holds them; give it the grace, then kill
      later(grace, () => {
        signalGroup('SIGKILL');
        later(500, () => finish());
      });
    });
    child.on('close', (code, sig) => {
      exit ??= { code, sig };
      finish();
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
      const tail = r.stderrTail.trim().split('\n').slice(-3).join(' | ').slice(-300);
      const why = (kind: FailureKind, msg: string): ExternalEvaluationError =>
        new ExternalEvaluationError(
          kind,
          `${msg} (attempt ${attempt} of ${retries + 1})` +
            (tail && kind !== 'rejected' ? `; stderr ends: ${tail}` : ''),
          attempt,
        );
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
      const v = lastJsonObject(r.stdout, r.stdoutTruncated);
      if (v === undefined) {
        const head = r.stdout.trim().slice(0, 120);
        last = why(
          'non-json',
          r.stdoutTruncated
            ? `stdout (${r.stdoutBytes} characters) holds no whole JSON object line in its last ${MAX_STDOUT} characters`
            : `stdout holds no JSON object${head ? ` (got ${JSON.stringify(head)})` : ' (empty)'}`,
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
