import { describe, expect, it } from '@jest/globals';
import { fillHours, funnelChart, hourlyChart } from './report-series';

const at = (h: number) => new Date(Date.UTC(2026, 2, 31, h)).toISOString();

describe('campaign report series', () => {
  it('fills the quiet hours between the first and the last one with zeros', () => {
    const filled = fillHours([
      { hour: at(9), delivered: 5, read: 0, clicked: 0 },
      { hour: at(12), delivered: 0, read: 3, clicked: 1 },
    ]);
    expect(filled.map((h) => [h.hour, h.delivered, h.read])).toEqual([
      [at(9), 5, 0],
      [at(10), 0, 0],
      [at(11), 0, 0],
      [at(12), 0, 3],
    ]);
    expect(fillHours([])).toEqual([]);
  });

  it('leaves a series spanning months as it is rather than drawing thousands of empty hours', () => {
    const points = [
      { hour: at(0), delivered: 1, read: 0, clicked: 0 },
      { hour: new Date(Date.UTC(2026, 5, 30)).toISOString(), delivered: 0, read: 1, clicked: 0 },
    ];
    expect(fillHours(points)).toHaveLength(2);
  });

  it('draws the funnel in stage order, and the hours as three series (bars while few)', () => {
    expect(
      funnelChart({ targeted: 10, sent: 9, delivered: 8, read: 5, clicked: 2, converted: 1 }),
    ).toEqual({
      kind: 'bar',
      categories: ['Targeted', 'Sent', 'Delivered', 'Read', 'Clicked', 'Converted'],
      series: [{ name: 'Recipients', values: [10, 9, 8, 5, 2, 1] }],
    });
    const chart = hourlyChart([{ hour: at(9), delivered: 4, read: 2, clicked: 1 }], (iso) =>
      iso.slice(11, 13),
    );
    expect(chart.kind).toBe('bar');
    expect(chart.categories).toEqual(['09']);
    expect(chart.series.map((s) => [s.name, s.values])).toEqual([
      ['Delivered', [4]],
      ['Read', [2]],
      ['Clicked', [1]],
    ]);
    const hours = [0, 1, 2].map((h) => ({ hour: at(h), delivered: h, read: 0, clicked: 0 }));
    expect(hourlyChart(hours, (iso) => iso).kind).toBe('line');
  });
});
