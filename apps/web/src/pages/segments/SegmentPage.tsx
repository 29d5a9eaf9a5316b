import { useState, type FormEvent } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import {
  useAudiences,
  useCampaigns,
  useDeleteSegment,
  useSaveSegment,
  useSegment,
  useSegmentPreview,
} from '../../api/queries';
import type { Contact, Segment, SegmentFilter } from '../../api/types';
import { ConfirmButton } from '../../components/ConfirmButton';
import { DataTable } from '../../components/DataTable';
import { ErrorView } from '../../components/ErrorView';
import { QueryState } from '../../components/QueryState';
import { PageHeader, Section, Stat, Stats } from '../../components/bits';
import { formatCount, formatDateTime, humanize } from '../../lib/format';
import { useDebounced } from '../../lib/use-debounced';
import { FilterBuilder } from './FilterBuilder';
import { emptyDraft, fromFilter, toFilter, type SegmentDraft } from './filter-model';

/** /segments/new and /segments/:id: the same editor, empty or with the stored segment. */
export default function SegmentPage() {
  const { id } = useParams();
  const segment = useSegment(id ?? null);
  if (id === undefined) {
    return <SegmentEditor segment={null} />;
  }
  return <QueryState query={segment}>{(s) => <SegmentEditor key={s.id} segment={s} />}</QueryState>;
}

type Parsed = { filter: SegmentFilter | null; problem: string | null };

function parseJson(text: string): Parsed {
  try {
    const v: unknown = JSON.parse(text);
    return typeof v === 'object' && v !== null && !Array.isArray(v)
      ? { filter: v as SegmentFilter, problem: null }
      : { filter: null, problem: 'A filter is a JSON object, e.g. { "all": [ … ] }' };
  } catch (e) {
    return { filter: null, problem: e instanceof Error ? e.message : String(e) };
  }
}

