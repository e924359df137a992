// What the run folder keeps about its SLURM jobs, and what a finished task means.
//
// jobs/ledger.jsonl (append-only, one JSON object a line):
//   {"t":"intent","seq","name","tasks":[{"task","id","attempt"}]}   written before sbatch (specs in jobs/pending-<seq>/)
//   {"t":"submitted","seq","array"}                                  written before the array is released or polled
//   {"t":"final","array","task","id","attempt","status","kind"?,"reason"?}   a task's outcome (also jobs/<array>/<task>.json)
//   {"t":"void","seq"}                                               an intent that never reached the scheduler
// jobs/<array>/spec/<task>.json   the candidate's request (the task's stdin)
// jobs/<array>/<task>.{out,err,rc,started}, <task>.slurm.log   what the task wrote; <task>.json the result

import fs from 'node:fs';
import path from 'node:path';
import { lastJsonObject } from '../external/evaluator.js';
import { outcomeOfLine, type BatchFailureKind, type BatchOutcome } from '../batch/contract.js';

export interface IntentRecord {
  t: 'intent';
  seq: number;
  name: string;
  tasks: { task: number; id: string; attempt: number }[];
  at: string;
}
export interface SubmittedRecord {
  t: 'submitted';
  seq: number;
  array: string;
  at: string;
}
export type FinalStatus = 'done' | 'failed' | 'cancelled';
export interface FinalRecord {
  t: 'final';
  array: string;
  task: number;
  id: string;
  attempt: number;
  status: FinalStatus;
  kind?: BatchFailureKind;
  reason?: string;
  at: string;
}
export interface VoidRecord {
  t: 'void';
  seq: number;
  at: string;
}
export type LedgerRecord = IntentRecord | SubmittedRecord | FinalRecord | VoidRecord;

export class Ledger {
  readonly file: string;
  constructor(readonly jobsDir: string) {
    this.file = path.join(jobsDir, 'ledger.jsonl');
  }

