#!/usr/bin/env node
// A training-style evaluator for the SLURM recipe (docs/slurm.md): reads one candidate's request as JSON on
// stdin, trains a small network shaped by the candidate for a fixed number of epochs on a synthetic task (a disc inside a ring) (CPU,
// deterministic: the same candidate always gets the same accuracy), and prints its metrics as the last JSON line
// of stdout. Progress goes to stderr (kept as the job's stderr tail). Replace train() with your own training.
//
//   node examples/evaluators/slurm-train.mjs [--epochs 5] < request.json
//
// The request: {"format":"llm-nas-eval-request-v1","id","space","dataset","arch","spec","features","metrics",
// "attempt"}; under SLURM the spec is also in the file $LLM_NAS_SPEC and the job is $LLM_NAS_JOB.
// Exit 0 = trained; exit 2 = this candidate cannot be trained (not retried).

const argv = process.argv.slice(2);
const epochs = Number(argv[argv.indexOf('--epochs') + 1] || process.env.EPOCHS || 5);

let input = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (d) => (input += d));
process.stdin.on('end', () => {
  const req = JSON.parse(input);
  const slots = req.spec?.slots ?? {};
  const f = req.features ?? {};
  // the candidate's shape: hidden units from its width, layers from its depth (any space: fall back to features)
  const hidden = Math.max(2, Math.round(Number(slots.width ?? 16) / 4));
  const layers = Math.max(1, Math.min(3, Math.round(Number(slots.depth ?? 2) / 2)));
  const act = slots.act === 'relu' ? (x) => Math.max(0, x) : Math.tanh;
  const dact = slots.act === 'relu' ? (y) => (y > 0 ? 1 : 0) : (y) => 1 - y * y;
  const { accuracy, loss } = train({ hidden, layers, act, dact, epochs, seed: 7 });
  const metrics = {};
  for (const m of req.metrics ?? []) {
    const macs = Number(f.macs_m ?? hidden * hidden * layers * 1e-3);
    metrics[m] = m.endsWith('_energy') ? 0.02 * macs : 1 + 0.06 * macs; // an analytical cost: deterministic
  }
  process.stderr.write(
    `${req.id}: ${epochs} epochs, final loss ${loss.toFixed(4)}, accuracy ${accuracy.toFixed(2)} %\n`,
  );
  process.stdout.write(JSON.stringify({ accuracy, metrics, proxies: { final_loss: loss } }) + '\n');
});

/** A seeded generator (mulberry32), so training is the same on every node. */
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A disc inside a ring, 2-D, two classes, with label noise. */
function rings(n, r) {
  const xs = [];
  const ys = [];
  for (let i = 0; i < n; i++) {
    const x = [r() * 2 - 1, r() * 2 - 1];
    xs.push(x);
    ys.push(Math.hypot(x[0], x[1]) < 0.6 !== r() < 0.05 ? 1 : 0);
  }
  return { xs, ys };
}

/** A plain MLP trained by SGD on the spirals; accuracy (%) on a held-out split. */
function train({ hidden, layers, act, dact, epochs, seed }) {
  const r = rng(seed);
  const data = rings(600, r);
  const sizes = [2, ...Array(layers).fill(hidden), 1];
  const W = [];
  const B = [];
  for (let l = 0; l + 1 < sizes.length; l++) {
    W.push(
      Array.from({ length: sizes[l + 1] }, () =>
        Array.from({ length: sizes[l] }, () => (r() * 2 - 1) / Math.sqrt(sizes[l])),
      ),
    );
    B.push(Array(sizes[l + 1]).fill(0));
  }
  const forward = (x) => {
    const hs = [x];
    for (let l = 0; l < W.length; l++) {
      const h = W[l].map((w, j) => w.reduce((s, v, i) => s + v * hs[l][i], B[l][j]));
      hs.push(l + 1 < W.length ? h.map(act) : h.map((z) => 1 / (1 + Math.exp(-z))));
    }
    return hs;
  };
  const nTrain = 480;
  const lr = 0.1;
  let loss = 0;
  for (let e = 0; e < epochs; e++) {
    loss = 0;
    for (let k = 0; k < nTrain; k++) {
      const hs = forward(data.xs[k]);
      const p = hs[hs.length - 1][0];
      const y = data.ys[k];
      loss += -(y * Math.log(p + 1e-9) + (1 - y) * Math.log(1 - p + 1e-9));
      let delta = [p - y];
      for (let l = W.length - 1; l >= 0; l--) {
        const prev = hs[l];
        const back = Array(prev.length).fill(0);
        for (let j = 0; j < W[l].length; j++) {
          for (let i = 0; i < prev.length; i++) {
            back[i] += W[l][j][i] * delta[j];
            W[l][j][i] -= lr * delta[j] * prev[i];
          }
          B[l][j] -= lr * delta[j];
        }
        if (l > 0) delta = back.map((g, i) => g * dact(prev[i]));
      }
    }
    loss /= nTrain;
    process.stderr.write(`epoch ${e + 1}/${epochs}: loss ${loss.toFixed(4)}\n`);
  }
  let correct = 0;
  for (let k = nTrain; k < data.xs.length; k++) {
    const hs = forward(data.xs[k]);
    if (hs[hs.length - 1][0] > 0.5 === (data.ys[k] === 1)) correct++;
  }
  return { accuracy: (100 * correct) / (data.xs.length - nTrain), loss };
}
