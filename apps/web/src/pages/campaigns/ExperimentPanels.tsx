// The campaign page's A/B variant table and holdout lift, from the report.
import { Link } from 'react-router';
import { usePromoteVariant } from '../../api/queries';
import type { Campaign, CampaignReport, VariantRow } from '../../api/types';
import { ConfirmButton } from '../../components/ConfirmButton';
import { DataTable } from '../../components/DataTable';
import { ErrorView } from '../../components/ErrorView';
import { Section, Stat, Stats } from '../../components/bits';
import { formatCount, formatDateTime, formatPercent } from '../../lib/format';

const pValue = new Intl.NumberFormat(undefined, { maximumSignificantDigits: 2 });
const points = new Intl.NumberFormat(undefined, {
  maximumFractionDigits: 1,
  signDisplay: 'exceptZero',
});

type Row = Omit<VariantRow, 'key' | 'templateId' | 'weight' | 'winner' | 'pValue'> & {
  key: string;
  label: string;
  templateId: string | null;
  weight: number | null;
  winner: boolean;
  pValue: number | null;
};

/** A row per variant's test share, and the rest of the target (sent with the winner). */
export function VariantsPanel({
  campaign: c,
  report,
}: {
  campaign: Campaign;
  report: CampaignReport;
}) {
  const promote = usePromoteVariant(c.id);
  const ab = report.abTest;
  if (!ab) {
    return null;
  }
  // Promote while the test runs: the API refuses once a winner is set (409).
  const mayPromote = c.winner === null && (c.status === 'running' || c.status === 'paused');
  const rows: Row[] = [
    ...ab.variants.map((v) => ({ ...v, label: `Variant ${v.key}` })),
    ...(ab.rest
      ? [
          {
            ...ab.rest,
            key: 'rest',
            label: 'Rest (winner)',
            templateId: null,
            weight: null,
            winner: false,
            pValue: null,
          },
        ]
      : []),
  ];
  return (
    <Section title="A/B variants">
      <p className="meta-line">
        Test share {formatCount(ab.testPercent)} %, winner by {ab.metric} rate ·{' '}
        {c.winner ? (
          <>
            winner <strong>{c.winner.key}</strong>{' '}
            {c.winner.by === 'hand' ? 'picked by hand' : 'decided by the rule'}
            {c.winner.by === 'rule' &&
              (c.winner.significant
                ? ', a significant lead (95 %)'
                : ', no significant lead: the first variant')}{' '}
            at {formatDateTime(c.winner.decidedAt)}
          </>
        ) : (
          'no winner yet'
        )}
      </p>
      <DataTable<Row>
        caption="Variants"
        rows={rows}
        rowKey={(r) => r.key}
        columns={[
          {
            header: 'Variant',
            cell: (r) => (
              <>
                {r.label} {r.winner && <span className="badge badge-completed">Winner</span>}
              </>
            ),
          },
          {
            header: 'Template',
            cell: (r) =>
              r.templateId ? <Link to={`/templates/${r.templateId}`}>template</Link> : '—',
          },
          { header: 'Weight', numeric: true, cell: (r) => formatCount(r.weight) },
          { header: 'Sent', numeric: true, cell: (r) => formatCount(r.funnel.sent) },
          { header: 'Delivered', numeric: true, cell: (r) => formatCount(r.funnel.delivered) },
          { header: 'Read', numeric: true, cell: (r) => formatCount(r.funnel.read) },
          { header: 'Clicked', numeric: true, cell: (r) => formatCount(r.funnel.clicked) },
          { header: 'Read rate', numeric: true, cell: (r) => formatPercent(r.rates.read) },
          { header: 'Click rate', numeric: true, cell: (r) => formatPercent(r.rates.click) },
          {
            header: 'Conversion rate',
            numeric: true,
            cell: (r) => formatPercent(r.rates.conversion),
          },
          {
            header: 'p-value',
            numeric: true,
            cell: (r) => (r.pValue === null ? '—' : pValue.format(r.pValue)),
          },
          ...(mayPromote
            ? [
                {
                  header: <span className="visually-hidden">Promote</span>,
                  cell: (r: Row) =>
                    r.templateId && (
                      <ConfirmButton
                        label={`Promote ${r.key}`}
                        tone="plain"
                        title={`Make variant ${r.key} the winner?`}
                        confirmLabel={`Yes, promote ${r.key}`}
                        disabled={promote.isPending}
                        onConfirm={() => promote.mutate(r.key)}
                      >
                        <p>
                          The test ends now: the rest of the target is sent variant {r.key}. This
                          cannot be undone.
                        </p>
                      </ConfirmButton>
                    ),
                },
              ]
            : []),
        ]}
      />
      {promote.error && <ErrorView error={promote.error} title="The winner was not set" />}
    </Section>
  );
}

/** Conversions of the recipients sent to against the control group kept out, with the lift. */
export function HoldoutPanel({ report }: { report: CampaignReport }) {
  const h = report.holdout;
  if (!h) {
    return null;
  }
  const ci = h.ci95;
  return (
    <Section title="Holdout lift">
      <Stats label="Holdout">
        <Stat
          label="Control group"
          value={`${formatCount(h.percent)} %`}
          sub={`${formatCount(h.holdout.contacts)} contacts`}
        />
        <Stat
          label="Converted (sent)"
          value={formatPercent(h.sent.conversionRate)}
          sub={`${formatCount(h.sent.converted)} of ${formatCount(h.sent.contacts)}`}
        />
        <Stat
          label="Converted (holdout)"
          value={formatPercent(h.holdout.conversionRate)}
          sub={`${formatCount(h.holdout.converted)} of ${formatCount(h.holdout.contacts)}`}
        />
        <Stat
          label="Difference"
          value={h.difference === null ? '—' : `${points.format(h.difference)} pts`}
          sub={
            ci && ci.length === 2
              ? `95 % interval ${points.format(ci[0]!)} to ${points.format(ci[1]!)} pts`
              : 'no interval yet'
          }
        />
        <Stat
          label="Relative lift"
          value={h.relativeLift === null ? '—' : formatPercent(h.relativeLift)}
        />
      </Stats>
      <p className="hint">
        Conversions (any event) from {formatDateTime(h.from)} to {formatDateTime(h.to)}.
      </p>
    </Section>
  );
}