  append(r: LedgerRecord): void {
    fs.mkdirSync(this.jobsDir, { recursive: true });
    // one write per line, flushed before the caller goes on: the record is on disk before the next step
    const fd = fs.openSync(this.file, 'a');
    try {
      fs.writeSync(fd, JSON.stringify(r) + '\n');
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  }

  /** Every record; a torn last line (killed mid-write) is dropped. */
  read(): LedgerRecord[] {
    if (!fs.existsSync(this.file)) return [];
    const out: LedgerRecord[] = [];
    for (const l of fs.readFileSync(this.file, 'utf8').split('\n')) {
      if (!l.trim()) continue;
      try {
        out.push(JSON.parse(l) as LedgerRecord);
      } catch {
        // torn line
      }
    }
    return out;
  }

  nextSeq(records: LedgerRecord[]): number {
    return records.reduce((n, r) => ('seq' in r ? Math.max(n, r.seq + 1) : n), 1);
  }
}

export const TAIL = 2000;

export function tail(file: string, n = TAIL): string {
  try {
    const st = fs.statSync(file);
    const fd = fs.openSync(file, 'r');
    try {
      const len = Math.min(n, st.size);
      const buf = Buffer.alloc(len);
      fs.readSync(fd, buf, 0, len, st.size - len);
      return buf.toString('utf8');
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    return '';
  }
}

function readRc(file: string): number | undefined {
  try {
    const t = fs.readFileSync(file, 'utf8').trim();
    return /^\d+$/.test(t) ? Number(t) : undefined;
  } catch {
    return undefined;
  }
}

/** What a finished task left: its files and, when the controller still knows it, squeue's final word. */
export interface TaskEvidence {
  /** squeue's state (e.g. COMPLETED, TIMEOUT), undefined when the controller no longer knows the task. */
  state?: string;
  reason?: string;
  /** squeue's wait status (exit << 8 | signal). */
  raw?: number;
  /** The user command's exit code as the wrapper recorded it. */
  rc?: number;
  stdout: string;
  stderrTail: string;
  slurmLogTail: string;
  time?: string;
  mem?: string;
}

export function evidence(
  taskDir: string,
  task: number,
  row?: { state: string; reason: string; raw: number },
): TaskEvidence {
  const f = (ext: string): string => path.join(taskDir, `${task}.${ext}`);
  let stdout = '';
  try {
    stdout = fs.readFileSync(f('out'), 'utf8');
  } catch {
    // no output
  }
  const rc = readRc(f('rc'));
  return {
    ...(row ? { state: row.state, reason: row.reason, raw: row.raw } : {}),
    ...(rc !== undefined ? { rc } : {}),
    stdout,
    stderrTail: tail(f('err')),
    slurmLogTail: tail(f('slurm.log')),
  };
}

const MEMORY = /exceeded (job )?memory limit|oom-kill|out of memory|Exceeded job memory limit/i;

/**
 * A finished task as a candidate outcome. SLURM's states name the scheduler's reasons (TIMEOUT, OUT_OF_MEMORY,
 * NODE_FAIL, PREEMPTED, BOOT_FAIL, DEADLINE, CANCELLED); without cgroups a memory kill shows as FAILED with
 * slurmstepd's "exceeded memory limit" in the job's log, which is read as out of memory too.
 */
export function classify(
  ev: TaskEvidence,
  limits: { time?: string; mem?: string },
  required: readonly string[],
): BatchOutcome {
  const st = ev.state;
  const sig = ev.raw !== undefined ? ev.raw & 0x7f : 0;
  const slurmMsg = ev.slurmLogTail
    .split('\n')
    .filter((l) => /slurmstepd|error/i.test(l))
    .slice(-2)
    .join(' ')
    .trim();
  const said = slurmMsg ? ` — ${slurmMsg}` : '';
  const fail = (kind: BatchFailureKind, reason: string): BatchOutcome => ({ ok: false, kind, reason });
  switch (st) {
    case 'TIMEOUT':
      return fail(
        'timeout',
        `time limit reached (SLURM TIMEOUT${limits.time ? `, --time=${limits.time}` : ''})${said}`,
      );
    case 'OUT_OF_MEMORY':
      return fail(
        'oom',
        `out of memory (SLURM OUT_OF_MEMORY${limits.mem ? `, --mem=${limits.mem}` : ''})${said}`,
      );
    case 'NODE_FAIL':
      return fail('node-fail', `the node failed (SLURM NODE_FAIL)${said}`);
    case 'PREEMPTED':
      return fail('preempted', `preempted by a higher-priority job (SLURM PREEMPTED)`);
    case 'BOOT_FAIL':
      return fail('boot-fail', `the node failed to boot (SLURM BOOT_FAIL)`);
    case 'DEADLINE':
      return fail('deadline', `the job's deadline passed (SLURM DEADLINE)`);
    case 'CANCELLED':
      return fail('cancelled', `cancelled outside this run (SLURM CANCELLED)${said}`);
    default:
      break;
  }
  if (MEMORY.test(ev.slurmLogTail))
    return fail('oom', `out of memory${limits.mem ? ` (--mem=${limits.mem})` : ''}${said}`);
  if (st === undefined && ev.rc === undefined)
    return fail('lost', 'the scheduler no longer knows the job and it left no exit code (job lost)');
  if (st !== undefined && st !== 'COMPLETED' && st !== 'FAILED')
    return fail(
      'exit',
      `ended in SLURM state ${st}${ev.reason && ev.reason !== 'None' ? ` (${ev.reason})` : ''}${said}`,
    );
  const rc = ev.rc ?? (ev.raw !== undefined ? ev.raw >> 8 : undefined);
  if (rc === undefined || (rc === 0 && sig !== 0))
    return fail('exit', `killed by signal ${sig} before it wrote an exit code${said}`);
  if (rc === 2) return fail('rejected', 'the command rejected this candidate (exit code 2)');
  if (rc !== 0) return fail('exit', `exit code ${rc}${st ? ` (SLURM ${st})` : ''}`);
  const v = lastJsonObject(ev.stdout);
  if (v === undefined) {
    const head = ev.stdout.trim().slice(0, 120);
    return fail(
      'non-json',
      `stdout holds no JSON object${head ? ` (got ${JSON.stringify(head)})` : ' (empty)'}`,
    );
  }
  return outcomeOfLine(v as Record<string, unknown>, required);
}
