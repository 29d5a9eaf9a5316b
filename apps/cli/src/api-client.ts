// A small client for the engine's public REST API, shared by the CLI and the demo: JSON in and
// out, the API's error body turned into an ApiError that says what went wrong.
import { Readable } from 'node:stream';

/** A non-2xx answer of the API, carrying its error body (API.md: statusCode, message, code?…). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly method: string,
    readonly path: string,
    readonly body: ErrorBody | null,
    readonly text: string,
  ) {
    super(describeApiError(status, method, path, body, text));
    this.name = 'ApiError';
  }

  /** The server has no such route (an older engine), as opposed to "no such campaign". */
  get routeMissing(): boolean {
    return this.status === 404 && !this.body?.code;
  }
}

/** The API could not be reached at all (wrong URL, engine not running). */
export class ApiUnreachableError extends Error {
  constructor(
    readonly baseUrl: string,
    cause: unknown,
  ) {
    super(
      `cannot reach the API at ${baseUrl}: ${causeText(cause)} (is it running? set MMLITE_API_URL or --api-url)`,
    );
    this.name = 'ApiUnreachableError';
  }
}

export interface ErrorBody {
  statusCode?: number;
  error?: string;
  message?: string | string[];
  code?: string;
  details?: unknown;
  requestId?: string;
  errorId?: string;
}

function causeText(cause: unknown): string {
  if (cause instanceof Error) {
    const inner = (cause as Error & { cause?: unknown }).cause;
    if (inner instanceof Error) {
      const code = (inner as Error & { code?: string }).code;
      return `${cause.message} (${code ?? inner.message})`;
    }
    return cause.message;
  }
  return String(cause);
}

/** One line (plus one per validation detail) saying what the API refused and why. */
export function describeApiError(
  status: number,
  method: string,
  path: string,
  body: ErrorBody | null,
  text: string,
): string {
  const message = Array.isArray(body?.message)
    ? body.message.join('; ')
    : (body?.message ?? (text.trim().slice(0, 500) || '(empty body)'));
  const tags = [
    body?.code ? `code ${body.code}` : null,
    body?.requestId ? `request ${body.requestId}` : null,
    body?.errorId ? `error id ${body.errorId}` : null,
  ].filter((t): t is string => t !== null);
  const head = `${method} ${path} failed with ${status}${body?.error ? ` ${body.error}` : ''}: ${message}`;
  const lines = [tags.length > 0 ? `${head} (${tags.join(', ')})` : head];
  for (const d of detailLines(body?.details)) {
    lines.push(`  - ${d}`);
  }
  return lines.join('\n');
}

function detailLines(details: unknown): string[] {
  if (details === undefined || details === null) {
    return [];
  }
  if (Array.isArray(details)) {
    return details.slice(0, 20).map((d) => {
      if (d && typeof d === 'object') {
        // validation failures: { field, problems[] }; other lists: { row|field, reason|message }
        const o = d as Record<string, unknown>;
        const field = o.field ?? o.row;
        const msg = o.problems ?? o.message ?? o.reason ?? o;
        const text = Array.isArray(msg)
          ? msg.map(String).join('; ')
          : typeof msg === 'string'
            ? msg
            : JSON.stringify(msg);
        return typeof field === 'string' || typeof field === 'number' ? `${field}: ${text}` : text;
      }
      return typeof d === 'string' ? d : JSON.stringify(d);
    });
  }
  if (typeof details === 'object') {
    return Object.entries(details as Record<string, unknown>)
      .slice(0, 20)
      .map(([k, v]) => `${k}: ${typeof v === 'string' ? v : JSON.stringify(v)}`);
  }
  return [typeof details === 'string' ? details : JSON.stringify(details)];
}

export interface RequestOptions {
  body?: unknown;
  headers?: Record<string, string>;
  /** A raw body (e.g. a CSV stream) sent as is with the given content type. */
  raw?: { stream: Readable; contentType: string };
}

export class ApiClient {
  readonly baseUrl: string;

  constructor(
    baseUrl: string,
    private readonly apiKey: string,
  ) {
    this.baseUrl = baseUrl.replace(/\/+$/, '');
  }

  /** Full URL of an API path, for printing "where to look next". */
  url(path: string): string {
    return this.baseUrl + path;
  }

  async json<T>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
    const res = await this.send(method, path, opts);
    const text = await res.text();
    if (!res.ok) {
      throw new ApiError(res.status, method, path, parseBody(text), text);
    }
    return (text ? JSON.parse(text) : null) as T;
  }

  /** The answer as a stream (for CSV exports); throws ApiError on a non-2xx answer. */
  async stream(method: string, path: string): Promise<Readable> {
    const res = await this.send(method, path, {});
    if (!res.ok) {
      const text = await res.text();
      throw new ApiError(res.status, method, path, parseBody(text), text);
    }
    if (!res.body) {
      return Readable.from([]);
    }
    return Readable.fromWeb(res.body as import('node:stream/web').ReadableStream<Uint8Array>);
  }

  private async send(method: string, path: string, opts: RequestOptions): Promise<Response> {
    const headers: Record<string, string> = { ...(opts.headers ?? {}) };
    if (this.apiKey) {
      headers.authorization = `Bearer ${this.apiKey}`;
    }
    let body: string | ReadableStream<Uint8Array> | undefined;
    if (opts.raw) {
      headers['content-type'] = opts.raw.contentType;
      body = Readable.toWeb(opts.raw.stream) as ReadableStream<Uint8Array>;
    } else if (opts.body !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(opts.body);
    }
    try {
      return await fetch(this.baseUrl + path, {
        method,
        headers,
        body,
        // Node's fetch streams a request body only in half-duplex mode.
        ...(opts.raw ? { duplex: 'half' } : {}),
      });
    } catch (e) {
      throw new ApiUnreachableError(this.baseUrl, e);
    }
  }
}

function parseBody(text: string): ErrorBody | null {
  try {
    const parsed: unknown = JSON.parse(text);
    return parsed && typeof parsed === 'object' ? parsed : null;
  } catch {
    return null;
  }
}

/** Every page of a `{ data, nextCursor }` list route. */
export async function* allPages<T>(
  api: ApiClient,
  path: string,
  limit = 1000,
): AsyncGenerator<T[]> {
  let cursor: string | null = null;
  const sep = path.includes('?') ? '&' : '?';
  do {
    const q: string = `${sep}limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
    const page: { data: T[]; nextCursor: string | null } = await api.json('GET', path + q);
    yield page.data;
    cursor = page.nextCursor;
  } while (cursor);
}
