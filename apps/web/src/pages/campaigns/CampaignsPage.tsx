import { Link, useSearchParams } from 'react-router';
import { useCampaigns } from '../../api/queries';
import type { Campaign, CampaignStatus } from '../../api/types';
import { ChoiceFilter } from '../../components/ChoiceFilter';
import { PagedTable } from '../../components/PagedTable';
import { useCursorPages } from '../../components/Pager';
import { PageHeader, Progress, Section, StatusBadge } from '../../components/bits';
import { formatCount, formatDateTime } from '../../lib/format';
import { campaignProgress } from './progress';

const STATUSES: CampaignStatus[] = [
  'draft',
  'scheduled',
  'running',
  'paused',
  'completed',
  'cancelled',
  'failed',
];

const isStatus = (s: string | null): s is CampaignStatus =>
  s !== null && (STATUSES as string[]).includes(s);

export default function CampaignsPage() {
  const [params, setParams] = useSearchParams();
  const raw = params.get('status');
  const status = isStatus(raw) ? raw : undefined;
  const pages = useCursorPages();
  const campaigns = useCampaigns(status, pages.cursor);

  return (
    <>
      <PageHeader title="Campaigns">
        <Link className="button primary" to="/campaigns/new">
          New campaign
        </Link>
      </PageHeader>
      <Section
        title="All campaigns"
        actions={
          <ChoiceFilter
            label="Status"
            value={status}
            values={STATUSES}
            onChange={(s) => {
              pages.reset();
              setParams(s ? { status: s } : {});
            }}
          />
        }
      >
        <PagedTable<Campaign>
          query={campaigns}
          pages={pages}
          caption="Campaigns, newest first"
          rowKey={(c) => c.id}
          empty={status ? `No ${status} campaigns.` : 'No campaigns yet.'}
          columns={[
            { header: 'Name', cell: (c) => <Link to={`/campaigns/${c.id}`}>{c.name}</Link> },
            { header: 'Status', cell: (c) => <StatusBadge status={c.status} /> },
            {
              header: 'Progress',
              cell: (c) => {
                const p = campaignProgress(c.counts);
                return <Progress {...p} label={`Progress of ${c.name}`} />;
              },
            },
            {
              header: 'Targeted',
              numeric: true,
              cell: (c) => formatCount(c.counts.targeted),
            },
            { header: 'Sent', numeric: true, cell: (c) => formatCount(c.counts.sent) },
            {
              header: 'Delivered',
              numeric: true,
              cell: (c) => formatCount(c.counts.delivered),
            },
            { header: 'Read', numeric: true, cell: (c) => formatCount(c.counts.read) },
            { header: 'Failed', numeric: true, cell: (c) => formatCount(c.counts.failed) },
            {
              header: 'Started',
              cell: (c) => formatDateTime(c.startedAt ?? c.scheduledAt),
            },
          ]}
        />
      </Section>
    </>
  );
}
