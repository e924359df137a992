// PyTorch source of an exported architecture: one standalone .py file that imports only torch and defines the
// network as an nn.Module with a build(num_classes=…) function, written by the space's exporter after the space's
// original definition (src/core/nb201/export.ts: NAS-Bench-201's TinyNetwork; src/core/fbnet/export.ts:
// HW-NAS-Bench's FBNet; src/core/vit/export.ts: AutoFormer's subnet) so its published training recipe applies,
// with module paths equal to the names of the ONNX export's weights, so they load into the module by name. Here:
// the lines every source's docstring shares.

import { specComplexity, type ExportSource, type ExportTarget } from './contract.js';

/** A Python string literal. */
export const py = (s: string): string => JSON.stringify(s);

/** The architecture and where it came from. */
export function sourceLines(s: ExportSource): string {
  const from = s.run ? `run ${s.run}, architecture ${s.id}` : `architecture ${s.id}`;
  return `Architecture: ${s.arch}\nSource: ${from} (space ${s.space}, dataset ${s.dataset}); exported by LLM-NAS.`;
}

/** The spec's complexity figures. */
export function figures(t: ExportTarget): string {
  const c = specComplexity(t);
  return `Parameters ${c.paramsM.toFixed(6)} M, FLOPs ${c.flopsM.toFixed(4)} M (multiply-adds, as the space counts them).`;
}

export function pytorchSource(t: ExportTarget): string {
  return t.exporter.pytorch(t);
}
