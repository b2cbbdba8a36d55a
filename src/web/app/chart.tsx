// Bar charts drawn with uPlot (canvas), with the figures also in a table for screen readers.
import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

export interface Bars {
  /** Unix seconds of each bar (start of the month or day). */
  x: number[];
  y: number[];
  label: string;
  /** How the x value reads on the axis and in the hover legend. */
  xLabel: (seconds: number) => string;
  /** What one bar stands for, for the legend ("Month", "Day"). */
  xName: string;
  /** Seconds one bar spans, so the first and last bars are not cut in half. */
  step: number;
  /** Ticks at the bars themselves (months): uPlot's own time ticks fall between months and repeat their names. */
  tickEachBar?: boolean;
}

export function BarChart({ bars, title, height = 240 }: { bars: Bars; title: string; height?: number }) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const bar = uPlot.paths.bars?.({ size: [0.7, 60] });
    const plot = new uPlot(
      {
        width: Math.max(280, el.clientWidth),
        height,
        title: undefined,
        cursor: { drag: { x: false, y: false } },
        legend: { show: true },
        scales: { x: { time: true, range: (_u, min, max) => [min - bars.step / 2, max + bars.step / 2] }, y: { range: (_u, _min, max) => [0, Math.max(10, max * 1.1)] } },
        axes: [
          { values: (_u, splits) => splits.map((s) => bars.xLabel(s)), space: 70, ...(bars.tickEachBar ? { splits: () => bars.x } : {}) },
          { size: 70, values: (_u, splits) => splits.map((s) => s.toLocaleString('en-US')) },
        ],
        series: [
          { label: bars.xName, value: (_u, v) => (v == null ? '—' : bars.xLabel(v)) },
          { label: bars.label, fill: 'rgba(46, 125, 77, 0.75)', stroke: '#1f5f3a', paths: bar, points: { show: false },
            value: (_u, v) => (v == null ? '—' : v.toLocaleString('en-US')) },
        ],
      },
      [bars.x, bars.y],
      el,
    );
    const resize = new ResizeObserver(() => plot.setSize({ width: Math.max(280, el.clientWidth), height }));
    resize.observe(el);
    return () => {
      resize.disconnect();
      plot.destroy();
    };
  }, [bars, height]);
  return (
    <figure class="chart">
      <div ref={box} class="chart-box" role="img" aria-label={title} data-testid="chart" data-first={bars.x.length > 0 ? new Date(bars.x[0] * 1000).toISOString().slice(0, 10) : undefined} />
      <figcaption class="visually-hidden">
        <table>
          <caption>{title}</caption>
          <tbody>
            {bars.x.map((x, i) => (
              <tr key={x}><th scope="row">{bars.xLabel(x)}</th><td>{bars.y[i]}</td></tr>
            ))}
          </tbody>
        </table>
      </figcaption>
    </figure>
  );
}
