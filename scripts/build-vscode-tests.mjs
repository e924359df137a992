// Bundles the extension-host tests (test/integration/*.ts) into out/test/integration/ for code-server and
// @vscode/test-electron alike. `vscode` comes from the host; mocha is loaded from node_modules at run time.
import * as esbuild from 'esbuild';
import fs from 'node:fs';

const entries = fs
  .readdirSync('test/integration')
  .filter((f) => f.endsWith('.ts'))
  .map((f) => `test/integration/${f}`);
await esbuild.build({
  entryPoints: entries,
  outdir: 'out/test/integration',
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  sourcemap: true,
  logLevel: 'warning',
  external: ['vscode', 'mocha', '@vscode/test-electron', 'onnxruntime-node'],
});
