// The SLURM command line: the evaluator's settings, the sbatch arguments of one job array per batch, the task
// wrapper script, and the four commands it needs (sbatch, squeue, scontrol release, scancel). No accounting
// database: state comes from `squeue --states=all`, which keeps finished jobs for MinJobAge (300 s by default);
// after that, the wrapper's exit-code file is the record. Tested with SLURM 22.05.8 (Debian 12 "bookworm").

import { execFile } from 'node:child_process';

export interface SlurmOptions {
  /** The per-candidate command (run by /bin/sh on the compute node): spec on stdin, metrics JSON on stdout. */
  command: string;
  /** Working directory of the command on the node (default: the folder the run was started from). */
  cwd?: string;
  partition?: string;
  /** sbatch --time (e.g. "10", "0:30:00", "1-00:00:00"). */
  time?: string;
  /** --cpus-per-task. */
  cpus?: number;
  /** GPUs per task (--gres=gpu:N). */
  gpus?: number;
  /** --mem, per task (e.g. "2G", "500M"). */
  mem?: string;
  /** Tasks of one array running at once (--array=…%N). */
  arrayMax?: number;
  /** Further sbatch arguments, e.g. ["--qos=short", "--account=proj"] or one string split on spaces. */
  extra?: string[] | string;
  /** How often squeue is asked (default 2000 ms). */
  pollMs?: number;
  /** How long the first candidate of a generation waits for the others to join its array (default 500 ms). */
  windowMs?: number;
  /** Extra submissions after a transient failure (NODE_FAIL, PREEMPTED, BOOT_FAIL, lost; default 1). */
  requeue?: number;
  /** Candidates queued or running at once (default: unlimited: a generation is one array). */
  maxInFlight?: number;
  /** Job name (default "llmnas-<run id>"); squeue -n finds a run's jobs by it. */
  jobName?: string;
}

export class SlurmConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SlurmConfigError';
  }
}

/** Checks spaceOptions.slurm, naming the setting at fault. */
export function checkSlurmOptions(v: unknown): SlurmOptions {
  if (!v || typeof v !== 'object' || Array.isArray(v))
    throw new SlurmConfigError('slurm settings must be an object with at least "command"');
  const o = v as Record<string, unknown>;
  if (typeof o['command'] !== 'string' || !o['command'].trim())
    throw new SlurmConfigError(
      'slurm.command: the per-candidate command is required (CLI: --slurm-command "CMD")',
    );
  for (const k of ['cpus', 'gpus', 'arrayMax', 'pollMs', 'windowMs', 'requeue', 'maxInFlight'])
    if (o[k] !== undefined && !(typeof o[k] === 'number' && Number.isInteger(o[k]) && o[k] >= 0))
      throw new SlurmConfigError(`slurm.${k} must be a non-negative integer, got ${JSON.stringify(o[k])}`);
  for (const k of ['cpus', 'arrayMax', 'pollMs', 'maxInFlight'])
    if (o[k] === 0) throw new SlurmConfigError(`slurm.${k} must be at least 1`);
  for (const k of ['partition', 'time', 'mem', 'cwd', 'jobName'])
    if (o[k] !== undefined && (typeof o[k] !== 'string' || !o[k]))
      throw new SlurmConfigError(`slurm.${k} must be a non-empty string`);
  if (typeof o['jobName'] === 'string' && !/^[A-Za-z0-9._-]+$/.test(o['jobName']))
    throw new SlurmConfigError('slurm.jobName: letters, digits, ".", "_" and "-" only');
  const extra = o['extra'];
  if (
    extra !== undefined &&
    typeof extra !== 'string' &&
    !(Array.isArray(extra) && extra.every((x) => typeof x === 'string'))
  )
    throw new SlurmConfigError('slurm.extra must be a string or an array of strings');
  for (const a of splitArgs(extra))
    if (/^--?(array|output|error|hold|parsable|job-name|chdir|wrap)\b/.test(a) || /^-[aoeJD]$/.test(a))
      throw new SlurmConfigError(`slurm.extra: ${a} is set by the evaluator itself`);
  return o as unknown as SlurmOptions;
}

