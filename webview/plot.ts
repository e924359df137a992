// The Pareto plot (chart.js): every evaluated architecture coloured by niche, the run's global front as a line,
// the benchmark's true front as a dashed overlay; axis choice (cost metric; predicted or true accuracy);
// click a point to open its spec. Built for 15,625 points: no animation, parsing off, in-place appends.

import {
  Chart,
  Legend,
  LinearScale,
  LogarithmicScale,
  LineController,
  LineElement,
  PointElement,
  ScatterController,
  Tooltip,
  type ChartDataset,
} from 'chart.js';
import zoomPlugin from 'chartjs-plugin-zoom';
import type { OverlayRun, PlotPoint, TrueFront } from '../src/protocol.js';
import { cssVar, fmt, nicheColour } from './dom.js';
import { firstOfEachId, frontStyle, metricLabel } from './format.js';

Chart.register(
  ScatterController,
  LineController,
  PointElement,
  LineElement,
  LinearScale,
  LogarithmicScale,
  Tooltip,
  Legend,
  zoomPlugin,
);

const FRONT = 'Global front';
const PINNED = 'Pinned';

export type YAxis = 'predicted' | 'truth';

/**
 * With `parsing: false` chart.js treats every dataset as sorted by x: it takes the x range from the first and
 * last points and finds hovered/clicked points by binary search. So every dataset is kept sorted by x.
 */
const byX = (a: { x: number }, b: { x: number }): number => a.x - b.x;

interface XY {
  x: number;
  y: number;
  p?: PlotPoint;
  /** An overlaid run's point: "<run>: <id>" (no spec of the shown run to open). */
  tag?: string;
}

/** Colours of overlaid runs' fronts (VS Code's chart colours, distinct from the niches' hues by marker). */
const OVERLAY_COLOURS: [string, string][] = [
  ['--vscode-charts-purple', '#b180d7'],
  ['--vscode-charts-orange', '#d18616'],
  ['--vscode-charts-blue', '#3794ff'],
  ['--vscode-charts-red', '#f14c4c'],
];

export class ParetoPlot {
  private readonly chart: Chart<'scatter', XY[]>;
  private points: PlotPoint[] = [];
  private front = new Set<string>();
  private trueFronts: TrueFront[] = [];
  private niches: string[] = [];
  xMetric = 0;
  y: YAxis = 'predicted';
  costMetrics: string[] = [];
  costUnits: string[] = [];
  predictor = '';
  logX = false;
  /** Niches the filter hides. */
  hidden = new Set<number>();
  private pinned = new Set<string>();
  /** Other runs' fronts drawn over this run's (one legend entry each). */
  private overlays: OverlayRun[] = [];

  constructor(
    canvas: HTMLCanvasElement,
    private readonly onOpen: (p: PlotPoint) => void,
    private readonly onPin: (ids: string[]) => void = () => {},
  ) {
    this.chart = new Chart(canvas, {
      type: 'scatter',
      data: { datasets: [] },
      options: {
        animation: false,
        parsing: false,
        responsive: true,
        maintainAspectRatio: false,
        events: ['click', 'mousemove', 'mouseout'],
        interaction: { mode: 'nearest', intersect: true },
        plugins: {
          legend: { position: 'bottom', labels: { boxWidth: 10, usePointStyle: true } },
          tooltip: {
            // a front (or pinned) point is drawn twice (its niche and the front): describe it once
            filter: (item, _i, items) => firstOfEachId(items, (x) => (x.raw as XY).p?.id).includes(item),
            callbacks: {
              label: (ctx) => {
                const raw = ctx.raw as XY;
                const p = raw.p;
                if (!p) return `${raw.tag ?? ctx.dataset.label}: ${fmt(raw.x)}, ${fmt(raw.y, 2)}`;
                return [
                  `${p.id} (niche N${p.niche}, generation ${p.generation})${this.front.has(p.id) ? ' — on the front' : ''}${this.pinned.has(p.id) ? ' — pinned' : ''}`,
                  p.arch,
                  `proxy score ${fmt(p.predicted)}${p.truth !== undefined ? ` · test accuracy ${fmt(p.truth, 2)} %` : ''}`,
                  this.costMetrics
                    .map((m, i) => `${metricLabel(m, this.costUnits[i])} ${fmt(p.hw[i])}`)
                    .join(' · '),
                  ...(p.rationale ? wrap(`${p.operator ? `${p.operator}: ` : ''}${p.rationale}`, 70, 3) : []),
                ];
              },
            },
          },
          zoom: {
            zoom: {
              wheel: { enabled: true },
              drag: { enabled: true, modifierKey: 'shift' },
              pinch: { enabled: true },
              mode: 'xy',
            },
            pan: { enabled: true, mode: 'xy' },
          },
        },
        scales: {
          x: { type: 'linear', title: { display: true, text: '' } },
          y: { type: 'linear', title: { display: true, text: '' } },
        },
        onClick: (e, elements) => {
          const el = elements[0];
          if (!el) return;
          const raw = this.chart.data.datasets[el.datasetIndex]?.data[el.index];
          if (!raw?.p) return;
          if ((e.native as MouseEvent | null)?.altKey) this.togglePin(raw.p.id);
          else this.onOpen(raw.p);
        },
        onHover: (e, elements) => {
          const t = e.native?.target as HTMLElement | undefined;
          if (t)
            t.style.cursor = elements.some((x) => this.chart.data.datasets[x.datasetIndex]?.data[x.index]?.p)
              ? 'pointer'
              : 'default';
        },
      },
    });
    this.applyTheme();
  }

