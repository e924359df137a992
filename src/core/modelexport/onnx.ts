// ONNX export of an architecture for inference (not the proxies' graphs): opset 17, one input "x" of shape
// (N, 3, H, W) float32 with a symbolic batch N, one output "logits" (N, classes). BatchNorm in inference form
// with its running statistics as initialisers (mean 0, var 1, gamma 1, beta 0 — an untrained network), so the
// graph is what a deployment runtime converts. Weights are untrained and deterministic: the live evaluator's
// counter-based generator (src/core/engine/weights.ts, seed 0) with PyTorch's default distribution,
// U(±1/sqrt(fan_in)) for conv and linear weights and linear biases. Initialiser names are the PyTorch module's
// state_dict keys (the space's exporter writes both), so the weights load into the exported .py by name.
// The space's exporter gives the graph: a network that is the Net IR (NB201, FBNet) is emitted here
// (netInferenceGraph); another space emits its own (AutoFormer: src/core/vit/export.ts). The provenance is
// written into it here.

import { onnx } from 'onnx-proto';
import { GraphBuilder, BN_EPS } from '../engine/onnx.js';
import { inferShapes, type Net } from '../engine/net.js';
import { WeightSource } from '../engine/weights.js';
import type { ExportTarget, OnnxGraph } from './contract.js';

export const EXPORT_OPSET = 17;
export const EXPORT_SEED = 0;

export const INIT_NOTE =
  'untrained weights, deterministic (LLM-NAS counter-based generator, seed 0): conv and linear weights and ' +
  'linear biases U(-1/sqrt(fan_in), 1/sqrt(fan_in)) (PyTorch default); BatchNorm/LayerNorm weight 1, bias 0, ' +
  'running mean 0, running var 1; AutoFormer class token and position embedding N(0, 0.02^2)';

/** The inference graph of a Net IR (NB201, FBNet). */
export function emitInferenceNet(net: Net, seed = EXPORT_SEED): Uint8Array {
  const shapes = inferShapes(net);
  const g = new GraphBuilder();
  const ws = new WeightSource(seed, 'torch-default');
  const r = net.inputShape;
  g.input('x', ['N', r.c, r.h, r.w]);
  const name = new Map<string, string>([[net.input, 'x']]);
  const t = (s: string): string => name.get(s)!;
  for (const l of net.layers) {
    switch (l.kind) {
      case 'conv': {
        const group = l.group ?? 1;
        const shape = [l.cout, l.cin / group, l.k, l.k];
        const w = ws.tensor({
          name: `${l.name}.weight`,
          kind: 'conv',
          shape,
          fanIn: (l.cin / group) * l.k * l.k,
        });
        const attrs = {
          kernel_shape: [l.k, l.k],
          strides: [l.stride, l.stride],
          pads: [l.pad, l.pad, l.pad, l.pad],
          ...(group > 1 ? { group } : {}),
        };
        name.set(l.output, g.op('Conv', [t(l.input), g.initializer(`${l.name}.weight`, shape, w)], attrs));
        break;
      }
      case 'bn': {
        const ones = new Float32Array(l.c).fill(1);
        const zeros = new Float32Array(l.c);
        name.set(
          l.output,
          g.op(
            'BatchNormalization',
            [
              t(l.input),
              g.initializer(`${l.name}.weight`, [l.c], ones),
              g.initializer(`${l.name}.bias`, [l.c], zeros),
              g.initializer(`${l.name}.running_mean`, [l.c], zeros),
              g.initializer(`${l.name}.running_var`, [l.c], ones),
            ],
            { epsilon: { f: BN_EPS } },
          ),
        );
        break;
      }
      case 'relu':
        name.set(l.output, g.op('Relu', [t(l.input)]));
        break;
      case 'avgpool':
        name.set(
          l.output,
          g.op('AveragePool', [t(l.input)], {
            kernel_shape: [l.k, l.k],
            strides: [l.stride, l.stride],
            pads: [l.pad, l.pad, l.pad, l.pad],
            count_include_pad: l.countIncludePad ? 1 : 0,
          }),
        );
        break;
      case 'add':
        name.set(l.output, l.inputs.length === 1 ? t(l.inputs[0]!) : g.op('Sum', l.inputs.map(t)));
        break;
      case 'zero':
        name.set(l.output, g.op('Mul', [t(l.input), g.scalar(0)]));
        break;
      case 'shuffle': {
        const s = shapes.get(l.input)!;
        name.set(
          l.output,
          g.op('Reshape', [
            g.op(
              'Transpose',
              [g.op('Reshape', [t(l.input), g.ints([0, l.groups, s.c / l.groups, s.h, s.w])])],
              {
                perm: [0, 2, 1, 3, 4],
              },
            ),
            g.ints([0, s.c, s.h, s.w]),
          ]),
        );
        break;
      }
      case 'gap':
        name.set(l.output, g.op('Flatten', [g.op('GlobalAveragePool', [t(l.input)])], { axis: 1 }));
        break;
      case 'linear': {
        const w = ws.tensor({
          name: `${l.name}.weight`,
          kind: 'linear-weight',
          shape: [l.cout, l.cin],
          fanIn: l.cin,
        });
        const b = ws.tensor({ name: `${l.name}.bias`, kind: 'linear-bias', shape: [l.cout], fanIn: l.cin });
        name.set(
          l.output,
          g.op(
            'Gemm',
            [
              t(l.input),
              g.initializer(`${l.name}.weight`, [l.cout, l.cin], w),
              g.initializer(`${l.name}.bias`, [l.cout], b),
            ],
            { transB: 1 },
          ),
        );
        break;
      }
    }
  }
  g.op('Identity', [t(net.output)], {}, 'logits');
  g.output('logits');
  return g.encode();
}

