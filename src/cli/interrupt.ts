// Ctrl-C for `search` and `resume`, installed before the run starts: the first stops the run at its next safe
// point (the search aborts, external evaluator process groups are killed by their abort, `run/stopped` is
// written) and says how to resume; the second exits at once, killing what the run started — the folder stays
// resumable (every write is atomic or an appended line).

import { execFileSync } from 'node:child_process';
import fs from 'node:fs';

interface Stoppable {
  stop(): void;
  readonly store: { dir: string };
}

/** Process groups led by this process's direct children (the external evaluator runs each in its own). */
export function childPids(parent = process.pid): number[] {
  if (fs.existsSync('/proc/self/stat')) {
    const out: number[] = [];
    for (const name of fs.readdirSync('/proc')) {
      if (!/^\d+$/.test(name)) continue;
      try {
        const stat = fs.readFileSync(`/proc/${name}/stat`, 'utf8');
        // pid (comm) state ppid …; comm may hold spaces and parentheses: split after the last ')'
        const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
        if (ppid === parent) out.push(Number(name));
      } catch {
        /* the process ended meanwhile */
      }
    }
    return out;
  }
  try {
    return execFileSync('ps', ['-A', '-o', 'pid=,ppid='], { encoding: 'utf8' })
      .split('\n')
      .map((l) => l.trim().split(/\s+/).map(Number))
      .filter(([pid, ppid]) => ppid === parent && pid !== undefined)
      .map(([pid]) => pid!);
  } catch {
    return [];
  }
}

/** Kills each child's process group (and the child itself when it leads none). */
export function killChildren(): void {
  for (const pid of childPids()) {
    for (const target of [-pid, pid]) {
      try {
        process.kill(target, 'SIGKILL');
      } catch {
        /* not a group leader, or gone */
      }
    }
  }
}

export interface Interrupt {
  /** The run the next Ctrl-C stops (set once it exists). */
  attach(run: Stoppable): void;
  dispose(): void;
}

export function installInterrupt(write: (s: string) => void = (s) => process.stderr.write(s)): Interrupt {
  let run: Stoppable | undefined;
  let count = 0;
  const onSigint = (): void => {
    count++;
    if (!run) {
      // nothing started yet: nothing to stop cleanly
      write('\ninterrupted before the run started\n');
      killChildren();
      process.exit(130);
    }
    if (count === 1) {
      write(
        `\nstopping at the next safe point… (Ctrl-C again to exit now; the run folder stays resumable: llm-nas resume ${run.store.dir})\n`,
      );
      process.exitCode = 130; // stopped by the user, resumable
      run.stop();
      return;
    }
    write(`\nexiting now; continue with: llm-nas resume ${run.store.dir}\n`);
    killChildren();
    process.exit(130);
  };
  process.on('SIGINT', onSigint);
  return {
    attach: (r) => {
      run = r;
    },
    dispose: () => {
      process.off('SIGINT', onSigint);
    },
  };
}