  private xy(p: PlotPoint): XY | undefined {
    const x = p.hw[this.xMetric];
    const y = this.y === 'truth' ? p.truth : p.predicted;
    if (x === undefined || y === undefined || !Number.isFinite(x) || !Number.isFinite(y)) return undefined;
    return { x, y, p };
  }

  /** Replaces the overlaid fronts; `redraw: false` when a snapshot redraws next anyway. */
  setOverlays(runs: OverlayRun[], redraw = true): void {
    this.overlays = runs;
    if (redraw) this.rebuild();
  }

  get overlayCount(): number {
    return this.overlays.length;
  }

  togglePin(id: string): void {
    if (this.pinned.has(id)) this.pinned.delete(id);
    else this.pinned.add(id);
    this.rebuild();
    this.onPin([...this.pinned]);
  }

  setPinned(ids: string[]): void {
    this.pinned = new Set(ids);
    if (this.chart.data.datasets.length) this.rebuild();
  }

  get pinnedCount(): number {
    return this.points.filter((p) => this.pinned.has(p.id)).length;
  }

  resetZoom(): void {
    (this.chart as unknown as { resetZoom(): void }).resetZoom();
  }

  /** Replaces everything (snapshot). Returns the time spent updating the chart, in ms. */
  setAll(
    points: PlotPoint[],
    front: string[],
    trueFronts: TrueFront[],
    niches: string[],
    costMetrics: string[],
    predictor: string,
    costUnits: string[] = [],
  ): number {
    const t0 = performance.now();
    this.points = points.slice();
    this.front = new Set(front);
    this.trueFronts = trueFronts;
    this.niches = niches;
    this.costMetrics = costMetrics;
    this.costUnits = costUnits;
    this.predictor = predictor;
    if (this.xMetric >= costMetrics.length) this.xMetric = 0;
    this.rebuild();
    return performance.now() - t0;
  }

  /** Appends new points in place and refreshes the front line. Returns the update time in ms. */
  append(points: PlotPoint[], front: string[]): number {
    const t0 = performance.now();
    for (const p of points) this.points.push(p);
    this.front = new Set(front);
    const maxNiche = points.reduce((m, p) => Math.max(m, p.niche), -1);
    if (maxNiche >= this.niches.length) {
      for (let i = this.niches.length; i <= maxNiche; i++) this.niches.push(`N${i}`);
      this.rebuild();
      return performance.now() - t0;
    }
    const ds = this.chart.data.datasets;
    const touched = new Set<number>();
    for (const p of points) {
      const xy = this.xy(p);
      if (xy && !this.hidden.has(p.niche)) {
        ds[p.niche]!.data.push(xy);
        touched.add(p.niche);
      }
    }
    for (const i of touched) ds[i]!.data.sort(byX);
    const fi = ds.findIndex((d) => d.label?.startsWith(FRONT));
    if (fi >= 0) ds[fi]!.data = this.frontLine();
    this.chart.update('none');
    const ms = performance.now() - t0;
    this.publishHotspots();
    return ms;
  }

  private frontLine(): XY[] {
    // the front in the chosen axes: front members sorted by the x metric
    return this.points
      .filter((p) => this.front.has(p.id) && !this.hidden.has(p.niche))
      .map((p) => this.xy(p))
      .filter((v): v is XY => !!v)
      .sort((a, b) => a.x - b.x);
  }

