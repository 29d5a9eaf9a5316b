import { useParams, useSearchParams, Link } from 'react-router';
import { useAudience, useCampaign, useCampaignReport, useSegment } from '../../api/queries';
import { isLive, type Campaign } from '../../api/types';
import { ErrorView } from '../../components/ErrorView';
import { QueryState } from '../../components/QueryState';
import { PageHeader, Progress, Stat, Stats, StatusBadge } from '../../components/bits';
import { formatCount, formatDateTime, formatPercent, humanize } from '../../lib/format';
import { CampaignActions } from './CampaignActions';
import { HoldoutPanel, VariantsPanel } from './ExperimentPanels';
import { FollowUpButton, mayFollowUp, RetryButton } from './IterateActions';
import { BenchmarkPanel, ConversionsPanel, FailuresPanel, FunnelAndHours } from './CampaignResults';
import { PlanPanel } from './PlanPanel';
import { recipientFilterOf, type RecipientFilter } from './recipient-filter';
import { RecipientsPanel } from './Recipients';
import { campaignProgress } from './progress';

export default function CampaignPage() {
  const { id = '' } = useParams();
  const campaign = useCampaign(id);
  return <QueryState query={campaign}>{(c) => <CampaignView campaign={c} />}</QueryState>;
}

function CampaignView({ campaign: c }: { campaign: Campaign }) {
  const live = isLive(c.status);
  const report = useCampaignReport(c);
  const audience = useAudience(c.audienceId);
  const segment = useSegment(c.segmentId);
  const parent = useCampaign(c.parentCampaignId);
  const [params, setParams] = useSearchParams();
  const filter = recipientFilterOf(params);
  const setFilter = (f: RecipientFilter) => {
    const next = new URLSearchParams();
    if (f.status) {
      next.set('status', f.status);
    }
    if (f.errorCode !== undefined) {
      next.set('errorCode', String(f.errorCode));
    }
    setParams(next, { replace: true, preventScrollReset: true });
  };
  const progress = campaignProgress(c.counts);
  const r = report.data;

  return (
    <>
      <PageHeader
        title={
          <>
            {c.name} <StatusBadge status={c.status} />
          </>
        }
      >
        <CampaignActions campaign={c} />
        <RetryButton campaign={c} report={r} />
        {mayFollowUp(c) && <FollowUpButton campaign={c} />}
      </PageHeader>
      <p className="meta-line">
        {r && (
          <>
            Template <Link to={`/templates/${c.templateId}`}>{r.template.name}</Link> ·{' '}
          </>
        )}
        {c.audienceId ? (
          <>
            Audience <Link to={`/audiences/${c.audienceId}`}>{audience.data?.name ?? '…'}</Link>
          </>
        ) : c.parentCampaignId ? (
          <>
            Follow-up ({humanize(c.followUpOutcome ?? '')}) of{' '}
            <Link to={`/campaigns/${c.parentCampaignId}`}>
              {parent.data?.name ?? 'its parent campaign'}
            </Link>
          </>
        ) : (
          <>
            Segment <Link to={`/segments/${c.segmentId}`}>{segment.data?.name ?? '…'}</Link>
          </>
        )}
        {c.exclude.length > 0 && <Exclusions campaign={c} />}
        {c.holdoutPercent > 0 && ` · ${formatCount(c.holdoutPercent)} % held out`}
        {c.variants.length > 0 && ` · ${formatCount(c.variants.length)} variants`} ·
        {c.startedAt
          ? ` started ${formatDateTime(c.startedAt)}`
          : c.scheduledAt
            ? ` scheduled for ${formatDateTime(c.scheduledAt)}`
            : ` created ${formatDateTime(c.createdAt)}`}
        {c.completedAt && ` · finished ${formatDateTime(c.completedAt)}`}
        {c.statusReason && ` · ${humanize(c.statusReason)}`}
      </p>
      {live && (
        <p className="live" role="status">
          <span className="dot" aria-hidden="true" /> Live: updates every few seconds ·{' '}
          <Progress {...progress} label="Sending progress" />
        </p>
      )}
      {c.status === 'draft' ? (
        // Nothing has happened yet: what a launch would do is all there is to see.
        <PlanPanel campaignId={c.id} />
      ) : (
        <>
          <Stats label="Campaign counts">
            <Stat label="Targeted" value={formatCount(c.counts.targeted)} />
            <Stat label="Skipped" value={formatCount(c.counts.skipped)} />
            <Stat label="Queued" value={formatCount(c.counts.queued + c.counts.sending)} />
            <Stat label="Sent" value={formatCount(c.counts.sent)} />
            <Stat
              label="Delivered"
              value={formatCount(c.counts.delivered)}
              sub={r && formatPercent(r.rates.delivery)}
            />
            <Stat
              label="Read"
              value={formatCount(c.counts.read)}
              sub={r && formatPercent(r.rates.read)}
            />
            <Stat
              label="Clicked"
              value={formatCount(c.counts.clicked)}
              sub={r && formatPercent(r.rates.click)}
            />
            <Stat label="Failed" value={formatCount(c.counts.failed)} />
            {c.counts.retried > 0 && (
              <Stat
                label="Retried"
                value={formatCount(c.counts.retried)}
                sub={`${formatCount(c.counts.recovered)} recovered`}
              />
            )}
            {r && (
              <Stat
                label="Converted"
                value={formatCount(r.funnel.converted)}
                sub={formatPercent(r.rates.conversion)}
              />
            )}
          </Stats>
          {report.error && !r && <ErrorView error={report.error} title="The report did not load" />}
          {r && (
            <>
              <FunnelAndHours report={r} />
              <VariantsPanel campaign={c} report={r} />
              <HoldoutPanel report={r} />
              <div className="grid-2">
                <FailuresPanel
                  report={r}
                  onShow={(code) => {
                    setFilter({ status: 'failed', errorCode: code });
                    document.getElementById('recipients')?.scrollIntoView({ behavior: 'smooth' });
                  }}
                />
                <BenchmarkPanel report={r} />
              </div>
              <ConversionsPanel report={r} />
            </>
          )}
          <RecipientsPanel
            key={`${filter.status ?? ''}:${filter.errorCode ?? ''}`}
            campaign={c}
            report={r}
            filter={filter}
            onFilter={setFilter}
          />
        </>
      )}
    </>
  );
}

/** The audiences and segments a campaign leaves out, each a link. */
function Exclusions({ campaign }: { campaign: Campaign }) {
  return (
    <>
      {' '}
      · leaving out{' '}
      {campaign.exclude.map((x, i) => (
        <span key={x.audienceId ?? x.segmentId}>
          {i > 0 && ', '}
          {x.audienceId ? (
            <ExcludedAudience id={x.audienceId} />
          ) : (
            <ExcludedSegment id={x.segmentId ?? ''} />
          )}
        </span>
      ))}
    </>
  );
}

function ExcludedAudience({ id }: { id: string }) {
  const a = useAudience(id);
  return <Link to={`/audiences/${id}`}>{a.data?.name ?? 'an audience'}</Link>;
}

function ExcludedSegment({ id }: { id: string }) {
  const s = useSegment(id);
  return <Link to={`/segments/${id}`}>{s.data?.name ?? 'a segment'}</Link>;
}
