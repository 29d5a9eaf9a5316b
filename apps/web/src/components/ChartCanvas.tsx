// Chart.js with only what the app draws registered (bar and line charts, category and linear
// scales, tooltip, legend): about 60 KB gzipped, loaded lazily by <Chart> so pages without charts
// never download it. A new chart kind registers its controller and elements here.
import { useEffect, useRef } from 'react';
import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
  type ChartConfiguration,
  type ChartDataset,
} from 'chart.js';
import { formatCount } from '../lib/format';
import type { ChartData } from './chart-types';

Chart.register(
  BarController,
  BarElement,
  CategoryScale,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
);

/** The app's palette (the same colours as --c1… in styles.css). */
const PALETTE = ['#1f7a5a', '#3b6fd1', '#c27c0e', '#8b4fc4', '#c2410c', '#0f766e'];

type AnyChart = Chart<'bar' | 'line', number[], string>;

function datasetsOf({ kind, series }: ChartData): Array<ChartDataset<'bar' | 'line', number[]>> {
  return series.map((s, i) => {
    const color = PALETTE[i % PALETTE.length] ?? '#1f7a5a';
    if (kind === 'bar') {
      // One series of bars (a funnel): a colour per bar reads better than one for all.
      const colors =
        series.length === 1 ? s.values.map((_, j) => PALETTE[j % PALETTE.length]) : color;
      return {
        type: 'bar',
        label: s.name,
        data: s.values,
        backgroundColor: colors,
        maxBarThickness: 56,
      };
    }
    return {
      type: 'line',
      label: s.name,
      data: s.values,
      borderColor: color,
      backgroundColor: color,
      pointRadius: s.values.length < 40 ? 2 : 0,
      borderWidth: 2,
      tension: 0,
    };
  });
}

function configOf(data: ChartData): ChartConfiguration<'bar' | 'line', number[], string> {
  return {
    type: data.kind,
    data: { labels: data.categories, datasets: datasetsOf(data) },
    options: {
      responsive: true,
      maintainAspectRatio: false,
      // Bars and lines move to new numbers, unless the reader asked for less motion.
      animation: matchMedia('(prefers-reduced-motion: reduce)').matches ? false : { duration: 400 },
      interaction: { mode: 'index', intersect: false },
      plugins: {
        legend: { display: data.series.length > 1, position: 'top', align: 'start' },
        tooltip: {
          callbacks: { label: (c) => `${c.dataset.label ?? ''}: ${formatCount(c.parsed.y)}` },
        },
      },
      scales: {
        x: { grid: { display: false }, ticks: { autoSkip: true, maxRotation: 0 } },
        y: {
          beginAtZero: true,
          ticks: { precision: 0, callback: (v) => formatCount(Number(v)) },
        },
      },
    },
  };
}

export default function ChartCanvas({ data, height }: { data: ChartData; height: number }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const chart = useRef<AnyChart | null>(null);

  useEffect(() => {
    const el = canvas.current;
    if (!el) {
      return;
    }
    if (chart.current) {
      // New numbers on the same chart: bars and lines move to them (animated), no redraw from zero.
      chart.current.data.labels = data.categories;
      chart.current.data.datasets = datasetsOf(data);
      chart.current.update();
      return;
    }
    chart.current = new Chart(el, configOf(data));
  }, [data]);

  useEffect(
    () => () => {
      chart.current?.destroy();
      chart.current = null;
    },
    [],
  );

  return (
    <div className="chart-canvas" style={{ height }}>
      <canvas ref={canvas} role="img" aria-label="Chart; its numbers are in the table below" />
    </div>
  );
}
