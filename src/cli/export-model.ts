// llm-nas export-model / measure / compare / plot: take an architecture home (PyTorch source, ONNX model), time
// it on this machine, compare runs, and save the Pareto plot — all over src/core/modelexport.

import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { CompareError, compareMarkdown, compareRuns } from '../core/modelexport/compare.js';
import { MEASURE_DEFAULTS, measureTarget, MEASURED_HERE } from '../core/modelexport/measure.js';
import { exportOnnx } from '../core/modelexport/onnx.js';
import { plotData, plotSvg, svgToPng } from '../core/modelexport/plot.js';
import { pytorchSource } from '../core/modelexport/pytorch.js';
import { ExportError, loadTarget, type ExportTarget } from '../core/modelexport/target.js';
import type { FrontFile } from '../core/run.js';
import { RunFolderError, RunStore } from '../core/runstore.js';

export const EXPORT_MODEL_USAGE = `  llm-nas export-model RUN_DIR ID --format pytorch|onnx [--out FILE]   the architecture as a network
  llm-nas export-model SPEC.json --format pytorch|onnx [--out FILE]     (a spec file archs/<id>.json alone)
  llm-nas measure RUN_DIR [ID...] [--runs 20 --warmup 5 --threads 1 --batch 1]   CPU latency measured here
                                                                    (default: the run's front)
  llm-nas compare RUN_DIR RUN_DIR... [--json FILE]                  fronts, HV/IGD, who dominates where
  llm-nas plot RUN_DIR [RUN_DIR...] --out front.svg|front.png       Pareto plot + HV history
`;

export class CliUsageError extends Error {}

function posInt(v: string | undefined, name: string, dflt: number, min = 1): number {
  if (v === undefined) return dflt;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min)
    throw new CliUsageError(`--${name} must be an integer >= ${min}, got "${v}"`);
  return n;
}

/** The user's mistakes (an unsupported space, runs of different tasks) become usage errors (exit 2). */
function usage<T>(f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof ExportError || e instanceof CompareError) throw new CliUsageError(e.message);
    throw e;
  }
}

function defaultName(t: ExportTarget, ext: string): string {
  return `${t.source.id}.${ext}`;
}

export function cmdExportModel(argv: string[]): void {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { format: { type: 'string' }, out: { type: 'string' } },
  });
  const [runOrSpec, id] = positionals;
  if (!runOrSpec)
    throw new CliUsageError('export-model needs a run folder and an architecture id, or a spec file');
  if (values.format !== 'pytorch' && values.format !== 'onnx')
    throw new CliUsageError(`--format must be pytorch or onnx, got ${JSON.stringify(values.format)}`);
  const t = usage(() => loadTarget(runOrSpec, id));
  const out = values.out ?? defaultName(t, values.format === 'pytorch' ? 'py' : 'onnx');
  if (values.format === 'pytorch') fs.writeFileSync(out, pytorchSource(t));
  else {
    const e = exportOnnx(t);
    fs.writeFileSync(out, e.bytes);
    process.stderr.write(`${e.doc}\n`);
  }
  process.stdout.write(`${path.resolve(out)}\n`);
}

export async function cmdMeasure(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      runs: { type: 'string' },
      warmup: { type: 'string' },
      threads: { type: 'string' },
      batch: { type: 'string' },
      json: { type: 'string' },
    },
  });
  const [dir, ...ids0] = positionals;
  if (!dir) throw new CliUsageError('measure needs a run folder (and optionally architecture ids)');
  const o = {
    runs: posInt(values.runs, 'runs', MEASURE_DEFAULTS.runs),
    warmup: posInt(values.warmup, 'warmup', MEASURE_DEFAULTS.warmup, 0),
    threads: posInt(values.threads, 'threads', MEASURE_DEFAULTS.threads),
    batch: posInt(values.batch, 'batch', MEASURE_DEFAULTS.batch),
  };
  const store = RunStore.open(dir);
  const cfg = store.readConfig();
  let ids = ids0;
  if (!ids.length) {
    const f = store.file('front.json');
    if (!fs.existsSync(f)) throw new RunFolderError(f, 'not found — give architecture ids to measure');
    ids = (JSON.parse(fs.readFileSync(f, 'utf8')) as FrontFile).front.map((r) => r.id);
  }
  const rows: Record<string, unknown>[] = [];
  let context = '';
  const lines = [
    `| id | arch | ${cfg.costMetrics.map((m) => `${m} (table)`).join(' | ')} | CPU latency, ${MEASURED_HERE} (ms) |`,
    `|---|---|${cfg.costMetrics.map(() => '---:|').join('')}---:|`,
  ];
  for (const id of ids) {
    const t = usage(() => loadTarget(store.dir, id));
    const spec = store.readSpecs().find((s) => s.id === t.source.id)!;
    const m = await measureTarget(t, o);
    context = m.context;
    const table = cfg.costMetrics.map((k) => spec.evaluation.hw[k]);
    rows.push({
      id: t.source.id,
      arch: t.source.arch,
      table: Object.fromEntries(cfg.costMetrics.map((k, i) => [k, table[i]])),
      measuredHereMs: m.medianMs,
    });
    const arch = t.source.arch.length > 60 ? `${t.source.arch.slice(0, 57)}...` : t.source.arch;
    lines.push(
      `| ${t.source.id} | \`${arch}\` | ${table.map((v) => (typeof v === 'number' ? v.toFixed(3) : '—')).join(' | ')} | ${m.medianMs.toFixed(3)} |`,
    );
    process.stderr.write(`${t.source.id}: ${m.medianMs.toFixed(3)} ms (${MEASURED_HERE})\n`);
  }
  process.stdout.write(`${lines.join('\n')}\n\n${context}\n`);
  if (values.json)
    fs.writeFileSync(
      values.json,
      JSON.stringify({ label: MEASURED_HERE, context, options: o, rows }, null, 2) + '\n',
    );
}

export function cmdCompare(argv: string[]): void {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { json: { type: 'string' }, regions: { type: 'string' } },
  });
  if (positionals.length < 2) throw new CliUsageError('compare needs at least two run folders');
  const c = usage(() => compareRuns(positionals, posInt(values.regions, 'regions', 4)));
  process.stdout.write(compareMarkdown(c));
  if (values.json) fs.writeFileSync(values.json, JSON.stringify(c, null, 2) + '\n');
}

export async function cmdPlot(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { out: { type: 'string' }, width: { type: 'string' } },
  });
  if (!positionals.length) throw new CliUsageError('plot needs a run folder');
  const out = values.out ?? path.join(positionals[0]!, 'front.svg');
  const ext = path.extname(out).toLowerCase();
  if (ext !== '.svg' && ext !== '.png')
    throw new CliUsageError(`--out must end in .svg or .png, got "${out}"`);
  const svg = plotSvg(usage(() => plotData(positionals)));
  if (ext === '.svg') fs.writeFileSync(out, svg);
  else fs.writeFileSync(out, await svgToPng(svg, posInt(values.width, 'width', 1920)));
  process.stdout.write(`${path.resolve(out)}\n`);
}
