#!/usr/bin/env node
// A local external evaluator, runnable anywhere (CI runs it): reads one candidate as JSON on stdin, "measures" it
// and prints its metrics as JSON on stdout. Replace the body of measure() with a real measurement: run the
// model on your phone over adb, on a board over ssh, or train it for a few epochs.
//
// Contract (docs/spaces.md): stdin = {"format":"llm-nas-eval-request-v1","space","dataset","id","arch","spec",
// "features","metrics":[...],"attempt"}; stdout (last JSON line) = {"accuracy": number, "metrics": {name: number}}.
// Exit 0 = measured; exit 2 = this candidate cannot be measured (no retry); any other failure is retried.
// Progress and diagnostics go to stderr (they appear in the extension's log).

let input = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (d) => (input += d));
process.stdin.on('end', () => {
  const req = JSON.parse(input);
  process.stderr.write(`measuring ${req.id} (attempt ${req.attempt})\n`);
  const f = req.features ?? {};
  // A toy model standing in for a measurement: accuracy saturates with capacity; latency grows with MACs.
  const params = f.params_k ?? 1;
  const macs = f.macs_m ?? 1;
  const accuracy = 95 - 40 * Math.exp(-params / 40) - (req.spec?.slots?.act === 'relu' ? 0.8 : 0);
  const metrics = {};
  for (const m of req.metrics) metrics[m] = m.endsWith('_energy') ? 0.02 * macs : 1 + 0.06 * macs;
  process.stdout.write(JSON.stringify({ accuracy, metrics }) + '\n');
});
