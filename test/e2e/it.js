// Runs the extension-host mocha suite (out/test/integration) inside code-server's real extension host: the
// workbench is opened with a `payload` naming extensionDevelopmentPath / extensionTestsPath, and the test
// runner's exit code comes back through codeAutomationExit (VS Code's own browser-integration mechanism).
const { chromium } = require('playwright-core');
const fs = require('fs');
const os = require('os');
const path = require('path');
const util = require('util');

const BASE = process.env.CS_BASE;
if (!BASE)
  throw new Error(
    'CS_BASE is not set: run through scripts/test-vscode.sh, which starts code-server on a free port',
  );
const EXT = process.env.EXT_DEV; // the installed (packaged) extension folder
const TESTS = process.env.EXT_TESTS;
const WS = process.env.WS;
const LOG = process.env.IT_LOG;

(async () => {
  const t0 = Date.now();
  const host = new URL(BASE).host;
  const payload = JSON.stringify([
    ['extensionDevelopmentPath', `vscode-remote://${host}${EXT}`],
    ['extensionTestsPath', `vscode-remote://${host}${TESTS}`],
    ['skipWelcome', 'true'],
  ]);
  const url = `${BASE}/?folder=${encodeURIComponent(WS)}&payload=${encodeURIComponent(payload)}`;
  const udd = fs.mkdtempSync(path.join(os.tmpdir(), 'chromium-it-'));
  const ctx = await chromium.launchPersistentContext(udd, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    viewport: { width: 1400, height: 900 },
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  const page = ctx.pages()[0] || (await ctx.newPage());
  let done;
  const exited = new Promise((r) => (done = r));
  const lines = [];
  await page.exposeFunction('codeAutomationLog', (type, args) => {
    const line = util.format(...(args || []));
    lines.push(line);
    console.log(`[exthost ${type}] ${line}`);
  });
  await page.exposeFunction('codeAutomationExit', (code) => done(code));
  await page.goto(url);
  const timer = setTimeout(() => done('timeout'), Number(process.env.IT_TIMEOUT_MS || 300000));
  const code = await exited;
  clearTimeout(timer);
  if (LOG) fs.writeFileSync(LOG, lines.join('\n') + '\n');
  console.log(
    `extension-host tests finished: exit code ${code} in ${((Date.now() - t0) / 1000).toFixed(1)}s`,
  );
  await ctx.close();
  // the workbench also exits with 0 when the connection to the server breaks mid-suite: success needs mocha's
  // own final line
  if (code === 0 && !lines.some((l) => /mocha done, failures=0/.test(l))) {
    console.log('extension-host tests: the suite did not run to its end (no "mocha done" line)');
    process.exit(1);
  }
  process.exit(code === 0 ? 0 : 1);
})().catch((e) => {
  console.error(e);
  process.exit(2);
});
