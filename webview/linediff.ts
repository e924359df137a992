// Line diff of two texts for the knowledge-base version history, bounded in time and memory: the common
// prefix and suffix are matched first, the middle by LCS while it is small (n·m ≤ MAX_LCS_CELLS), and above
// that as one removed block and one added block (linear; two 6,000-line texts that differ throughout would
// otherwise need a 36 M-cell table).

export type DiffLine = { op: ' ' | '+' | '-'; line: string };

export const MAX_LCS_CELLS = 4_000_000;

export function lineDiff(a: string, b: string): DiffLine[] {
  const x = a.split('\n');
  const y = b.split('\n');
  let pre = 0;
  while (pre < x.length && pre < y.length && x[pre] === y[pre]) pre++;
  let suf = 0;
  while (suf < x.length - pre && suf < y.length - pre && x[x.length - 1 - suf] === y[y.length - 1 - suf])
    suf++;
  const out: DiffLine[] = x.slice(0, pre).map((line) => ({ op: ' ', line }));
  const xs = x.slice(pre, x.length - suf);
  const ys = y.slice(pre, y.length - suf);
  const n = xs.length;
  const m = ys.length;
  if (n * m > MAX_LCS_CELLS) {
    for (const line of xs) out.push({ op: '-', line });
    for (const line of ys) out.push({ op: '+', line });
  } else {
    // LCS lengths in one flat typed array: (n+1)·(m+1) cells
    const w = m + 1;
    const L = new Uint32Array((n + 1) * w);
    for (let i = n - 1; i >= 0; i--)
      for (let j = m - 1; j >= 0; j--)
        L[i * w + j] =
          xs[i] === ys[j] ? L[(i + 1) * w + j + 1]! + 1 : Math.max(L[(i + 1) * w + j]!, L[i * w + j + 1]!);
    let i = 0;
    let j = 0;
    while (i < n && j < m) {
      if (xs[i] === ys[j]) {
        out.push({ op: ' ', line: xs[i]! });
        i++;
        j++;
      } else if (L[(i + 1) * w + j]! >= L[i * w + j + 1]!) out.push({ op: '-', line: xs[i++]! });
      else out.push({ op: '+', line: ys[j++]! });
    }
    while (i < n) out.push({ op: '-', line: xs[i++]! });
    while (j < m) out.push({ op: '+', line: ys[j++]! });
  }
  for (const line of x.slice(x.length - suf)) out.push({ op: ' ', line });
  return out;
}
