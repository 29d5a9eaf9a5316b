import { useMemo } from 'react';
import type { CampaignReport } from '../../api/types';
import { Chart } from '../../components/Chart';
import { DataTable } from '../../components/DataTable';
import { Section, Stat, Stats } from '../../components/bits';
import {
  formatAmounts,
  formatCount,
  formatDateTime,
  formatMoney,
  formatPercent,
  humanize,
} from '../../lib/format';
import { funnelChart, hourlyChart } from './report-series';

const hourLabel = new Intl.DateTimeFormat(undefined, {
  month: 'short',
  day: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
});

export function FunnelAndHours({ report }: { report: CampaignReport }) {
  const funnel = useMemo(() => funnelChart(report.funnel), [report.funnel]);
  const hours = useMemo(
    () => hourlyChart(report.hourly, (iso) => hourLabel.format(new Date(iso))),
    [report.hourly],
  );
  return (
    <div className="grid-2">
      <Section title="Funnel">
        <Chart title="Recipients at each stage" data={funnel} />
      </Section>
      <Section title="Over time">
        {report.hourly.length === 0 ? (
          <p className="hint">
            Deliveries, reads and clicks appear here hour by hour as they come.
          </p>
        ) : (
          <Chart title="Delivered, read and clicked per hour" data={hours} />
        )}
      </Section>
    </div>
  );
}

/** Failures by Meta's error code; each code links to its recipients. */
export function FailuresPanel({
  report,
  onShow,
}: {
  report: CampaignReport;
  onShow: (code: number) => void;
}) {
  return (
    <Section title="Failures by Meta error code">
      <DataTable
        caption="Failures by Meta error code"
        captionHidden
        rows={report.failures}
        rowKey={(f) => String(f.code)}
        empty="No failures."
        columns={[
          { header: 'Code', cell: (f) => (f.code === 0 ? 'none' : <code>{f.code}</code>) },
          { header: 'What Meta said', cell: (f) => f.title ?? '—' },
          { header: 'Recipients', numeric: true, cell: (f) => formatCount(f.count) },
          {
            header: <span className="visually-hidden">Recipients</span>,
            cell: (f) => (
              <button type="button" className="link" onClick={() => onShow(f.code)}>
                Show recipients
              </button>
            ),
          },
        ]}
      />
    </Section>
  );
}

export function ConversionsPanel({ report }: { report: CampaignReport }) {
  return (
    <Section title="Conversions and revenue">
      <Stats label="Money">
        <Stat label="Revenue" value={formatAmounts(report.revenue)} />
        <Stat
          label="Spend"
          value={formatAmounts(report.spend.amounts)}
          sub={`${formatCount(report.spend.billableMessages)} billable messages`}
        />
        <Stat
          label="Return on spend"
          value={report.returnOnSpend === null ? '—' : `${report.returnOnSpend}×`}
        />
        <Stat
          label="Revenue per delivered message"
          value={formatAmounts(report.revenuePerMessage)}
        />
      </Stats>
      <DataTable
        caption="Conversions by event"
        rows={report.conversions}
        rowKey={(c) => `${c.eventName}-${c.currency ?? ''}`}
        empty="No conversion attributed to this campaign yet."
        columns={[
          { header: 'Event', cell: (c) => humanize(c.eventName) },
          { header: 'Conversions', numeric: true, cell: (c) => formatCount(c.count) },
          { header: 'Rate', numeric: true, cell: (c) => formatPercent(c.conversionRate) },
          {
            header: 'Value',
            numeric: true,
            cell: (c) => (c.currency ? formatMoney(c.value, c.currency) : '—'),
          },
          {
            header: 'Per message',
            numeric: true,
            cell: (c) =>
              c.currency && c.revenuePerMessage !== null
                ? formatMoney(c.revenuePerMessage, c.currency)
                : '—',
          },
        ]}
      />
    </Section>
  );
}

/** Our read and click rates beside Meta's MM Lite benchmark for similar businesses. */
export function BenchmarkPanel({ report }: { report: CampaignReport }) {
  const mm = report.mmLite;
  return (
    <Section title="MM Lite benchmark">
      {mm.benchmark ? (
        <p className="hint">
          Meta&rsquo;s benchmark as of {mm.benchmark.asOf} (fetched{' '}
          {formatDateTime(mm.benchmark.fetchedAt)}).
        </p>
      ) : (
        <p className="hint">
          Meta has no benchmark for this template yet; the worker fetches it regularly.
        </p>
      )}
      <DataTable
        caption="Rates beside the MM Lite benchmark"
        captionHidden
        rows={mm.comparison}
        rowKey={(c) => c.metric}
        columns={[
          { header: 'Rate', cell: (c) => `${humanize(c.metric)} rate` },
          { header: 'This campaign', numeric: true, cell: (c) => formatPercent(c.campaign) },
          { header: 'Benchmark', numeric: true, cell: (c) => formatPercent(c.benchmark) },
          {
            header: 'Difference',
            numeric: true,
            cell: (c) =>
              c.difference === null ? '—' : `${c.difference > 0 ? '+' : ''}${c.difference} pts`,
          },
        ]}
      />
      {mm.recommendations.length > 0 && (
        <ul className="recommendations">
          {mm.recommendations.map((r) => (
            <li key={r.metric}>{r.text}</li>
          ))}
        </ul>
      )}
    </Section>
  );
}
