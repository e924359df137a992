// The knowledge-base history's line diff (webview/linediff.ts): minimal on small texts, and bounded — two
// 6,000-line texts (1.8 s and 409 MB with the plain O(n·m) table) take milliseconds.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { lineDiff, MAX_LCS_CELLS, type DiffLine } from '../../webview/linediff';

const sides = (d: DiffLine[]): [string, string] => [
  d
    .filter((l) => l.op !== '+')
    .map((l) => l.line)
    .join('\n'),
  d
    .filter((l) => l.op !== '-')
    .map((l) => l.line)
    .join('\n'),
];
const lines = (n: number, tag: string): string =>
  Array.from({ length: n }, (_, i) => `${tag} rule ${i}`).join('\n');

test('small texts: the minimal diff', () => {
  assert.deepEqual(lineDiff('a\nb\nc', 'a\nx\nc'), [
    { op: ' ', line: 'a' },
    { op: '-', line: 'b' },
    { op: '+', line: 'x' },
    { op: ' ', line: 'c' },
  ]);
  const d = lineDiff('k\na\nb\nc\nd\nz', 'k\nb\nc\ne\nd\nz');
  assert.deepEqual(
    d.map((l) => l.op + l.line),
    [' k', '-a', ' b', ' c', '+e', ' d', ' z'],
  );
  assert.deepEqual(lineDiff('', ''), [{ op: ' ', line: '' }]);
});

test('two 6,000-line texts: bounded time, and the diff still rebuilds both sides', () => {
  const cases: [string, string, string][] = [
    ['all different', lines(6000, 'old'), lines(6000, 'new')],
    [
      'every 10th line changed',
      lines(6000, 'same'),
      lines(6000, 'same')
        .split('\n')
        .map((l, i) => (i % 10 === 0 ? l + ' (edited)' : l))
        .join('\n'),
    ],
    ['one line changed', lines(6000, 'same'), lines(6000, 'same').replace('same rule 3000\n', 'other\n')],
    [
      '1,500 lines changed in the middle',
      lines(6000, 'same'),
      lines(2000, 'same') +
        '\n' +
        lines(1500, 'mid') +
        '\n' +
        lines(6000, 'same').split('\n').slice(3500).join('\n'),
    ],
  ];
  for (const [what, a, b] of cases) {
    const t0 = performance.now();
    const d = lineDiff(a, b);
    const ms = performance.now() - t0;
    assert.ok(ms < 1000, `${what}: ${ms.toFixed(0)} ms`);
    assert.deepEqual(sides(d), [a, b], what);
  }
  // one changed line in 6,000: only that line is marked
  const d = lineDiff(cases[2]![1], cases[2]![2]);
  assert.deepEqual(
    d.filter((l) => l.op !== ' ').map((l) => l.op + l.line),
    ['-same rule 3000', '+other'],
  );
  assert.ok(6000 * 6000 > MAX_LCS_CELLS, 'the all-different case is above the LCS bound');
});

test('edge cases: identical texts, one side empty, a trailing newline, above the LCS bound', () => {
  const ops = (a: string, b: string): string[] => lineDiff(a, b).map((l) => l.op + l.line);
  assert.deepEqual(ops('a\nb', 'a\nb'), [' a', ' b']);
  assert.deepEqual(ops('', 'a\nb'), ['-', '+a', '+b'], 'the empty text is one empty line');
  assert.deepEqual(ops('a\nb', ''), ['-a', '-b', '+']);
  assert.deepEqual(ops('a\nb', 'a\nb\n'), [' a', ' b', '+']);
  assert.deepEqual(ops('x\na\ny', 'x\nb\ny'), [' x', '-a', '+b', ' y'], 'common prefix and suffix kept');
  // a middle of n·m > MAX_LCS_CELLS: one removed block, then one added block, prefix and suffix still matched
  const n = Math.ceil(Math.sqrt(MAX_LCS_CELLS)) + 1;
  const a = ['head', ...lines(n, 'old').split('\n'), 'tail'].join('\n');
  const b = ['head', ...lines(n, 'new').split('\n'), 'tail'].join('\n');
  const d = lineDiff(a, b);
  assert.equal(d[0]!.op + d[0]!.line, ' head');
  assert.equal(d.at(-1)!.op + d.at(-1)!.line, ' tail');
  const mid = d.slice(1, -1).map((l) => l.op);
  assert.deepEqual(mid, [...Array<string>(n).fill('-'), ...Array<string>(n).fill('+')]);
  assert.deepEqual(sides(d), [a, b]);
});
