import { Agent, request, type Dispatcher } from 'undici';
import { PHONE_NUMBER_FIELDS, type GraphList, type GraphPhoneNumber } from '@app/graph-contract';
import { GraphApiError } from './graph-api.error';

export interface GraphClientOptions {
  baseUrl: string;
  version: string;
  timeoutMs: number;
  /** Keep-alive connections per origin. */
  connections?: number;
}

export interface GraphUsage {
  /** `X-App-Usage` percentages (0–100). */
  app: Record<string, number> | null;
  /** `X-Business-Use-Case-Usage`, keyed by business object id. */
  businessUseCase: Record<string, Array<Record<string, unknown>>> | null;
}

export interface GraphResponse<T> {
  status: number;
  body: T;
  usage: GraphUsage;
}

export interface GraphRequest {
  token: string;
  query?: Record<string, string | number | undefined>;
  body?: unknown;
}

function parseJsonHeader<T>(value: string | string[] | undefined): T | null {
  const raw = Array.isArray(value) ? value[0] : value;
  if (!raw) {
    return null;
  }
  try {
    return JSON.parse(raw) as T;
  } catch {
    return null;
  }
}

/** Longest `estimated_time_to_regain_access` (minutes) in the usage header, as ms. */
function regainAccessMs(usage: GraphUsage): number | null {
  let minutes = 0;
  for (const entries of Object.values(usage.businessUseCase ?? {})) {
    for (const e of entries) {
      const m = Number(e['estimated_time_to_regain_access'] ?? 0);
      if (m > minutes) {
        minutes = m;
      }
    }
  }
  return minutes > 0 ? minutes * 60_000 : null;
}

/** Speaks the Graph API with pooled keep-alive connections; throws GraphApiError for every failure. */
export class GraphClient {
  private readonly dispatcher: Dispatcher;

  constructor(private readonly options: GraphClientOptions) {
    this.dispatcher = new Agent({
      connections: options.connections ?? 64,
      keepAliveTimeout: 30_000,
      pipelining: 1,
    });
  }

  async close(): Promise<void> {
    await this.dispatcher.close();
  }

  url(path: string, query?: GraphRequest['query']): string {
    const u = new URL(
      `${this.options.baseUrl}/${this.options.version}/${path.replace(/^\/+/, '')}`,
    );
    for (const [k, v] of Object.entries(query ?? {})) {
      if (v !== undefined) {
        u.searchParams.set(k, String(v));
      }
    }
    return u.toString();
  }

  async call<T>(
    method: 'GET' | 'POST' | 'DELETE',
    path: string,
    req: GraphRequest,
  ): Promise<GraphResponse<T>> {
    return this.fetchUrl<T>(method, this.url(path, req.query), req);
  }

  private async fetchUrl<T>(
    method: 'GET' | 'POST' | 'DELETE',
    url: string,
    req: GraphRequest,
  ): Promise<GraphResponse<T>> {
    let res: Dispatcher.ResponseData;
    try {
      res = await request(url, {
        method,
        dispatcher: this.dispatcher,
        headers: {
          authorization: `Bearer ${req.token}`,
          ...(req.body !== undefined ? { 'content-type': 'application/json' } : {}),
        },
        body: req.body !== undefined ? JSON.stringify(req.body) : undefined,
        headersTimeout: this.options.timeoutMs,
        bodyTimeout: this.options.timeoutMs,
      });
    } catch (e) {
      throw GraphApiError.transport(
        `Graph API request failed: ${e instanceof Error ? e.message : String(e)}`,
      );
    }
    const text = await res.body.text();
    let body: unknown = null;
    try {
      body = text.length ? JSON.parse(text) : null;
    } catch {
      body = null;
    }
    const usage: GraphUsage = {
      app: parseJsonHeader(res.headers['x-app-usage']),
      businessUseCase: parseJsonHeader(res.headers['x-business-use-case-usage']),
    };
    if (res.statusCode >= 400 || (body !== null && typeof body === 'object' && 'error' in body)) {
      throw GraphApiError.fromBody(res.statusCode, body, regainAccessMs(usage));
    }
    if (body === null) {
      throw GraphApiError.transport(
        `Graph API answered HTTP ${res.statusCode} with no JSON body`,
        res.statusCode,
      );
    }
    return { status: res.statusCode, body: body as T, usage };
  }

  /** Every page of a Graph list, following `paging.next` (bounded, in case of a looping cursor). */
  async listAll<T>(path: string, req: GraphRequest, maxPages = 1000): Promise<T[]> {
    const out: T[] = [];
    let url: string | undefined = this.url(path, req.query);
    for (let page = 0; url && page < maxPages; page++) {
      const res: GraphResponse<GraphList<T>> = await this.fetchUrl<GraphList<T>>('GET', url, req);
      out.push(...(res.body.data ?? []));
      url = res.body.paging?.next;
    }
    return out;
  }

  listPhoneNumbers(wabaId: string, token: string): Promise<GraphPhoneNumber[]> {
    return this.listAll<GraphPhoneNumber>(`${wabaId}/phone_numbers`, {
      token,
      query: { fields: PHONE_NUMBER_FIELDS, limit: 100 },
    });
  }
}
