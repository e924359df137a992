// "Export Model…" and "Measure on This Machine": an architecture (a Runs-view item, a spec file archs/<id>.json
// from the explorer or the editor title, or {dir, id} from the dashboard) as a PyTorch module or an ONNX model,
// and its CPU latency measured here. VS Code glue over src/core/modelexport.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as vscode from 'vscode';
import type { ExportTarget } from '../core/modelexport/target.js';
import type { FrontFile } from '../core/run.js';

export type ModelFormat = 'pytorch' | 'onnx';

/** What the commands accept as the architecture. */
export type ArchRef =
  vscode.Uri | { kind?: string; dir: string; id: string } | { fsPath: string } | string | undefined;

interface Deps {
  log: vscode.LogOutputChannel;
  /** The open run's folder, when one is open. */
  currentDir: () => string | undefined;
}

type Reg = (id: string, fn: (...args: never[]) => unknown) => void;

async function resolveTarget(
  ref: ArchRef,
  id: string | undefined,
  deps: Deps,
): Promise<ExportTarget | undefined> {
  // the exporters load on first use, so the extension host's start-up does not pay for them
  const { loadTarget } = await import('../core/modelexport/target.js');
  if (typeof ref === 'string') return loadTarget(ref, id);
  if (ref && 'dir' in ref && typeof ref.id === 'string') return loadTarget(ref.dir, ref.id);
  if (ref && 'fsPath' in ref) return loadTarget(ref.fsPath);
  // the palette: the spec file in the editor, else a pick from the open run's front
  const doc = vscode.window.activeTextEditor?.document.uri;
  if (doc?.scheme === 'file' && /[\\/]archs[\\/][^\\/]+\.json$/.test(doc.fsPath))
    return loadTarget(doc.fsPath);
  const dir = deps.currentDir();
  if (!dir)
    throw new Error(
      'choose an architecture: right-click one in the Runs view or a spec file archs/<id>.json',
    );
  const front = JSON.parse(fs.readFileSync(path.join(dir, 'front.json'), 'utf8')) as FrontFile;
  const item = await vscode.window.showQuickPick(
    front.front.map((e) => ({ label: e.id, description: e.arch })),
    { title: 'LLM-NAS: architecture of the front', matchOnDescription: true },
  );
  return item ? loadTarget(dir, item.label) : undefined;
}

export function registerExportModelCommands(reg: Reg, deps: Deps): void {
  reg(
    'llmNas.exportModel',
    async (
      ref?: ArchRef,
      idArg?: string,
      format?: ModelFormat,
      out?: string,
    ): Promise<string | undefined> => {
      const t = await resolveTarget(ref, idArg, deps);
      if (!t) return undefined;
      const fmt =
        format ??
        (
          await vscode.window.showQuickPick(
            [
              { label: 'PyTorch module (.py)', format: 'pytorch' as const },
              { label: 'ONNX model (.onnx)', format: 'onnx' as const },
            ],
            { title: `LLM-NAS: export ${t.source.id} as` },
          )
        )?.format;
      if (!fmt) return undefined;
      const ext = fmt === 'pytorch' ? 'py' : 'onnx';
      let target = out;
      if (!target) {
        const base = t.source.runDir ?? vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? os.homedir();
        const u = await vscode.window.showSaveDialog({
          defaultUri: vscode.Uri.file(path.join(base, 'models', `${t.source.id}.${ext}`)),
          filters: fmt === 'pytorch' ? { Python: ['py'] } : { ONNX: ['onnx'] },
        });
        target = u?.fsPath;
      }
      if (!target) return undefined;
      fs.mkdirSync(path.dirname(target), { recursive: true });
      if (fmt === 'pytorch')
        fs.writeFileSync(target, (await import('../core/modelexport/pytorch.js')).pytorchSource(t));
      else fs.writeFileSync(target, (await import('../core/modelexport/onnx.js')).exportOnnx(t).bytes);
      deps.log.info(`exported ${t.source.space} architecture ${t.source.id} as ${fmt} to ${target}`);
      if (!out) {
        const done = target;
        void vscode.window
          .showInformationMessage(
            `LLM-NAS: ${t.source.id} exported to ${done}`,
            ...(fmt === 'pytorch' ? ['Open'] : []),
          )
          .then((a) => (a === 'Open' ? vscode.window.showTextDocument(vscode.Uri.file(done)) : undefined));
      }
      return target;
    },
  );

  reg('llmNas.measureModel', async (ref?: ArchRef, idArg?: string) => {
    const t = await resolveTarget(ref, idArg, deps);
    if (!t) return undefined;
    // onnxruntime is loaded on the first measurement only
    const { measureTarget } = await import('../core/modelexport/measure.js');
    const m = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `LLM-NAS: timing ${t.source.id} on this CPU` },
      () => measureTarget(t),
    );
    deps.log.info(`${t.source.id}: ${m.medianMs.toFixed(3)} ms — ${m.context}`);
    void vscode.window.showInformationMessage(
      `LLM-NAS: ${t.source.id} runs in ${m.medianMs.toFixed(2)} ms on this CPU (${m.label}; batch ${m.options.batch}, ` +
        `${m.options.threads} thread, median of ${m.options.runs})`,
    );
    return m;
  });
}
