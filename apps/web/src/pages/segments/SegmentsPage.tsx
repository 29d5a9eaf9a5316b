import { Link } from 'react-router';
import { useSegments } from '../../api/queries';
import type { Segment } from '../../api/types';
import { PagedTable } from '../../components/PagedTable';
import { useCursorPages } from '../../components/Pager';
import { PageHeader, Section } from '../../components/bits';
import { formatDateTime } from '../../lib/format';

export default function SegmentsPage() {
  const pages = useCursorPages();
  const segments = useSegments(pages.cursor);
  return (
    <>
      <PageHeader title="Segments">
        <Link to="/segments/new" className="button primary">
          New segment
        </Link>
      </PageHeader>
      <p className="hint">
        A segment is a filter over your contacts (fields, attributes, consent, past campaigns),
        resolved when a campaign that targets it starts.
      </p>
      <Section title="All segments">
        <PagedTable<Segment>
          query={segments}
          pages={pages}
          caption="Segments"
          rowKey={(s) => s.id}
          empty="No segments yet."
          columns={[
            { header: 'Name', cell: (s) => <Link to={`/segments/${s.id}`}>{s.name}</Link> },
            { header: 'Changed', cell: (s) => formatDateTime(s.updatedAt) },
            { header: 'Created', cell: (s) => formatDateTime(s.createdAt) },
          ]}
        />
      </Section>
    </>
  );
}
