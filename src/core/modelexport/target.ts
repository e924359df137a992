// What a model export starts from: one evaluated architecture (a run folder + spec id, or a spec file) resolved
// by its space's exporter (SpaceProvider.exporter, found through the Registry) into the exact network the live
// evaluator builds, plus the spec's own complexity figures, so every exporter (PyTorch source, ONNX, the latency
// measurement) works from one description. The contract is in contract.ts; each space's part in its own folder.

import fs from 'node:fs';
import path from 'node:path';
import { createRegistry } from '../compose.js';
import type { Registry } from '../registry.js';
import { RunFolderError, RunStore, type SpecFile } from '../runstore.js';
import { ExportError, resolveTarget, type ExportTarget, type SpaceExporter } from './contract.js';

export {
  ExportError,
  specComplexity,
  type ExportSource,
  type ExportTarget,
  type SpaceExporter,
} from './contract.js';

/** The spaces of the registry whose networks can be exported (those whose provider has an exporter). */
export function exportableSpaces(registry: Registry = createRegistry()): string[] {
  return registry.spaceIds().filter((id) => registry.spaceProvider(id).exporter);
}

/** Resolves a spec (as stored in archs/<id>.json) into the network to export, with its space's exporter. */
export function targetOfSpec(
  spec: Pick<SpecFile, 'space' | 'dataset' | 'id' | 'arch' | 'spec'>,
  run?: { id?: string; dir: string },
  registry: Registry = createRegistry(),
): ExportTarget {
  const exporter: SpaceExporter | undefined = registry.spaceIds().includes(spec.space)
    ? registry.spaceProvider(spec.space).exporter
    : undefined;
  if (!exporter)
    throw new ExportError(
      `model export covers the spaces ${exportableSpaces(registry).join(', ')}; "${spec.space}" is a user-defined or ` +
        'external space whose network the product does not build',
    );
  return resolveTarget(exporter, spec, run);
}

function readSpecFile(f: string): SpecFile {
  let s: SpecFile;
  try {
    s = JSON.parse(fs.readFileSync(f, 'utf8')) as SpecFile;
  } catch (e) {
    throw new RunFolderError(f, `cannot read the spec file (${(e as Error).message})`);
  }
  if (s.format !== 'llm-nas-spec-v1' || typeof s.id !== 'string')
    throw new RunFolderError(f, 'not an LLM-NAS architecture spec');
  return s;
}

/**
 * A run folder and a spec id (`nb201-00176`, or the file name `nb201-00176.json`), or a spec file path alone
 * (id undefined): the spec file's run is the folder above archs/ when it holds a run.
 */
export function loadTarget(
  runOrSpec: string,
  id?: string,
  registry: Registry = createRegistry(),
): ExportTarget {
  if (id === undefined && runOrSpec.endsWith('.json') && fs.statSync(runOrSpec).isFile()) {
    const spec = readSpecFile(runOrSpec);
    const runDir = path.dirname(path.dirname(path.resolve(runOrSpec)));
    let run: { id?: string; dir: string } | undefined;
    try {
      run = { id: RunStore.open(runDir).readConfig().id, dir: runDir };
    } catch {
      run = undefined;
    }
    return targetOfSpec(spec, run, registry);
  }
  if (id === undefined)
    throw new ExportError('give the architecture id (e.g. nb201-00176) after the run folder');
  const store = RunStore.open(runOrSpec);
  const bare = id.replace(/\.json$/, '');
  const f = path.join(store.archsDir, `${bare}.json`);
  if (!fs.existsSync(f)) throw new RunFolderError(f, `no architecture "${bare}" in this run`);
  return targetOfSpec(readSpecFile(f), { id: store.readConfig().id, dir: store.dir }, registry);
}
