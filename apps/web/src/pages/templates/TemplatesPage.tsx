import { Link, useSearchParams } from 'react-router';
import { useTemplates } from '../../api/queries';
import type { Template } from '../../api/types';
import { DataTable } from '../../components/DataTable';
import { Pager, useCursorPages } from '../../components/Pager';
import { QueryState } from '../../components/QueryState';
import { PageHeader, Section, StatusBadge } from '../../components/bits';
import { formatDateTime, humanize } from '../../lib/format';

const STATUSES = ['APPROVED', 'PENDING', 'REJECTED', 'PAUSED', 'DISABLED'];

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
          <label className="inline">
            Status{' '}
            <select
              value={status ?? ''}
              onChange={(e) => {
                pages.reset();
                setParams(e.target.value ? { status: e.target.value } : {});
              }}
            >
              <option value="">any</option>
              {STATUSES.map((s) => (
                <option key={s} value={s}>
                  {humanize(s.toLowerCase())}
                </option>
              ))}
            </select>
          </label>
        }
      >
        <QueryState query={templates}>
          {(page) => (
            <>
              <DataTable<Template>
                caption="Message templates"
                captionHidden
                rows={page.data}
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
              <Pager pages={pages} nextCursor={page.nextCursor} label="Template pages" />
            </>
          )}
        </QueryState>
      </Section>
    </>
  );
}