/** Splits `a 'b c' --x="d e"` like a shell would (quotes and backslashes only; no expansion). */
export function splitArgs(v: string[] | string | undefined): string[] {
  if (v === undefined) return [];
  if (Array.isArray(v)) return v;
  const out: string[] = [];
  let cur: string | undefined;
  let quote: string | undefined;
  for (let i = 0; i < v.length; i++) {
    const c = v[i]!;
    if (quote) {
      if (c === quote) quote = undefined;
      else if (c === '\\' && quote === '"' && i + 1 < v.length) cur += v[++i]!;
      else cur += c;
    } else if (c === "'" || c === '"') {
      quote = c;
      cur ??= '';
    } else if (c === '\\' && i + 1 < v.length) cur = (cur ?? '') + v[++i]!;
    else if (/\s/.test(c)) {
      if (cur !== undefined) out.push(cur);
      cur = undefined;
    } else cur = (cur ?? '') + c;
  }
  if (cur !== undefined) out.push(cur);
  return out;
}

const shq = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

/**
 * The batch script of every array of a run. It runs the user's command with the task's spec on stdin and
 * keeps stdout, stderr and the exit code as files next to the spec, so a result survives the scheduler
 * forgetting the job. Only /bin/sh is needed on the node.
 */
export function taskScript(jobsDir: string, command: string): string {
  return `#!/bin/sh
# llm-nas SLURM task (written by the run; do not edit): one candidate of a job array.
d=${shq(jobsDir)}/"$SLURM_ARRAY_JOB_ID"
t="$SLURM_ARRAY_TASK_ID"
export LLM_NAS_SPEC="$d/spec/$t.json" LLM_NAS_JOB="\${SLURM_ARRAY_JOB_ID}_$t" LLM_NAS_TASK_DIR="$d"
rm -f "$d/$t.rc"
date +%s > "$d/$t.started"
/bin/sh -c ${shq(command)} < "$LLM_NAS_SPEC" > "$d/$t.out" 2> "$d/$t.err"
rc=$?
echo "$rc" > "$d/$t.rc.tmp" && mv -f "$d/$t.rc.tmp" "$d/$t.rc"
exit "$rc"
`;
}

/** sbatch arguments of one held array of `n` tasks (released once its id is recorded). */
export function sbatchArgs(
  o: SlurmOptions,
  a: { n: number; name: string; jobsDir: string; script: string; cwd: string },
): string[] {
  const args = [
    '--parsable',
    '--hold',
    `--job-name=${a.name}`,
    `--array=0-${a.n - 1}${o.arrayMax ? `%${o.arrayMax}` : ''}`,
    `--output=${a.jobsDir}/%A/%a.slurm.log`,
    `--chdir=${a.cwd}`,
    '--no-requeue', // transient failures are requeued by the evaluator, bounded, as new arrays
    '--ntasks=1',
  ];
  if (o.partition) args.push(`--partition=${o.partition}`);
  if (o.time) args.push(`--time=${o.time}`);
  if (o.cpus) args.push(`--cpus-per-task=${o.cpus}`);
  if (o.gpus) args.push(`--gres=gpu:${o.gpus}`);
  if (o.mem) args.push(`--mem=${o.mem}`);
  args.push(...splitArgs(o.extra), a.script);
  return args;
}

export class SlurmCommandError extends Error {
  constructor(
    readonly cmd: string,
    message: string,
    readonly stderr: string,
  ) {
    super(message);
    this.name = 'SlurmCommandError';
  }
}

export interface Exec {
  (cmd: string, args: string[]): Promise<string>;
}

/** Runs a SLURM client command, with a timeout (a hung controller must not hang the run). */
export const execSlurm: Exec = (cmd, args) =>
  new Promise((resolve, reject) => {
    execFile(cmd, args, { timeout: 30_000, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) {
        const e = err as NodeJS.ErrnoException & { killed?: boolean };
        const why =
          e.code === 'ENOENT'
            ? `${cmd} not found (is this a SLURM login node? install slurm-client)`
            : e.killed
              ? `${cmd} timed out after 30 s`
              : `${cmd} failed: ${String(stderr).trim() || e.message}`;
        reject(new SlurmCommandError(cmd, why, String(stderr)));
      } else resolve(String(stdout));
    });
  });

