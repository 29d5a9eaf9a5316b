import { useMemo, useState } from 'react';
import { Link } from 'react-router';
import { overviewPeriod, useOverview } from '../../api/queries';
import type { Overview } from '../../api/types';
import { Chart } from '../../components/Chart';
import { DataTable } from '../../components/DataTable';
import { QueryState } from '../../components/QueryState';
import { PageHeader, Section, Stat, Stats, StatusBadge } from '../../components/bits';
import { formatAmounts, formatCount, formatDay, formatPercent } from '../../lib/format';

export default function OverviewPage() {
  // Fixed when the page opens, so the query key does not move with every render.
  const [period] = useState(() => overviewPeriod());
  const overview = useOverview(period.from, period.to);
  return (
    <>
      <PageHeader title="Overview">
        <Link className="button primary" to="/campaigns/new">
          New campaign
        </Link>
      </PageHeader>
      <QueryState query={overview}>{(o) => <OverviewBody o={o} />}</QueryState>
    </>
  );
}

function OverviewBody({ o }: { o: Overview }) {
  const f = o.totals.funnel;
  const daily = useMemo(
    () => ({
      kind: 'bar' as const,
      categories: o.daily.map((d) => formatDay(d.day)),
      series: [
        { name: 'Delivered', values: o.daily.map((d) => d.delivered) },
        { name: 'Read', values: o.daily.map((d) => d.read) },
        { name: 'Clicked', values: o.daily.map((d) => d.clicked) },
      ],
    }),
    [o.daily],
  );
  return (
    <>
      <Section title="Last 30 days">
        <p className="hint">
          Campaigns started in the last 30 days: {formatCount(o.totals.campaigns)}.
        </p>
        <Stats label="Totals of the last 30 days">
          <Stat label="Sent" value={formatCount(f.sent)} />
          <Stat
            label="Delivered"
            value={formatCount(f.delivered)}
            sub={formatPercent(o.totals.rates.delivery)}
          />
          <Stat label="Read" value={formatCount(f.read)} sub={formatPercent(o.totals.rates.read)} />
          <Stat
            label="Clicked"
            value={formatCount(f.clicked)}
            sub={formatPercent(o.totals.rates.click)}
          />
          <Stat
            label="Converted"
            value={formatCount(f.converted)}
            sub={formatPercent(o.totals.rates.conversion)}
          />
          <Stat label="Spend" value={formatAmounts(o.totals.spend.amounts)} />
          <Stat label="Revenue" value={formatAmounts(o.totals.revenue)} />
        </Stats>
      </Section>
      <div className="grid-2">
        <Section title="Day by day">
          <Chart title="Deliveries, reads and clicks per day (UTC)" data={daily} />
        </Section>
        <Section title="Campaigns by status">
          {o.campaignsByStatus.length === 0 ? (
            <p>
              No campaigns yet. <Link to="/campaigns/new">Create the first one</Link>.
            </p>
          ) : (
            <ul className="status-list">
              {o.campaignsByStatus.map((s) => (
                <li key={s.status}>
                  <Link to={`/campaigns?status=${s.status}`}>
                    <StatusBadge status={s.status} />
                    <span className="num">{formatCount(s.campaigns)}</span>
                  </Link>
                </li>
              ))}
            </ul>
          )}
        </Section>
      </div>
      <Section title="By template">
        <DataTable
          caption="Campaigns of the last 30 days by template"
          captionHidden
          rows={o.templates}
          rowKey={(t) => t.templateId}
          empty="No campaign started in the last 30 days."
          columns={[
            {
              header: 'Template',
              cell: (t) => (
                <Link to={`/templates/${t.templateId}`}>
                  {t.templateName} <span className="muted">{t.language}</span>
                </Link>
              ),
            },
            { header: 'Campaigns', numeric: true, cell: (t) => formatCount(t.campaigns) },
            { header: 'Sent', numeric: true, cell: (t) => formatCount(t.funnel.sent) },
            { header: 'Delivered', numeric: true, cell: (t) => formatPercent(t.rates.delivery) },
            { header: 'Read', numeric: true, cell: (t) => formatPercent(t.rates.read) },
            { header: 'Clicked', numeric: true, cell: (t) => formatPercent(t.rates.click) },
            { header: 'Spend', numeric: true, cell: (t) => formatAmounts(t.spend.amounts) },
          ]}
        />
      </Section>
    </>
  );
}
