// Bundles the extension host, the CLI and (when present) the webview with esbuild.
import * as esbuild from 'esbuild';
import fs from 'node:fs';

const watch = process.argv.includes('--watch');
const common = {
  bundle: true,
  sourcemap: true,
  logLevel: 'warning',
  minify: process.argv.includes('--minify'),
};
const builds = [
  {
    ...common,
    entryPoints: ['src/extension/extension.ts'],
    outfile: 'dist/extension.js',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['vscode', 'onnxruntime-node'],
  },
  {
    // the extension's working part, loaded by the thin entry on first use (src/extension/extension.ts)
    ...common,
    entryPoints: ['src/extension/main.ts'],
    outfile: 'dist/extension-main.js',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    // resvg: the dashboard's Save plot as PNG (a native binary, as for the CLI)
    external: ['vscode', 'onnxruntime-node', '@resvg/resvg-js'],
  },
  {
    ...common,
    entryPoints: ['src/cli/main.ts'],
    outfile: 'dist/cli.js',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    // resvg (the plot command's PNG renderer) ships a native binary per platform, as onnxruntime-node does
    external: ['onnxruntime-node', '@resvg/resvg-js'],
    banner: { js: '#!/usr/bin/env node' },
  },
];
if (fs.existsSync('webview/main.ts'))
  builds.push({
    ...common,
    entryPoints: ['webview/main.ts'],
    outfile: 'dist/webview.js',
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
  });
// extra worker entry points (e.g. the live evaluator's worker) register themselves in scripts/entries.json
if (fs.existsSync('scripts/entries.json'))
  for (const e of JSON.parse(fs.readFileSync('scripts/entries.json', 'utf8')))
    builds.push({
      ...common,
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      external: ['vscode', 'onnxruntime-node'],
      ...e,
    });

if (watch) {
  for (const b of builds) await (await esbuild.context(b)).watch();
} else {
  await Promise.all(builds.map((b) => esbuild.build(b)));
  fs.chmodSync('dist/cli.js', 0o755);
}