/** One task line of squeue. */
export interface TaskRow {
  /** "<array>_<task>" */
  key: string;
  state: string;
  reason: string;
  /** The wait status as squeue prints it: exit code << 8 | signal. */
  raw: number;
  node: string;
}

export const SQUEUE_FORMAT = 'JobArrayID:|,State:|,Reason:|,exit_code:|,NodeList:';

/**
 * squeue's task lines. Tasks that never started are shown together: "A_[3-7%2]" (pending; expanded here) or,
 * once cancelled, just "A" (kept as key "A": it speaks for every task of A without a line of its own).
 */
export function parseSqueue(out: string): TaskRow[] {
  const rows: TaskRow[] = [];
  for (const line of out.split('\n')) {
    const f = line.trim().split('|');
    if (f.length < 4) continue;
    const id = f[0]!.trim();
    const m = /^(\d+)(?:_(\d+)|_\[([\d,\-]+)(?:%\d+)?\])?$/.exec(id);
    if (!m) continue;
    const row = {
      state: f[1]!.trim().replace(/\s.*$/, ''),
      reason: f[2]!.trim(),
      raw: Number(f[3]!.trim()) || 0,
      node: (f[4] ?? '').trim(),
    };
    if (m[3] !== undefined) {
      for (const part of m[3].split(',')) {
        const [a, b] = part.split('-').map(Number);
        for (let t = a!; t <= (b ?? a!); t++) rows.push({ key: `${m[1]}_${t}`, ...row });
      }
    } else rows.push({ key: m[2] !== undefined ? `${m[1]}_${m[2]}` : m[1]!, ...row });
  }
  return rows;
}

/** The states of a task that has not finished (squeue's long names). */
export const LIVE_STATES = new Set([
  'PENDING',
  'CONFIGURING',
  'RUNNING',
  'COMPLETING',
  'SUSPENDED',
  'REQUEUED',
  'REQUEUE_HOLD',
  'REQUEUE_FED',
  'RESIZING',
  'SIGNALING',
  'STAGE_OUT',
  'STOPPED',
  'RESV_DEL_HOLD',
]);

export class Slurm {
  constructor(private readonly exec: Exec = execSlurm) {}

  async submit(args: string[]): Promise<string> {
    const out = (await this.exec('sbatch', args)).trim();
    // --parsable prints "<job id>" or "<job id>;<cluster>"
    const id = out.split('\n').pop()!.split(';')[0]!.trim();
    if (!/^\d+$/.test(id))
      throw new SlurmCommandError('sbatch', `sbatch printed no job id (got ${JSON.stringify(out)})`, '');
    return id;
  }

  async release(array: string): Promise<void> {
    try {
      await this.exec('scontrol', ['release', array]);
    } catch (e) {
      // an array already released (resume after a crash between release and the next record) is fine
      if (!/not held|already|Job is not|Invalid job id/i.test((e as SlurmCommandError).stderr ?? '')) throw e;
    }
  }

  /** Every task of these arrays the controller still knows, finished ones included. */
  async tasks(arrays: readonly string[]): Promise<TaskRow[]> {
    if (!arrays.length) return [];
    try {
      return parseSqueue(
        await this.exec('squeue', ['-h', '-r', '-t', 'all', '-j', arrays.join(','), '-O', SQUEUE_FORMAT]),
      );
    } catch (e) {
      // every id purged from the controller's memory (MinJobAge passed): nothing known
      if (/Invalid job id/i.test((e as SlurmCommandError).stderr ?? '')) return [];
      throw e;
    }
  }

  /** Array job ids of jobs with this name (adopting a submission interrupted before its id was recorded). */
  async arraysNamed(name: string): Promise<string[]> {
    const out = await this.exec('squeue', ['-h', '-t', 'all', '-n', name, '-o', '%F']);
    return [
      ...new Set(
        out
          .split('\n')
          .map((l) => l.trim())
          .filter((l) => /^\d+$/.test(l)),
      ),
    ];
  }

  /** Cancels exactly these tasks ("<array>_<task>") or arrays. */
  async cancel(ids: readonly string[]): Promise<void> {
    if (!ids.length) return;
    await this.exec('scancel', [...ids]);
  }
}
