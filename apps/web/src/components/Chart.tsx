import { lazy, Suspense } from 'react';
import { formatCount } from '../lib/format';
import type { ChartData } from './chart-types';

// Fetched as soon as a page with charts loads, in parallel with that page's data.
const canvasModule = import('./ChartCanvas');
const ChartCanvas = lazy(() => canvasModule);

/**
 * A titled chart with its numbers as a table beside it (for screen readers, keyboard users and
 * anyone who wants the exact figures: "Show data"). The drawing library loads on first use.
 */
export function Chart({
  title,
  data,
  height = 260,
}: {
  title: string;
  data: ChartData;
  height?: number;
}) {
  return (
    <figure className="chart">
      <figcaption>{title}</figcaption>
      <Suspense fallback={<div className="chart-canvas" style={{ height }} aria-busy="true" />}>
        <ChartCanvas data={data} height={height} />
      </Suspense>
      <details>
        <summary>Show data</summary>
        <div className="table-wrap">
          <table aria-label={`${title} data`}>
            <thead>
              <tr>
                <th scope="col" />
                {data.series.map((s) => (
                  <th key={s.name} scope="col" className="num">
                    {s.name}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {data.categories.map((c, i) => (
                <tr key={i}>
                  <th scope="row">{c}</th>
                  {data.series.map((s) => (
                    <td key={s.name} className="num" data-value={s.values[i] ?? 0}>
                      {formatCount(s.values[i] ?? 0)}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </details>
    </figure>
  );
}
