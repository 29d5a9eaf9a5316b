import { ApiError } from '../api/client';

function detailLines(details: unknown): string[] {
  if (Array.isArray(details)) {
    return details.map((d: unknown) =>
      typeof d === 'object' && d !== null && 'field' in d && 'message' in d
        ? `${String(d.field)}: ${String(d.message)}`
        : JSON.stringify(d),
    );
  }
  return details === undefined || details === null ? [] : [JSON.stringify(details)];
}

/** An API error as the marketer (and whoever they ask for help) needs it: what, and the request id. */
export function ErrorView({
  error,
  title = 'Something went wrong',
}: {
  error: unknown;
  title?: string;
}) {
  const e = error instanceof ApiError ? error : null;
  const message = error instanceof Error ? error.message : String(error);
  return (
    <div className="error" role="alert">
      <strong>{title}</strong>
      <p className="error-message">{message}</p>
      {e && detailLines(e.details).length > 0 && (
        <ul>
          {detailLines(e.details).map((line) => (
            <li key={line}>{line}</li>
          ))}
        </ul>
      )}
      {e && (
        <p className="error-meta">
          {e.status > 0 && <span>HTTP {e.status}</span>}
          {e.code && <span>code {e.code}</span>}
          {e.requestId && (
            <span>
              request id <code data-request-id>{e.requestId}</code>
            </span>
          )}
          {e.errorId && (
            <span>
              error id <code>{e.errorId}</code>
            </span>
          )}
        </p>
      )}
    </div>
  );
}
