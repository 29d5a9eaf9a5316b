import { useParams } from 'react-router';
import { useAudience, useAudienceMembers } from '../../api/queries';
import type { Member } from '../../api/types';
import { PagedTable } from '../../components/PagedTable';
import { useCursorPages } from '../../components/Pager';
import { QueryState } from '../../components/QueryState';
import { PageHeader, Section, Stat, Stats, StatusBadge } from '../../components/bits';
import { formatCount, formatDateTime } from '../../lib/format';
import { CsvUpload } from './CsvUpload';

export default function AudiencePage() {
  const { id = '' } = useParams();
  const audience = useAudience(id);
  const pages = useCursorPages();
  const members = useAudienceMembers(id, pages.cursor);
  return (
    <QueryState query={audience}>
      {(a) => (
        <>
          <PageHeader title={a.name} />
          <p className="meta-line">
            {a.description && `${a.description} · `}created {formatDateTime(a.createdAt)} · changed{' '}
            {formatDateTime(a.updatedAt)}
          </p>
          <Stats label="Audience">
            <Stat label="Members" value={formatCount(a.memberCount)} />
          </Stats>
          <CsvUpload audienceId={a.id} />
          <Section title="Members">
            <PagedTable<Member>
              query={members}
              pages={pages}
              caption="Members"
              rowKey={(m) => m.id}
              empty="No members yet: upload a CSV above."
              columns={[
                { header: 'Phone', cell: (m) => m.phone },
                { header: 'Opt-in', cell: (m) => <StatusBadge status={m.consent} /> },
                {
                  header: 'Attributes',
                  cell: (m) =>
                    Object.entries(m.attributes)
                      .map(([k, v]) => `${k}: ${typeof v === 'string' ? v : JSON.stringify(v)}`)
                      .join(', ') || '—',
                },
                { header: 'Added', cell: (m) => formatDateTime(m.addedAt) },
              ]}
            />
          </Section>
        </>
      )}
    </QueryState>
  );
}