  hasTruth(): boolean {
    return this.points.some((p) => p.truth !== undefined);
  }

  rebuild(): void {
    const byNiche: XY[][] = this.niches.map(() => []);
    for (const p of this.points) {
      while (byNiche.length <= p.niche) byNiche.push([]);
      if (this.hidden.has(p.niche)) continue;
      const xy = this.xy(p);
      if (!xy) continue;
      byNiche[p.niche]!.push(xy);
    }
    for (const d of byNiche) d.sort(byX);
    const fg = cssVar('--vscode-foreground', '#cccccc');
    const datasets: ChartDataset<'scatter', XY[]>[] = byNiche.map((data, i) => ({
      label: this.niches[i] ?? `N${i}`,
      data,
      pointRadius: 2.5,
      pointHoverRadius: 5,
      borderWidth: 0,
      backgroundColor: nicheColour(i),
    }));
    // The front is chosen on predicted accuracy: a line through it only makes sense on that axis. Against the
    // benchmark's true accuracy the same members are not a front (they zig-zag), so they are drawn as markers.
    const style = frontStyle(this.y);
    datasets.push({
      label: style.label,
      data: this.frontLine(),
      showLine: style.showLine,
      borderColor: fg,
      backgroundColor: fg,
      borderWidth: 2,
      pointRadius: 4,
      pointHoverRadius: 6,
      pointStyle: 'rectRot',
    });
    const pinned = this.points
      .filter((p) => this.pinned.has(p.id) && !this.hidden.has(p.niche))
      .map((p) => this.xy(p))
      .filter((v): v is XY => !!v)
      .sort(byX);
    if (pinned.length)
      datasets.push({
        label: PINNED,
        data: pinned,
        pointRadius: 7,
        pointHoverRadius: 9,
        pointStyle: 'star',
        borderWidth: 2,
        borderColor: cssVar('--vscode-charts-yellow', '#cca700'),
        backgroundColor: cssVar('--vscode-charts-yellow', '#cca700'),
      });
    const tf = this.trueFronts.find((f) => f.metric === this.costMetrics[this.xMetric]);
    if (tf && this.y === 'truth')
      datasets.push({
        label: 'True front (benchmark)',
        data: tf.points.map(([x, y]) => ({ x, y })),
        showLine: true,
        borderColor: cssVar('--vscode-charts-green', '#89d185'),
        backgroundColor: 'transparent',
        borderDash: [6, 4],
        borderWidth: 1.5,
        pointRadius: 0,
        pointHitRadius: 0,
      });
    this.overlays.forEach((o, i) => {
      const [v, dflt] = OVERLAY_COLOURS[i % OVERLAY_COLOURS.length]!;
      const c = cssVar(v, dflt);
      const data = o.front
        .map((f): XY | undefined => {
          const x = f.hw[this.xMetric];
          const y = this.y === 'truth' ? f.truth : f.predicted;
          return x === undefined || y === undefined ? undefined : { x, y, tag: `${o.name}: ${f.id}` };
        })
        .filter((v): v is XY => !!v)
        .sort(byX);
      datasets.push({
        label: `Front of ${o.name}`,
        data,
        showLine: style.showLine,
        borderColor: c,
        backgroundColor: c,
        borderDash: [4, 3],
        borderWidth: 1.5,
        pointRadius: 4,
        pointHoverRadius: 6,
        pointStyle: 'triangle',
      });
    });
    this.chart.data.datasets = datasets;
    const xs = this.chart.options.scales!['x']!;
    const ys = this.chart.options.scales!['y']!;
    const m = this.costMetrics[this.xMetric];
    (xs as { title: { text: string } }).title.text = m
      ? `${metricLabel(m, this.costUnits[this.xMetric])}${this.logX ? ', log scale' : ''}`
      : 'cost';
    (xs as { type: string }).type = this.logX ? 'logarithmic' : 'linear';
    (ys as { title: { text: string } }).title.text =
      this.y === 'truth'
        ? 'test accuracy (%, benchmark ground truth)'
        : `predicted accuracy: proxy score (${this.predictor})`;
    this.applyTheme();
    this.chart.update('none');
    this.publishHotspots();
  }

