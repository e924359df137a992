// `npm run test:electron`: the same mocha suite in a desktop VS Code downloaded by @vscode/test-electron.
// Needs internet (update.code.visualstudio.com) and a display; CI here uses code-server (scripts/test-vscode.sh).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runTests } from '@vscode/test-electron';

async function main(): Promise<void> {
  const root = path.resolve(__dirname, '..', '..', '..');
  const ws = fs.mkdtempSync(path.join(os.tmpdir(), 'llm-nas-ws-'));
  await runTests({
    extensionDevelopmentPath: root,
    extensionTestsPath: path.join(__dirname, 'index.js'),
    launchArgs: [ws, '--disable-extensions', '--disable-workspace-trust'],
  });
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
