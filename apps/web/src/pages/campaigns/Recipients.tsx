import { useRef, useState } from 'react';
import { downloadFile } from '../../api/client';
import { useCampaignMessages } from '../../api/queries';
import type { Campaign, CampaignMessage, CampaignReport, MessageFilter } from '../../api/types';
import { ChoiceFilter } from '../../components/ChoiceFilter';
import { DataTable } from '../../components/DataTable';
import { ErrorView } from '../../components/ErrorView';
import { PagedTable } from '../../components/PagedTable';
import { useCursorPages } from '../../components/Pager';
import { Section, StatusBadge } from '../../components/bits';
import { formatCount, formatDateTime, humanize } from '../../lib/format';
import { MESSAGE_STATUSES, RECIPIENTS_PAGE_SIZE, type RecipientFilter } from './recipient-filter';

function Field({ label, value }: { label: string; value: string | number | null }) {
  return (
    <div>
      <dt>{label}</dt>
      <dd>{value === null || value === '' ? '—' : value}</dd>
    </div>
  );
}

/** Clicks on the recipient's tracked links (the engine's own short links). */
const linkClicks = (m: CampaignMessage): number => m.trackedLinks.reduce((n, l) => n + l.clicks, 0);

/** Every recipient of the campaign, a page at a time, by state and error code; details per row. */
export function RecipientsPanel({
  campaign,
  report,
  filter,
  onFilter,
}: {
  campaign: Campaign;
  report: CampaignReport | undefined;
  filter: RecipientFilter;
  onFilter: (f: RecipientFilter) => void;
}) {
  const pages = useCursorPages();
  const query: MessageFilter = { ...filter, cursor: pages.cursor, limit: RECIPIENTS_PAGE_SIZE };
  const messages = useCampaignMessages(campaign, query);
  const [open, setOpen] = useState<CampaignMessage | null>(null);
  const dialog = useRef<HTMLDialogElement>(null);
  const [exporting, setExporting] = useState(false);
  const [exportError, setExportError] = useState<unknown>(null);
  const codes = report?.failures ?? [];

  // The page is keyed by the filter (see CampaignPage): a new filter starts at page 1.
  const change = onFilter;

  const exportCsv = async () => {
    setExporting(true);
    setExportError(null);
    try {
      const safe = campaign.name.replace(/[^\w.-]+/g, '-').slice(0, 60);
      await downloadFile(`/v1/campaigns/${campaign.id}/messages.csv`, `${safe}-recipients.csv`);
    } catch (e) {
      setExportError(e);
    } finally {
      setExporting(false);
    }
  };

  return (
    <Section
      title="Recipients"
      id="recipients"
      actions={
        <button
          type="button"
          className="button plain"
          onClick={() => void exportCsv()}
          disabled={exporting}
        >
          {exporting ? 'Preparing CSV…' : 'Download CSV'}
        </button>
      }
    >
      {exportError !== null && <ErrorView error={exportError} title="The export failed" />}
      <div className="filters" role="group" aria-label="Filter recipients">
        <ChoiceFilter
          label="State"
          value={filter.status}
          values={MESSAGE_STATUSES}
          onChange={(status) => change({ ...filter, status })}
        />
        <label className="inline">
          Error code{' '}
          <select
            value={filter.errorCode ?? ''}
            onChange={(e) =>
              change(
                e.target.value === ''
                  ? { ...filter, errorCode: undefined }
                  : { status: 'failed', errorCode: Number(e.target.value) },
              )
            }
          >
            <option value="">any</option>
            {codes.map((f) => (
              <option key={f.code} value={f.code}>
                {f.code === 0 ? 'none' : f.code} — {f.title ?? 'no title'} ({formatCount(f.count)})
              </option>
            ))}
            {filter.errorCode !== undefined && !codes.some((f) => f.code === filter.errorCode) && (
              <option value={filter.errorCode}>{filter.errorCode}</option>
            )}
          </select>
        </label>
      </div>
      <PagedTable<CampaignMessage>
        query={messages}
        pages={pages}
        caption="Recipients"
        rowKey={(m) => m.id}
        empty="No recipient in this state."
        columns={[
          { header: 'Phone', cell: (m) => m.phone },
          { header: 'State', cell: (m) => <StatusBadge status={m.status} /> },
          {
            header: 'Error',
            cell: (m) =>
              m.errorCode !== null ? (
                <span>
                  <code>{m.errorCode}</code> {m.errorTitle}
                </span>
              ) : m.skipReason ? (
                humanize(m.skipReason)
              ) : (
                '—'
              ),
          },
          ...(campaign.variants.length > 0
            ? [{ header: 'Variant', cell: (m: CampaignMessage) => m.variant ?? '—' }]
            : []),
          { header: 'Sent', cell: (m) => formatDateTime(m.sentAt) },
          { header: 'Read', cell: (m) => formatDateTime(m.readAt) },
          {
            header: 'Link clicks',
            numeric: true,
            cell: (m) =>
              m.trackedLinks.length > 0 ? (
                formatCount(linkClicks(m))
              ) : (
                <span className="muted">—</span>
              ),
          },
          {
            header: <span className="visually-hidden">Details</span>,
            cell: (m) => (
              <button
                type="button"
                className="link"
                aria-label={`Details of ${m.phone}`}
                onClick={() => {
                  setOpen(m);
                  dialog.current?.showModal();
                }}
              >
                Details
              </button>
            ),
          },
        ]}
      />
      <dialog
        ref={dialog}
        className="details"
        aria-label="Recipient details"
        onClose={() => setOpen(null)}
      >
        {open && (
          <>
            <h2>{open.phone}</h2>
            <dl className="fields">
              <Field label="State" value={humanize(open.status)} />
              <Field label="Skipped because" value={open.skipReason && humanize(open.skipReason)} />
              <Field label="Meta error code" value={open.errorCode} />
              <Field label="Meta error" value={open.errorTitle} />
              <Field label="Error details" value={open.errorDetails} />
              <Field label="Message id (wamid)" value={open.wamid} />
              <Field label="Requests to Meta" value={open.attempts} />
              <Field label="Last request" value={formatDateTime(open.lastRequestAt)} />
              <Field label="Sent" value={formatDateTime(open.sentAt)} />
              <Field label="Delivered" value={formatDateTime(open.deliveredAt)} />
              <Field label="Read" value={formatDateTime(open.readAt)} />
              <Field label="Clicked" value={formatDateTime(open.clickedAt)} />
              <Field label="Failed" value={formatDateTime(open.failedAt)} />
              <Field label="Variant" value={open.variant} />
              <Field label="Times retried" value={open.retries} />
            </dl>
            {open.trackedLinks.length > 0 && (
              <DataTable
                caption="Tracked links"
                rows={open.trackedLinks}
                rowKey={(l) => l.token}
                columns={[
                  { header: 'Target', cell: (l) => <code>{l.target}</code> },
                  { header: 'Clicks', numeric: true, cell: (l) => formatCount(l.clicks) },
                  { header: 'First click', cell: (l) => formatDateTime(l.firstClickAt) },
                  { header: 'Last click', cell: (l) => formatDateTime(l.lastClickAt) },
                ]}
              />
            )}
          </>
        )}
        <form method="dialog" className="actions">
          <button type="submit" className="button plain" autoFocus>
            Close
          </button>
        </form>
      </dialog>
    </Section>
  );
}
