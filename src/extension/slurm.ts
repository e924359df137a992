// The SLURM evaluator from the extension's settings (llmNas.slurm.*): when enabled, a new search whose
// predictor is "external" runs its candidates as SLURM job arrays (docs/slurm.md) instead of local processes.

import * as vscode from 'vscode';
import { checkSlurmOptions, type SlurmOptions } from '../core/slurm/sbatch.js';

/** spaceOptions for a new run: {} when SLURM is off, else {evaluator: 'slurm', slurm: {...}}. */
export function slurmSpaceOptions(externalCommand: string, cwd: string | undefined): Record<string, unknown> {
  const c = vscode.workspace.getConfiguration('llmNas.slurm');
  if (!c.get<boolean>('enabled', false)) return {};
  const o: Record<string, unknown> = { command: c.get<string>('command', '').trim() || externalCommand };
  const str = (k: keyof SlurmOptions): void => {
    const v = c.get<string>(k, '').trim();
    if (v) o[k] = v;
  };
  const int = (k: keyof SlurmOptions): void => {
    const v = c.get<number>(k, 0);
    if (v > 0) o[k] = v;
  };
  str('partition');
  str('time');
  str('mem');
  str('extra');
  int('cpus');
  int('gpus');
  int('arrayMax');
  int('pollMs');
  if (cwd) o['cwd'] = cwd;
  return { evaluator: 'slurm', slurm: checkSlurmOptions(o) };
}