/** The inference graph of a Net IR (NB201, FBNet) at its own resolution, for a space's exporter. */
export function netInferenceGraph(net: Net, numClasses: number, opts: { resolution?: number }): OnnxGraph {
  if (opts.resolution !== undefined && opts.resolution !== net.inputShape.h)
    throw new Error('only AutoFormer exports take another resolution');
  return { bytes: emitInferenceNet(net), resolution: net.inputShape.h, numClasses };
}

export interface OnnxExport {
  bytes: Uint8Array;
  inputName: 'x';
  inputShape: [string, number, number, number];
  outputName: 'logits';
  numClasses: number;
  opset: number;
  doc: string;
}

/** The deployable ONNX model of a target, with its provenance, input and initialisation in the model's doc. */
export function exportOnnx(t: ExportTarget, opts: { resolution?: number } = {}): OnnxExport {
  const { bytes, resolution: res, numClasses: classes } = t.exporter.onnx(t, opts);
  const s = t.source;
  const doc =
    `LLM-NAS export of ${s.space} architecture ${s.id}${s.run ? ` (run ${s.run})` : ''}, dataset ${s.dataset}: ` +
    `${s.arch}. Input "x": float32 (N, 3, ${res}, ${res}); output "logits": (N, ${classes}). ` +
    `Opset ${EXPORT_OPSET}. Weights: ${INIT_NOTE}.`;
  const m = onnx.ModelProto.decode(bytes);
  m.producerName = 'llm-nas-export';
  m.docString = doc;
  m.graph!.name = `${s.space}-${s.id}`;
  m.metadataProps = [
    { key: 'llm_nas.space', value: s.space },
    { key: 'llm_nas.dataset', value: s.dataset },
    { key: 'llm_nas.id', value: s.id },
    { key: 'llm_nas.arch', value: s.arch },
    ...(s.run ? [{ key: 'llm_nas.run', value: s.run }] : []),
    { key: 'llm_nas.input', value: `x: float32 (N, 3, ${res}, ${res})` },
    { key: 'llm_nas.init', value: INIT_NOTE },
  ];
  return {
    bytes: onnx.ModelProto.encode(m).finish(),
    inputName: 'x',
    inputShape: ['N', 3, res, res],
    outputName: 'logits',
    numClasses: classes,
    opset: EXPORT_OPSET,
    doc,
  };
}

/** The float32 initialisers of an ONNX model by name (for loading its weights elsewhere). */
export function onnxInitializers(bytes: Uint8Array): Map<string, { dims: number[]; data: Float32Array }> {
  const m = onnx.ModelProto.decode(bytes);
  const out = new Map<string, { dims: number[]; data: Float32Array }>();
  for (const init of m.graph?.initializer ?? []) {
    if (init.dataType !== onnx.TensorProto.DataType.FLOAT || !init.rawData || !init.name) continue;
    const raw = init.rawData;
    const copy = new Uint8Array(raw.byteLength);
    copy.set(raw);
    out.set(init.name, { dims: (init.dims ?? []).map(Number), data: new Float32Array(copy.buffer) });
  }
  return out;
}
