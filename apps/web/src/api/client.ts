// The one HTTP client of the app: typed by the API's OpenAPI document (schema.d.ts, generated),
// sends the API key, and turns every non-2xx answer into an ApiError carrying the API's message,
// code and request id (shown to the marketer by <ErrorView>).
import createClient, { type Middleware } from 'openapi-fetch';
import { session } from '../auth/session';
import type { components, paths } from './schema';

export type ErrorBody = components['schemas']['ErrorBody'];

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly requestId: string | null,
    readonly code?: string,
    readonly errorId?: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

const withApiKey: Middleware = {
  onRequest({ request }) {
    const key = session.apiKey();
    if (key) {
      request.headers.set('authorization', `Bearer ${key}`);
    }
    return request;
  },
};

export const api = createClient<paths>({ baseUrl: window.location.origin });
api.use(withApiKey);

function isErrorBody(body: unknown): body is ErrorBody {
  return typeof body === 'object' && body !== null && 'message' in body && 'statusCode' in body;
}

/** The error of an answer that is not 2xx, from its body when it is the API's error body. */
export function toApiError(status: number, requestId: string | null, body: unknown): ApiError {
  if (isErrorBody(body)) {
    return new ApiError(
      status,
      body.message,
      body.requestId ?? requestId,
      body.code,
      body.errorId,
      body.details,
    );
  }
  const text = typeof body === 'string' && body.length < 300 ? `: ${body}` : '';
  return new ApiError(status, `HTTP ${status}${text}`, requestId);
}

/**
 * The data of an openapi-fetch answer, or an ApiError. A 401 signs the tab out: the key was
 * revoked or mistyped, and every later call would fail the same way.
 */
export async function unwrap<T>(
  call: Promise<{ data?: T; error?: unknown; response: Response }>,
): Promise<T> {
  const { data, error, response } = await call;
  if (response.ok) {
    return data as T;
  }
  const e = toApiError(response.status, response.headers.get('x-request-id'), error);
  if (response.status === 401) {
    session.refused(e.message);
  }
  throw e;
}

/**
 * Uploads a file with progress (fetch cannot report upload progress; XMLHttpRequest can). Answers
 * the parsed JSON body, or throws ApiError.
 */
export function uploadFile<T>(
  path: string,
  file: File,
  onProgress: (sentFraction: number) => void,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', path);
    const key = session.apiKey();
    if (key) {
      xhr.setRequestHeader('authorization', `Bearer ${key}`);
    }
    xhr.setRequestHeader('content-type', 'text/csv');
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable) {
        onProgress(e.loaded / e.total);
      }
    };
    xhr.onerror = () => reject(new ApiError(0, 'the upload failed: network error', null));
    xhr.onload = () => {
      let body: unknown = xhr.responseText;
      try {
        body = JSON.parse(xhr.responseText);
      } catch {
        // not JSON: keep the text
      }
      if (xhr.status >= 200 && xhr.status < 300) {
        resolve(body as T);
      } else {
        const e = toApiError(xhr.status, xhr.getResponseHeader('x-request-id'), body);
        if (xhr.status === 401) {
          session.refused(e.message);
        }
        reject(e);
      }
    };
    xhr.send(file);
  });
}

/**
 * Downloads an authenticated file (a plain link cannot send the Authorization header): fetches it,
 * then saves it under `filename` through an object URL.
 */
export async function downloadFile(path: string, filename: string): Promise<void> {
  const key = session.apiKey();
  const response = await fetch(path, {
    headers: key ? { authorization: `Bearer ${key}` } : {},
  });
  if (!response.ok) {
    const text = await response.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // not JSON
    }
    const e = toApiError(response.status, response.headers.get('x-request-id'), body);
    if (response.status === 401) {
      session.refused(e.message);
    }
    throw e;
  }
  const url = URL.createObjectURL(await response.blob());
  try {
    const a = document.createElement('a');
    a.href = url;
    a.download = filename;
    document.body.append(a);
    a.click();
    a.remove();
  } finally {
    // The click has handed the blob to the browser's download; the URL is no longer needed.
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  }
}
