import { useState, type FormEvent } from 'react';
import { Link, useNavigate } from 'react-router';
import { useAudiences, useCreateAudience } from '../../api/queries';
import type { Audience } from '../../api/types';
import { ErrorView } from '../../components/ErrorView';
import { PagedTable } from '../../components/PagedTable';
import { useCursorPages } from '../../components/Pager';
import { PageHeader, Section } from '../../components/bits';
import { formatCount, formatDateTime } from '../../lib/format';

export default function AudiencesPage() {
  const pages = useCursorPages();
  const audiences = useAudiences(pages.cursor);
  const create = useCreateAudience();
  const navigate = useNavigate();
  const [name, setName] = useState('');

  function submit(e: FormEvent) {
    e.preventDefault();
    create.mutate({ name: name.trim() }, { onSuccess: (a) => void navigate(`/audiences/${a.id}`) });
  }

  return (
    <>
      <PageHeader title="Audiences" />
      <Section title="New audience">
        <form className="inline-form" onSubmit={submit}>
          <label htmlFor="a-name">Name</label>
          <input
            id="a-name"
            required
            maxLength={200}
            value={name}
            onChange={(e) => setName(e.target.value)}
          />
          <button type="submit" className="button primary" disabled={create.isPending}>
            Create and add contacts
          </button>
        </form>
        {create.error && <ErrorView error={create.error} title="The audience was not created" />}
      </Section>
      <Section title="All audiences">
        <PagedTable<Audience>
          query={audiences}
          pages={pages}
          caption="Audiences"
          rowKey={(a) => a.id}
          empty="No audiences yet."
          columns={[
            { header: 'Name', cell: (a) => <Link to={`/audiences/${a.id}`}>{a.name}</Link> },
            { header: 'Members', numeric: true, cell: (a) => formatCount(a.memberCount) },
            { header: 'Description', cell: (a) => a.description ?? '—' },
            { header: 'Created', cell: (a) => formatDateTime(a.createdAt) },
          ]}
        />
      </Section>
    </>
  );
}
