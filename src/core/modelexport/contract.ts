// The exporter contract: what a search space contributes so its networks can be taken home. A space with
// exportable networks sets SpaceProvider.exporter (src/core/provider.ts) to a SpaceExporter built in its own
// folder (src/core/<space>/export.ts); model export finds it through the Registry (target.ts) and every emitter
// (pytorch.ts, onnx.ts, measure.ts) goes through the target's exporter, so this folder never names a space.

import type { SpecFile } from '../runstore.js';

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

/** The complexity the space reports for a spec (params_m, flops_m): what an export must reproduce. */
export interface SpecComplexity {
  paramsM: number;
  flopsM: number;
}

/** How a network is timed here (measure.ts). */
export interface MeasureOptions {
  warmup: number;
  runs: number;
  threads: number;
  batch: number;
}

/** The network of one spec as its space's exporter resolved it (the space's own fields besides these). */
export interface ExportTarget {
  /** The family of networks (nb201, fbnet, vit). */
  kind: string;
  source: ExportSource;
  /** The exporter that resolved the target: every emitter goes through it. */
  exporter: SpaceExporter;
}

/** A target's ONNX inference graph, before the export's provenance is written into it (onnx.ts). */
export interface OnnxGraph {
  bytes: Uint8Array;
  /** Input height = width. */
  resolution: number;
  numClasses: number;
}

/** What a space provides to export its networks. */
export interface SpaceExporter<T extends ExportTarget = ExportTarget> {
  /**
   * The exact network the live evaluator builds for a spec: `input` is the spec's JSON form (spec.spec), else
   * its text (spec.arch). Throws ExportError when the spec's dataset has no network setting.
   */
  target(input: unknown, source: ExportSource): T;
  /** The spec's complexity as the space reports it. */
  complexity(t: T): SpecComplexity;
  /** One standalone .py file (pytorch.ts has the shared header lines). */
  pytorch(t: T): string;
  /** The deployable inference graph (symbolic batch "N"), at another resolution where the space allows one. */
  onnx(t: T, opts: { resolution?: number }): OnnxGraph;
  /** The space's own measurement for these options, if it has one (else measure.ts times the ONNX graph). */
  measure?(t: T, o: MeasureOptions): Promise<number> | undefined;
}

/** The complexity the space reports for the spec (params_m, flops_m): what an export must reproduce. */
export function specComplexity(t: ExportTarget): SpecComplexity {
  return t.exporter.complexity(t);
}

/** Resolves a spec (as stored in archs/<id>.json) with its space's exporter. */
export function resolveTarget(
  exporter: SpaceExporter,
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
  return exporter.target(spec.spec ?? spec.arch, source);
}
