// Extension-host test entry: VS Code (code-server or desktop via @vscode/test-electron) calls run() inside the
// real extension host. Mocha 11 (CommonJS; 12 is ESM-only).
import fs from 'node:fs';
import path from 'node:path';
import Mocha from 'mocha';

export function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'bdd', timeout: 60000, color: false, reporter: 'spec' });
  for (const f of fs.readdirSync(__dirname).sort())
    if (f.endsWith('.test.js')) mocha.addFile(path.join(__dirname, f));
  return new Promise((resolve, reject) =>
    mocha.run((failures) => {
      console.log(`mocha done, failures=${failures}`);
      if (failures) reject(new Error(`${failures} extension-host tests failed`));
      else resolve();
    }),
  );
}
