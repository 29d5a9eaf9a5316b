import { Link, useSearchParams } from 'react-router';
import { useTemplates } from '../../api/queries';
import type { Template } from '../../api/types';
import { ChoiceFilter } from '../../components/ChoiceFilter';
import { PagedTable } from '../../components/PagedTable';
import { useCursorPages } from '../../components/Pager';
import { PageHeader, Section, StatusBadge } from '../../components/bits';
import { formatDateTime, humanize } from '../../lib/format';

const STATUSES = ['APPROVED', 'PENDING', 'REJECTED', 'PAUSED', 'DISABLED'] as const;

export default function TemplatesPage() {
  const [params, setParams] = useSearchParams();
  const status = params.get('status') ?? undefined;
  const pages = useCursorPages();
  const templates = useTemplates(status, pages.cursor);
  return (
    <>
      <PageHeader title="Templates" />
      <Section
        title="Message templates"
        actions={
          <ChoiceFilter
            label="Status"
            value={STATUSES.find((s) => s === status)}
            values={STATUSES}
            onChange={(s) => {
              pages.reset();
              setParams(s ? { status: s } : {});
            }}
          />
        }
      >
        <PagedTable<Template>
          query={templates}
          pages={pages}
          caption="Message templates"
          rowKey={(t) => t.id}
          empty="No templates. Create them with the API or the CLI, or sync them from Meta."
          columns={[
            { header: 'Name', cell: (t) => <Link to={`/templates/${t.id}`}>{t.name}</Link> },
            { header: 'Language', cell: (t) => t.language },
            { header: 'Category', cell: (t) => humanize(t.category.toLowerCase()) },
            { header: 'Status', cell: (t) => <StatusBadge status={t.status} /> },
            {
              header: 'Quality',
              cell: (t) => (t.qualityScore ? <StatusBadge status={t.qualityScore} /> : '—'),
            },
            { header: 'Status since', cell: (t) => formatDateTime(t.statusChangedAt) },
          ]}
        />
      </Section>
    </>
  );
}