function SegmentEditor({ segment }: { segment: Segment | null }) {
  const navigate = useNavigate();
  const audiences = useAudiences();
  const campaigns = useCampaigns();
  const save = useSaveSegment(segment?.id ?? null);
  const remove = useDeleteSegment(segment?.id ?? '');
  const stored = segment ? fromFilter(segment.filter) : emptyDraft();
  const [name, setName] = useState(segment?.name ?? '');
  const [draft, setDraft] = useState<SegmentDraft>(stored ?? emptyDraft());
  // A stored filter the editor cannot show opens as JSON (the language is richer than the form).
  const [json, setJson] = useState<string | null>(
    stored ? null : JSON.stringify(segment?.filter, null, 2),
  );
  const [jsonNotice, setJsonNotice] = useState<string | null>(null);

  const parsed: Parsed =
    json === null ? { filter: toFilter(draft), problem: null } : parseJson(json);
  const filter = useDebounced(parsed.filter, 400);
  const preview = useSegmentPreview(filter);

  function submit(e: FormEvent) {
    e.preventDefault();
    if (!parsed.filter) {
      return;
    }
    save.mutate(
      { name: name.trim(), filter: parsed.filter },
      { onSuccess: (s) => void navigate(`/segments/${s.id}`, { replace: true }) },
    );
  }

  function toEditor() {
    const d = parsed.filter ? fromFilter(parsed.filter) : null;
    if (!d) {
      setJsonNotice('The editor cannot show this filter; keep editing it as JSON.');
      return;
    }
    setDraft(d);
    setJson(null);
    setJsonNotice(null);
  }

  return (
    <>
      <PageHeader title={segment ? segment.name : 'New segment'}>
        {segment && (
          <>
            <Link to={`/campaigns/new?segment=${segment.id}`} className="button plain">
              New campaign to it
            </Link>
            <ConfirmButton
              label="Delete"
              tone="danger"
              title={`Delete the segment ${segment.name}?`}
              confirmLabel="Yes, delete"
              disabled={remove.isPending}
              onConfirm={() =>
                remove.mutate(undefined, { onSuccess: () => void navigate('/segments') })
              }
            >
              <p>
                Campaigns that already started keep their recipients. A campaign not finished yet
                that targets or leaves out this segment keeps it from being deleted.
              </p>
            </ConfirmButton>
          </>
        )}
      </PageHeader>
      {remove.error && <ErrorView error={remove.error} title="The segment was not deleted" />}
      {segment && (
        <p className="meta-line">
          Created {formatDateTime(segment.createdAt)} · changed {formatDateTime(segment.updatedAt)}
        </p>
      )}
      <form onSubmit={submit} className="segment-form">
        <Section
          title="Who is in it"
          actions={
            json === null ? (
              <button
                type="button"
                className="button plain"
                onClick={() => setJson(JSON.stringify(parsed.filter ?? {}, null, 2))}
              >
                Edit as JSON
              </button>
            ) : (
              <button type="button" className="button plain" onClick={toEditor}>
                Back to the editor
              </button>
            )
          }
        >
          <div className="form-grid">
            <label htmlFor="s-name">Name</label>
            <input
              id="s-name"
              required
              maxLength={200}
              value={name}
              onChange={(e) => setName(e.target.value)}
            />
          </div>
          {json === null ? (
            <FilterBuilder
              draft={draft}
              onChange={setDraft}
              audiences={audiences.data?.data ?? []}
              campaigns={campaigns.data?.data ?? []}
            />
          ) : (
            <>
              <label htmlFor="s-json">Filter (JSON, see the README&rsquo;s filter language)</label>
              <textarea
                id="s-json"
                className="json"
                rows={14}
                spellCheck={false}
                value={json}
                onChange={(e) => setJson(e.target.value)}
              />
              {parsed.problem && <p className="notice">Not JSON yet: {parsed.problem}</p>}
              {jsonNotice && <p className="notice">{jsonNotice}</p>}
            </>
          )}
        </Section>
        <MatchPanel filter={filter} preview={preview} />
        {save.error && <ErrorView error={save.error} title="The segment was not saved" />}
        <div className="form-actions">
          <button
            type="submit"
            className="button primary"
            disabled={save.isPending || !parsed.filter}
          >
            {save.isPending ? 'Saving…' : segment ? 'Save changes' : 'Save segment'}
          </button>
          <Link to="/segments" className="button plain">
            Back to segments
          </Link>
        </div>
      </form>
    </>
  );
}

function MatchPanel({
  filter,
  preview,
}: {
  filter: SegmentFilter | null;
  preview: ReturnType<typeof useSegmentPreview>;
}) {
  const p = preview.data;
  return (
    <Section title="Who it matches now">
      {filter === null ? (
        <p className="hint">Add a condition to see who it matches.</p>
      ) : (
        <>
          {preview.error && <ErrorView error={preview.error} title="The filter is not valid" />}
          {p && (
            <div aria-busy={preview.isFetching}>
              <Stats label="Segment count">
                <Stat label="Matching contacts" value={formatCount(p.count)} />
                <Stat
                  label="Eligible"
                  value={formatCount(p.eligible)}
                  sub="opted in, not US, not held by the frequency cap"
                />
                <Stat label="Counted" value={formatDateTime(p.computedAt)} />
              </Stats>
              <DataTable<Contact>
                caption="Sample of matching contacts"
                rows={p.samples}
                rowKey={(c) => c.id}
                empty="No contact matches."
                columns={[
                  { header: 'Phone', cell: (c) => c.phone },
                  { header: 'Consent', cell: (c) => humanize(c.consent) },
                  {
                    header: 'Attributes',
                    cell: (c) => <code>{JSON.stringify(c.attributes)}</code>,
                  },
                  { header: 'Created', cell: (c) => formatDateTime(c.createdAt) },
                ]}
              />
            </div>
          )}
          {!p && !preview.error && <p className="loading">Counting…</p>}
        </>
      )}
    </Section>
  );
}
