// The Pareto plot and the HV history of one or more runs as a standalone SVG (no DOM, no chart library), and
// the same picture as PNG through resvg (a prebuilt native renderer from npm). Left: every evaluated architecture
// (small dots) and the front (large dots joined by a staircase) in the plane (first cost metric, accuracy);
// right: the HV ratio after each generation — against the benchmark's true front where the space has one (the
// provider's scoreTruth), else against the union front of every plotted run's evaluations.

import { scoreFront } from '../metrics.js';
import { nonDominated } from '../pareto.js';
import { createRegistry } from '../compose.js';
import { CompareError, loadRunPoints, objectivesOf, type RunPoints } from './compare.js';

const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#17becf'];

const esc = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** About five round tick values covering [lo, hi]. */
export function niceTicks(lo: number, hi: number, n = 5): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / n;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw)!;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step)
    out.push(Number(v.toPrecision(12)));
  return out;
}

const fmt = (v: number): string => String(Number(v.toPrecision(3)));

export interface HvPoint {
  generation: number;
  hvRatio: number;
}

export interface PlotSeries {
  name: string;
  points: [number, number][];
  front: [number, number][];
  hv: HvPoint[];
}

export interface PlotData {
  title: string;
  xLabel: string;
  yLabel: string;
  hvLabel: string;
  series: PlotSeries[];
}

/** The plot's data from run folders (one task). */
export function plotData(dirs: readonly string[]): PlotData {
  const runs = dirs.map(loadRunPoints);
  const a = runs[0]!;
  for (const r of runs.slice(1))
    if (r.config.space !== a.config.space || r.config.dataset !== a.config.dataset)
      throw new CompareError(
        `${r.name} is not a run of ${a.config.space}/${a.config.dataset}: plot runs of one task`,
      );
  const cm = a.config.costMetrics;
  const accuracy = runs.every((r) => r.accuracy === 'true') ? 'true' : 'predicted';
  const provider = createRegistry().providerOf(a.config);
  const obj = (r: RunPoints): number[][] => r.specs.map((s) => objectivesOf(s, cm, accuracy));
  const allPts = runs.flatMap(obj);
  const unionFront = nonDominated(allPts).map((i) => allPts[i]!);
  const truthOf = (r: RunPoints) => provider.build(r.config).scoreTruth;
  const useTruth = runs.every((r) => truthOf(r) !== undefined);
  const yOf = (p: number[]): number => (accuracy === 'true' ? 100 - p[0]! : -p[0]!);
  const series = runs.map((r): PlotSeries => {
    const pts = obj(r);
    const fIdx = nonDominated(pts);
    const gens = [...new Set(r.specs.map((s) => s.generation))].sort((x, y) => x - y);
    const score = truthOf(r);
    const hv = gens.map((g) => {
      const upTo = r.specs.filter((s) => s.generation <= g);
      const hvRatio =
        useTruth && score
          ? score(upTo as unknown as Record<string, unknown>[]).hvRatio
          : scoreFront(
              unionFront,
              upTo.map((s) => objectivesOf(s, cm, accuracy)),
            ).hvRatio;
      return { generation: g, hvRatio };
    });
    return {
      name: r.name,
      points: pts.map((p) => [p[1]!, yOf(p)]),
      front: fIdx.map((i) => [pts[i]![1]!, yOf(pts[i]!)] as [number, number]).sort((p, q) => p[0] - q[0]),
      hv,
    };
  });
  return {
    title: `${a.config.space} / ${a.config.dataset} — ${runs.map((r) => r.name).join(' vs ')}`,
    xLabel: cm[0]!,
    yLabel:
      accuracy === 'true' ? 'test accuracy (%, benchmark)' : `predicted accuracy (${a.front.predictor.id})`,
    hvLabel: useTruth ? 'HV ratio (true front)' : 'HV ratio (union front)',
    series,
  };
}

interface Box {
  x: number;
  y: number;
  w: number;
  h: number;
}

