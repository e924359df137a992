// Runs the real CLI (src/cli/main.ts through tsx) as a child process, with its own trust store unless the test
// names one, and collects its exit code and output. Asynchronous, so a loopback server in the test process keeps
// answering while the CLI runs.

import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const repoRoot = path.join(__dirname, '..', '..');

export interface CliResult {
  code: number;
  signal: NodeJS.Signals | null;
  out: string;
  err: string;
}

export const tmp = (prefix = 'llm-nas-sec-'): string => fs.mkdtempSync(path.join(os.tmpdir(), prefix));

export function startCli(
  args: string[],
  env: Record<string, string | undefined> = {},
): { child: ChildProcess; done: Promise<CliResult>; out: () => string; err: () => string } {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', path.join(repoRoot, 'src/cli/main.ts'), ...args],
    {
      cwd: repoRoot,
      env: { ...process.env, ...env },
    },
  );
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const done = new Promise<CliResult>((resolve) =>
    child.on('close', (code, signal) => resolve({ code: code ?? -1, signal, out, err })),
  );
  return { child, done, out: () => out, err: () => err };
}

export function cli(args: string[], env: Record<string, string | undefined> = {}): Promise<CliResult> {
  return startCli(args, env).done;
}