  /**
   * Pixel positions of the front's points on the canvas, as a data attribute: lets a test (or an assistive
   * script) aim a click at a real point without reaching into chart.js.
   */
  private publishHotspots(): void {
    const xs = this.chart.scales['x'];
    const ys = this.chart.scales['y'];
    if (!xs || !ys) return;
    const spots = this.frontLine()
      .slice(0, 20)
      .map((p) => ({
        id: p.p?.id,
        x: Math.round(xs.getPixelForValue(p.x)),
        y: Math.round(ys.getPixelForValue(p.y)),
      }));
    this.chart.canvas.dataset['hotspots'] = JSON.stringify(spots);
  }

  /** Re-reads VS Code's theme colours (called when the theme changes). */
  applyTheme(): void {
    const fg = cssVar('--vscode-foreground', '#cccccc');
    const grid = cssVar('--vscode-editorWidget-border', 'rgba(128,128,128,0.25)');
    const o = this.chart.options;
    Chart.defaults.font.family = cssVar('--vscode-font-family', 'sans-serif');
    Chart.defaults.color = fg;
    for (const k of ['x', 'y']) {
      const s = o.scales![k] as {
        ticks?: { color?: string };
        grid?: { color?: string };
        title?: { color?: string };
      };
      s.ticks = { ...(s.ticks ?? {}), color: fg };
      s.grid = { ...(s.grid ?? {}), color: grid };
      s.title = { ...(s.title ?? {}), color: fg };
    }
    const fi = this.chart.data.datasets.findIndex((d) => d.label?.startsWith(FRONT));
    if (fi >= 0) {
      this.chart.data.datasets[fi]!.borderColor = fg;
      this.chart.data.datasets[fi]!.backgroundColor = fg;
    }
    this.chart.update('none');
  }

  get size(): number {
    return this.points.length;
  }
}

/** HV ratio and IGD per generation (two y axes). */
export class HistoryChart {
  private readonly chart: Chart<'line', { x: number; y: number }[]>;

  constructor(canvas: HTMLCanvasElement) {
    this.chart = new Chart(canvas, {
      type: 'line',
      data: { datasets: [] },
      options: {
        animation: false,
        parsing: false,
        responsive: true,
        maintainAspectRatio: false,
        plugins: { legend: { position: 'bottom' } },
        scales: {
          x: { type: 'linear', title: { display: true, text: 'generation' }, ticks: { stepSize: 1 } },
          hv: {
            type: 'linear',
            position: 'left',
            title: { display: true, text: 'HV ratio' },
            suggestedMin: 0,
            suggestedMax: 1,
          },
          igd: {
            type: 'linear',
            position: 'right',
            title: { display: true, text: 'IGD' },
            grid: { drawOnChartArea: false },
          },
        },
      },
    });
  }

  set(rows: { generation: number; hvRatio?: number; igd?: number }[]): void {
    const fg = cssVar('--vscode-foreground', '#cccccc');
    this.chart.data.datasets = [
      {
        label: 'HV ratio',
        data: rows.filter((r) => r.hvRatio !== undefined).map((r) => ({ x: r.generation, y: r.hvRatio! })),
        yAxisID: 'hv',
        borderColor: cssVar('--vscode-charts-blue', '#3794ff'),
        backgroundColor: cssVar('--vscode-charts-blue', '#3794ff'),
      },
      {
        label: 'IGD',
        data: rows.filter((r) => r.igd !== undefined).map((r) => ({ x: r.generation, y: r.igd! })),
        yAxisID: 'igd',
        borderColor: cssVar('--vscode-charts-orange', '#d18616'),
        backgroundColor: cssVar('--vscode-charts-orange', '#d18616'),
      },
    ];
    for (const k of ['x', 'hv', 'igd']) {
      const s = this.chart.options.scales![k] as { ticks?: { color?: string }; title?: { color?: string } };
      s.ticks = { ...(s.ticks ?? {}), color: fg };
      s.title = { ...(s.title ?? {}), color: fg };
    }
    this.chart.update('none');
  }
}

/** Up to `lines` lines of at most `width` characters (the tooltip draws text; long rationales are cut with …). */
export function wrap(text: string, width: number, lines: number): string[] {
  const out: string[] = [];
  let line = '';
  for (const word of text.replace(/\s+/g, ' ').trim().split(' ')) {
    if (line && line.length + 1 + word.length > width) {
      out.push(line);
      line = '';
      if (out.length === lines) break;
    }
    line = line ? `${line} ${word}` : word;
  }
  if (out.length < lines && line) out.push(line);
  else if (out.length === lines) out[lines - 1] = `${out[lines - 1]!.slice(0, width - 1)}…`;
  return out;
}
