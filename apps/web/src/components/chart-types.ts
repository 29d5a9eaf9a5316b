/** One line or one set of bars of a chart. */
export interface ChartSeries {
  name: string;
  values: number[];
}

/** What every chart of the app draws: categories along x, one or more series of counts. */
export interface ChartData {
  kind: 'bar' | 'line';
  categories: string[];
  series: ChartSeries[];
}
