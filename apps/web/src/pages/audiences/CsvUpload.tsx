import { useState, type FormEvent } from 'react';
import { uploadFile } from '../../api/client';
import { useImportJob } from '../../api/queries';
import type { ImportAccepted } from '../../api/types';
import { DataTable } from '../../components/DataTable';
import { ErrorView } from '../../components/ErrorView';
import { Section, Stat, Stats, StatusBadge } from '../../components/bits';
import { formatCount } from '../../lib/format';
import { countDataRows } from './csv-rows';

/**
 * Uploads a CSV into the audience and follows the import: a bar for the upload, then one for the
 * rows (against the rows counted in the file before sending it), the counters, and the bad rows.
 */
export function CsvUpload({ audienceId }: { audienceId: string }) {
  const [file, setFile] = useState<File | null>(null);
  const [optInSource, setOptInSource] = useState('');
  const [sent, setSent] = useState<number | null>(null);
  const [expectedRows, setExpectedRows] = useState<number | null>(null);
  const [importId, setImportId] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const job = useImportJob(importId);
  const j = job.data;
  const busy = sent !== null && importId === null;

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (!file) {
      return;
    }
    setError(null);
    setImportId(null);
    setSent(0);
    try {
      setExpectedRows(await countDataRows(file));
      const query = new URLSearchParams(
        optInSource.trim() ? { optInSource: optInSource.trim() } : {},
      );
      const accepted = await uploadFile<ImportAccepted>(
        `/v1/audiences/${audienceId}/imports${query.size ? `?${query.toString()}` : ''}`,
        file,
        setSent,
      );
      setImportId(accepted.id);
    } catch (err) {
      setError(err);
      setSent(null);
    }
  }

  const rowsDone = j?.status === 'completed' ? (expectedRows ?? j.totalRows) : (j?.totalRows ?? 0);
  return (
    <Section title="Import contacts from a CSV">
      <p className="hint" id="csv-help">
        A header row and a <code>phone</code> column; other columns become attributes. With an
        opt-in source, every row is recorded as opted in from it.
      </p>
      <form className="form-grid" onSubmit={(e) => void submit(e)}>
        <label htmlFor="csv-file">CSV file</label>
        <input
          id="csv-file"
          type="file"
          accept=".csv,text/csv"
          required
          onChange={(e) => setFile(e.target.files?.[0] ?? null)}
        />
        <label htmlFor="csv-optin">Opt-in source</label>
        <input
          id="csv-optin"
          aria-describedby="csv-help"
          placeholder="e.g. signup-form"
          value={optInSource}
          onChange={(e) => setOptInSource(e.target.value)}
        />
        <span />
        <div>
          <button type="submit" className="button primary" disabled={!file || busy}>
            Upload
          </button>
        </div>
      </form>
      {error !== null && <ErrorView error={error} title="The upload failed" />}
      {sent !== null && (
        <div className="import-progress" aria-live="polite">
          <label>
            Upload <progress max={1} value={sent} aria-label="Upload progress" />
          </label>
          {j && (
            <>
              <label>
                Rows{' '}
                <progress
                  max={Math.max(expectedRows ?? j.totalRows, 1)}
                  value={rowsDone}
                  aria-label="Import progress"
                />{' '}
                <StatusBadge status={j.status} />
              </label>
              <Stats label="Import counts">
                <Stat label="Rows read" value={formatCount(j.totalRows)} />
                <Stat label="Created" value={formatCount(j.created)} />
                <Stat label="Updated" value={formatCount(j.updated)} />
                <Stat label="Unchanged" value={formatCount(j.skipped)} />
                <Stat label="Failed" value={formatCount(j.failed)} />
              </Stats>
              {j.failureReason && <p className="notice">The import failed: {j.failureReason}</p>}
              {j.errors.length > 0 && (
                <DataTable
                  caption={`Rows not imported${j.failed > j.errors.length ? ` (first ${formatCount(j.errors.length)})` : ''}`}
                  rows={j.errors}
                  rowKey={(r) => `${r.row}-${r.column ?? ''}`}
                  columns={[
                    { header: 'Row', numeric: true, cell: (r) => formatCount(r.row) },
                    { header: 'Column', cell: (r) => r.column ?? '—' },
                    { header: 'Problem', cell: (r) => r.reason },
                  ]}
                />
              )}
            </>
          )}
          {job.error && <ErrorView error={job.error} title="Could not follow the import" />}
        </div>
      )}
    </Section>
  );
}