function axes(
  box: Box,
  xr: [number, number],
  yr: [number, number],
  xLabel: string,
  yLabel: string,
  integerX = false,
): { sx: (v: number) => number; sy: (v: number) => number; svg: string[] } {
  const pad = (r: [number, number]): [number, number] => {
    const d = r[1] - r[0] || Math.abs(r[0]) || 1;
    return [r[0] - d * 0.05, r[1] + d * 0.05];
  };
  const [x0, x1] = pad(xr);
  const [y0, y1] = pad(yr);
  const sx = (v: number): number => box.x + ((v - x0) / (x1 - x0)) * box.w;
  const sy = (v: number): number => box.y + box.h - ((v - y0) / (y1 - y0)) * box.h;
  const svg: string[] = [
    `<rect x="${box.x}" y="${box.y}" width="${box.w}" height="${box.h}" fill="#ffffff" stroke="#444" stroke-width="1"/>`,
  ];
  for (const t of niceTicks(x0, x1).filter((v) => !integerX || Number.isInteger(v))) {
    const x = sx(t).toFixed(1);
    svg.push(
      `<line x1="${x}" y1="${box.y}" x2="${x}" y2="${box.y + box.h}" stroke="#e5e5e5"/>`,
      `<text x="${x}" y="${box.y + box.h + 16}" text-anchor="middle" font-size="11">${fmt(t)}</text>`,
    );
  }
  for (const t of niceTicks(y0, y1)) {
    const y = sy(t).toFixed(1);
    svg.push(
      `<line x1="${box.x}" y1="${y}" x2="${box.x + box.w}" y2="${y}" stroke="#e5e5e5"/>`,
      `<text x="${box.x - 6}" y="${y}" text-anchor="end" dominant-baseline="middle" font-size="11">${fmt(t)}</text>`,
    );
  }
  svg.push(
    `<text x="${box.x + box.w / 2}" y="${box.y + box.h + 36}" text-anchor="middle" font-size="12">${esc(xLabel)}</text>`,
    `<text transform="translate(${box.x - 46},${box.y + box.h / 2}) rotate(-90)" text-anchor="middle" font-size="12">${esc(yLabel)}</text>`,
  );
  return { sx, sy, svg };
}

const range = (vs: number[]): [number, number] => [Math.min(...vs), Math.max(...vs)];

export function plotSvg(d: PlotData): string {
  const W = 960;
  const H = 412 + 20 * d.series.length; // one legend line per run
  const left: Box = { x: 70, y: 50, w: 500, h: 320 };
  const right: Box = { x: 650, y: 50, w: 280, h: 320 };
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="DejaVu Sans, Arial, sans-serif">`,
    `<rect width="${W}" height="${H}" fill="#fafafa"/>`,
    `<text x="${W / 2}" y="26" text-anchor="middle" font-size="15" font-weight="bold">${esc(d.title)}</text>`,
  ];
  const xs = d.series.flatMap((s) => s.points.map((p) => p[0]));
  const ys = d.series.flatMap((s) => s.points.map((p) => p[1]));
  const A = axes(left, range(xs), range(ys), `${d.xLabel} (lower is better)`, d.yLabel);
  out.push(...A.svg);
  d.series.forEach((s, i) => {
    const c = COLORS[i % COLORS.length]!;
    for (const [x, y] of s.points)
      out.push(
        `<circle cx="${A.sx(x).toFixed(1)}" cy="${A.sy(y).toFixed(1)}" r="2" fill="${c}" fill-opacity="0.25"/>`,
      );
    // staircase: the front is what is attainable at each cost
    const path: string[] = [];
    s.front.forEach(([x, y], k) => {
      const px = A.sx(x).toFixed(1);
      const py = A.sy(y).toFixed(1);
      if (k === 0) path.push(`M${px},${py}`);
      else path.push(`H${px}`, `V${py}`);
    });
    if (path.length) out.push(`<path d="${path.join(' ')}" fill="none" stroke="${c}" stroke-width="1.5"/>`);
    for (const [x, y] of s.front)
      out.push(
        `<circle cx="${A.sx(x).toFixed(1)}" cy="${A.sy(y).toFixed(1)}" r="4" fill="${c}" stroke="#222" stroke-width="0.6"/>`,
      );
  });
  const gens = d.series.flatMap((s) => s.hv.map((h) => h.generation));
  const hvs = d.series.flatMap((s) => s.hv.map((h) => h.hvRatio));
  const B = axes(
    right,
    range(gens),
    [Math.min(0, ...hvs), Math.max(1, ...hvs)],
    'generation',
    d.hvLabel,
    true,
  );
  out.push(...B.svg);
  d.series.forEach((s, i) => {
    const c = COLORS[i % COLORS.length]!;
    const pts = s.hv.map((h) => `${B.sx(h.generation).toFixed(1)},${B.sy(h.hvRatio).toFixed(1)}`);
    out.push(`<polyline points="${pts.join(' ')}" fill="none" stroke="${c}" stroke-width="2"/>`);
    for (const p of pts) {
      const [x, y] = p.split(',');
      out.push(`<circle cx="${x}" cy="${y}" r="3" fill="${c}"/>`);
    }
  });
  // legend
  d.series.forEach((s, i) => {
    const c = COLORS[i % COLORS.length]!;
    const y = 420 + 20 * i;
    const x = 70;
    out.push(
      `<circle cx="${x}" cy="${y}" r="5" fill="${c}"/>`,
      `<text x="${x + 10}" y="${y}" dominant-baseline="middle" font-size="12">${esc(s.name)} (${s.front.length} non-dominated of ${s.points.length} evaluated)</text>`,
    );
  });
  out.push('</svg>');
  return out.join('\n') + '\n';
}

/** PNG bytes of an SVG (resvg, system fonts). */
export async function svgToPng(svg: string, width = 1920): Promise<Uint8Array> {
  const { Resvg } = await import('@resvg/resvg-js');
  const r = new Resvg(svg, {
    fitTo: { mode: 'width', value: width },
    background: '#fafafa',
    font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans' },
  });
  return r.render().asPng();
}
