import { useCampaignPlan } from '../../api/queries';
import { DataTable } from '../../components/DataTable';
import { QueryState } from '../../components/QueryState';
import { Section, Stat, Stats } from '../../components/bits';
import { formatCount, formatDuration, formatMoney, humanize } from '../../lib/format';

/** What a launch would do now: who is sent to, who is skipped and why, how long, what it costs. */
export function PlanPanel({ campaignId }: { campaignId: string }) {
  const plan = useCampaignPlan(campaignId, true);
  return (
    <Section title="Plan before launch">
      <QueryState query={plan} label="Working out the plan…">
        {(p) => (
          <>
            <Stats label="Plan">
              <Stat label="Eligible recipients" value={formatCount(p.eligible)} />
              <Stat label="Target" value={formatCount(p.audienceSize)} />
              <Stat
                label="Skipped"
                value={formatCount(Object.values(p.skipped).reduce((a, b) => a + b, 0))}
              />
              <Stat label="Control group (holdout)" value={formatCount(p.skipped.holdout ?? 0)} />
              <Stat
                label="Held by frequency cap"
                value={formatCount(p.skipped.frequency_cap ?? 0)}
              />
              <Stat
                label="Time to send"
                value={formatDuration(p.etaSeconds)}
                sub={`at ${formatCount(p.rateMps)} messages/s`}
              />
              <Stat
                label="Estimated cost"
                value={p.cost.currency ? formatMoney(p.cost.total, p.cost.currency) : '—'}
                sub={p.cost.unpriced > 0 ? `${formatCount(p.cost.unpriced)} not priced` : undefined}
              />
              <Stat
                label="Messaging limit (24 h)"
                value={
                  p.messagingLimit.perDay === null
                    ? 'unlimited'
                    : formatCount(p.messagingLimit.perDay)
                }
                sub={
                  p.messagingLimit.fitsNow
                    ? 'fits now'
                    : `${formatCount(p.messagingLimit.heldByLimit)} wait for the limit`
                }
              />
            </Stats>
            {p.abTest && (
              <DataTable
                caption="A/B split at launch"
                rows={[
                  ...p.abTest.variants.map((v) => ({ what: `Variant ${v.key}`, n: v.recipients })),
                  { what: 'Rest (gets the winner)', n: p.abTest.rest },
                ]}
                rowKey={(r) => r.what}
                columns={[
                  { header: 'Share', cell: (r) => r.what },
                  { header: 'Recipients', numeric: true, cell: (r) => formatCount(r.n) },
                ]}
              />
            )}
            {Object.keys(p.skipped).length > 0 && (
              <DataTable
                caption="Skipped at launch, by reason"
                rows={Object.entries(p.skipped)}
                rowKey={([reason]) => reason}
                columns={[
                  { header: 'Reason', cell: ([reason]) => humanize(reason) },
                  { header: 'Recipients', numeric: true, cell: ([, n]) => formatCount(n) },
                ]}
              />
            )}
          </>
        )}
      </QueryState>
    </Section>
  );
}
