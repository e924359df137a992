// What a model export starts from: one evaluated architecture (a run folder + spec id, or a spec file) resolved
// into the exact network the live evaluator builds — NB201's TinyNetwork and HW-NAS-Bench's FBNet as the Net IR
// (src/core/engine/net.ts), an AutoFormer subnet as its shape — plus the spec's own complexity figures, so every
// exporter (PyTorch source, ONNX, the latency measurement) works from one description.

import fs from 'node:fs';
import path from 'node:path';
import { FBNET_SETTINGS, type FbnetSetting } from '../fbnet/lut.js';
import { buildFbnetNet } from '../fbnet/net.js';
import { fbnetSpace } from '../fbnet/space.js';
import { buildNb201Net, NB201_NET_CONFIGS, type Nb201NetConfig } from '../nb201/net.js';
import type { Net } from '../engine/net.js';
import { nb201Space } from '../nb201/space.js';
import { loadNb201Table, type Nb201Dataset } from '../nb201/table.js';
import { RunFolderError, RunStore, type SpecFile } from '../runstore.js';
import type { VitNetConfig, VitShape } from '../vit/net.js';
import { AUTOFORMER_NET, vitSpace, VIT_VARIANTS, type VitVariant } from '../vit/space.js';

export class ExportError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ExportError';
  }
}

/** Where the architecture came from (written into every exported file). */
export interface ExportSource {
  run?: string;
  runDir?: string;
  id: string;
  space: string;
  dataset: string;
  arch: string;
}

export type ExportTarget =
  | { kind: 'nb201'; source: ExportSource; ops: number[]; cfg: Nb201NetConfig; net: Net }
  | { kind: 'fbnet'; source: ExportSource; ops: number[]; setting: FbnetSetting; net: Net }
  | { kind: 'vit'; source: ExportSource; variant: VitVariant; shape: VitShape; cfg: VitNetConfig };

/** The complexity the space reports for the spec (params_m, flops_m): what an export must reproduce. */
export function specComplexity(t: ExportTarget): { paramsM: number; flopsM: number } {
  if (t.kind === 'nb201') {
    // the published table's figures for the spec's dataset (the space's features are CIFAR-10's)
    const tab = loadNb201Table();
    const i = nb201Space.index(t.ops);
    const ds = t.source.dataset as Nb201Dataset;
    return { paramsM: tab.params(ds)[i]!, flopsM: tab.flops(ds)[i]! };
  }
  const f =
    t.kind === 'fbnet'
      ? fbnetSpace(t.source.dataset).features(t.ops)
      : vitSpace(t.variant).features({ ...t.shape, mlp: [...t.shape.mlp], heads: [...t.shape.heads] });
  return { paramsM: f['params_m']!, flopsM: f['flops_m']! };
}

export const EXPORTABLE_SPACES = [
  'nb201',
  'fbnet',
  ...VIT_VARIANTS.map((v) => `autoformer-${v.toLowerCase()}`),
];

/** Resolves a spec (as stored in archs/<id>.json) into the network to export. */
export function targetOfSpec(
  spec: Pick<SpecFile, 'space' | 'dataset' | 'id' | 'arch' | 'spec'>,
  run?: { id?: string; dir: string },
): ExportTarget {
  const source: ExportSource = {
    ...(run?.id ? { run: run.id } : {}),
    ...(run ? { runDir: run.dir } : {}),
    id: spec.id,
    space: spec.space,
    dataset: spec.dataset,
    arch: spec.arch,
  };
  const input = spec.spec ?? spec.arch;
  if (spec.space === 'nb201') {
    const cfg = NB201_NET_CONFIGS[spec.dataset];
    if (!cfg) throw new ExportError(`NB201 has no network setting for dataset "${spec.dataset}"`);
    const ops = [...nb201Space.parse(input)];
    return { kind: 'nb201', source, ops, cfg, net: buildNb201Net(ops, cfg) };
  }
  if (spec.space === 'fbnet') {
    const setting = FBNET_SETTINGS[spec.dataset];
    if (!setting) throw new ExportError(`FBNet has no network setting for dataset "${spec.dataset}"`);
    const ops = [...fbnetSpace(spec.dataset).parse(input)];
    return { kind: 'fbnet', source, ops, setting, net: buildFbnetNet(ops, setting) };
  }
  const m = /^autoformer-([tsb])$/.exec(spec.space);
  if (m) {
    const variant = m[1]!.toUpperCase() as VitVariant;
    const a = vitSpace(variant).parse(input);
    return {
      kind: 'vit',
      source,
      variant,
      shape: { embed: a.embed, depth: a.depth, mlp: [...a.mlp], heads: [...a.heads] },
      cfg: { ...AUTOFORMER_NET },
    };
  }
  throw new ExportError(
    `model export covers the spaces ${EXPORTABLE_SPACES.join(', ')}; "${spec.space}" is a user-defined or ` +
      'external space whose network the product does not build',
  );
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
export function loadTarget(runOrSpec: string, id?: string): ExportTarget {
  if (id === undefined && runOrSpec.endsWith('.json') && fs.statSync(runOrSpec).isFile()) {
    const spec = readSpecFile(runOrSpec);
    const runDir = path.dirname(path.dirname(path.resolve(runOrSpec)));
    let run: { id?: string; dir: string } | undefined;
    try {
      run = { id: RunStore.open(runDir).readConfig().id, dir: runDir };
    } catch {
      run = undefined;
    }
    return targetOfSpec(spec, run);
  }
  if (id === undefined)
    throw new ExportError('give the architecture id (e.g. nb201-00176) after the run folder');
  const store = RunStore.open(runOrSpec);
  const bare = id.replace(/\.json$/, '');
  const f = path.join(store.archsDir, `${bare}.json`);
  if (!fs.existsSync(f)) throw new RunFolderError(f, `no architecture "${bare}" in this run`);
  return targetOfSpec(readSpecFile(f), { id: store.readConfig().id, dir: store.dir });
}
