import { Agent, request, type Dispatcher } from 'undici';
import {
  MM_INSIGHTS_FIELDS,
  PHONE_NUMBER_FIELDS,
  TEMPLATE_FIELDS,
  type CloudMessageRequest,
  type GraphList,
  type GraphPhoneNumber,
  type GraphSuccess,
  type GraphTemplate,
  type GraphTemplateStatus,
  type MarketingMessageRequest,
  type MmInsightsField,
  type MmInsightsRow,
  type SendMessageResponse,
  type TemplateAnalyticsMetric,
  type TemplateAnalyticsProductType,
  type TemplateAnalyticsResponse,
  type TemplateCreateRequest,
  type TemplateEditRequest,
  type TemplateCreateResponse,
} from '@app/graph-contract';
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

/** Parsed answer of a send (§1.3): the wamid, and `message_status` when Meta sent one. */
export interface SendResult {
  wamid: string;
  messageStatus: string | null;
  /** `contacts[0].wa_id` (absent when sent by BSUID). */
  waId: string | null;
  input: string | null;
  usage: GraphUsage;
}

export interface ListTemplatesOptions {
  limit?: number;
  after?: string;
  fields?: string | string[];
  name?: string;
  status?: GraphTemplateStatus | Lowercase<GraphTemplateStatus>;
}

export interface TemplatePage {
  data: GraphTemplate[];
  /** Cursor of the next page, or null on the last page. */
  after: string | null;
  next: string | null;
}

export interface TemplateAnalyticsQuery {
  /** Inclusive start; Date, unix seconds or `YYYY-MM-DD` (Meta snaps to 00:00 UTC). */
  start: Date | number | string;
  end: Date | number | string;
  /** At most 10 per call (Meta's limit). */
  templateIds: string[];
  metricTypes?: TemplateAnalyticsMetric[];
  /** Defaults to MM: omitted, Meta answers Cloud API data only (§7.1). */
  productType?: TemplateAnalyticsProductType;
}

export interface TemplateBenchmarks {
  templateId: string;
  adId: string;
  /** Percent, parsed from Meta's strings; null when Meta did not answer the field. */
  readRateBenchmark: number | null;
  clickRateBenchmark: number | null;
  /** Every field of the insights row as Meta sent it (strings). */
  row: MmInsightsRow;
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

/** Errors that mean the request never reached the server: no connection was made. */
const CONNECT_ERRORS = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
]);

function neverLeft(e: unknown): boolean {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'string' && CONNECT_ERRORS.has(code);
}

/** Speaks the Graph API with pooled keep-alive connections; throws GraphApiError for every failure. */
export class GraphClient {
  private readonly dispatcher: Dispatcher;

  constructor(private readonly options: GraphClientOptions) {
    this.dispatcher = new Agent({
      connections: options.connections ?? 64,
      keepAliveTimeout: 30_000,
      pipelining: 1,
      connect: { timeout: options.timeoutMs },
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
        0,
        !neverLeft(e),
      );
    }
    let text: string;
    try {
      text = await res.body.text();
    } catch (e) {
      // Headers came, the body did not: whatever it said is lost.
      throw GraphApiError.transport(
        `Graph API answer cut off: ${e instanceof Error ? e.message : String(e)}`,
        res.statusCode,
      );
    }
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

  private static sendResult(res: GraphResponse<SendMessageResponse>): SendResult {
    const message = res.body.messages?.[0];
    if (!message || typeof message.id !== 'string') {
      throw GraphApiError.transport('Graph API accepted a send without a message id', res.status);
    }
    const contact = res.body.contacts?.[0];
    return {
      wamid: message.id,
      messageStatus: message.message_status ?? null,
      waId: contact?.wa_id ?? null,
      input: contact?.input ?? null,
      usage: res.usage,
    };
  }

  /** `POST /{phone-number-id}/marketing_messages` (MM Lite, §1). */
  async sendMarketingMessage(
    phoneNumberId: string,
    token: string,
    body: MarketingMessageRequest,
  ): Promise<SendResult> {
    const res = await this.call<SendMessageResponse>(
      'POST',
      `${phoneNumberId}/marketing_messages`,
      { token, body },
    );
    return GraphClient.sendResult(res);
  }

  /** `POST /{phone-number-id}/messages` (Cloud API): utility templates, replies, fallback. */
  async sendMessage(
    phoneNumberId: string,
    token: string,
    body: CloudMessageRequest,
  ): Promise<SendResult> {
    const res = await this.call<SendMessageResponse>('POST', `${phoneNumberId}/messages`, {
      token,
      body,
    });
    return GraphClient.sendResult(res);
  }

  /** `POST /{waba-id}/message_templates` → `{id, status, category}` (§3.1). */
  async createTemplate(
    wabaId: string,
    token: string,
    body: TemplateCreateRequest,
  ): Promise<TemplateCreateResponse> {
    const res = await this.call<TemplateCreateResponse>('POST', `${wabaId}/message_templates`, {
      token,
      body,
    });
    return { id: String(res.body.id), status: res.body.status, category: res.body.category };
  }

  /** `POST /{template-id}`: edits a template (§3.3); Meta answers `{ success: true }`. */
  async editTemplate(
    templateId: string,
    token: string,
    body: TemplateEditRequest,
  ): Promise<boolean> {
    const res = await this.call<GraphSuccess>('POST', templateId, { token, body });
    return res.body.success === true;
  }

  /** One page of `GET /{waba-id}/message_templates` (§3.2); pass `after` to get the next. */
  async listTemplates(
    wabaId: string,
    token: string,
    opts: ListTemplatesOptions = {},
  ): Promise<TemplatePage> {
    const fields = Array.isArray(opts.fields) ? opts.fields.join(',') : opts.fields;
    const res = await this.call<GraphList<GraphTemplate>>('GET', `${wabaId}/message_templates`, {
      token,
      query: {
        fields: fields ?? TEMPLATE_FIELDS,
        limit: opts.limit,
        after: opts.after,
        name: opts.name,
        status: opts.status,
      },
    });
    const next = res.body.paging?.next ?? null;
    return {
      data: res.body.data ?? [],
      // Meta returns `cursors.after` on the last page too; only `next` says there is more.
      after: next ? (res.body.paging?.cursors?.after ?? null) : null,
      next,
    };
  }

  /** Every template of the WABA, following `paging.next`. */
  listAllTemplates(
    wabaId: string,
    token: string,
    fields: string | string[] = TEMPLATE_FIELDS,
  ): Promise<GraphTemplate[]> {
    return this.listAll<GraphTemplate>(`${wabaId}/message_templates`, {
      token,
      query: { fields: Array.isArray(fields) ? fields.join(',') : fields, limit: 100 },
    });
  }

  /** `GET /{template-id}?fields=…`. */
  async getTemplate(
    templateId: string,
    token: string,
    fields: string | string[] = TEMPLATE_FIELDS,
  ): Promise<GraphTemplate> {
    const res = await this.call<GraphTemplate>('GET', templateId, {
      token,
      query: { fields: Array.isArray(fields) ? fields.join(',') : fields },
    });
    return res.body;
  }

  /** `DELETE /{waba-id}/message_templates?name=…[&hsm_id=…]`: all languages, or just one template. */
  async deleteTemplate(
    wabaId: string,
    token: string,
    target: { name: string; hsmId?: string },
  ): Promise<boolean> {
    const res = await this.call<GraphSuccess>('DELETE', `${wabaId}/message_templates`, {
      token,
      query: { name: target.name, hsm_id: target.hsmId },
    });
    return res.body.success === true;
  }

  /** `GET /{phone-number-id}?fields=throughput,whatsapp_business_manager_messaging_limit,…` (§6). */
  async getPhoneNumber(
    phoneNumberId: string,
    token: string,
    fields: string = PHONE_NUMBER_FIELDS,
  ): Promise<GraphPhoneNumber> {
    const res = await this.call<GraphPhoneNumber>('GET', phoneNumberId, {
      token,
      query: { fields },
    });
    return res.body;
  }

  /** `GET /{waba-id}/template_analytics` (§7.1), MM product by default. */
  async templateAnalytics(
    wabaId: string,
    token: string,
    q: TemplateAnalyticsQuery,
  ): Promise<TemplateAnalyticsResponse> {
    if (q.templateIds.length === 0 || q.templateIds.length > 10) {
      throw new GraphApiError(0, 100, 'template_ids must list 1 to 10 templates (Meta limit)');
    }
    const instant = (v: Date | number | string): string | number =>
      v instanceof Date ? Math.floor(v.getTime() / 1000) : v;
    const res = await this.call<TemplateAnalyticsResponse>('GET', `${wabaId}/template_analytics`, {
      token,
      query: {
        start: instant(q.start),
        end: instant(q.end),
        granularity: 'daily',
        template_ids: `[${q.templateIds.join(',')}]`,
        metric_types: q.metricTypes?.join(','),
        product_type: q.productType ?? 'MARKETING_MESSAGES_API_FOR_WHATSAPP',
      },
    });
    return res.body;
  }

  /**
   * MM read/click-rate benchmarks of a marketing template (§7.2): its `ad_id` from the template
   * fields, then `GET /{ad-id}/insights` with the benchmark fields (Meta answers strings).
   */
  async templateBenchmarks(
    templateId: string,
    token: string,
    fields: readonly MmInsightsField[] = MM_INSIGHTS_FIELDS,
  ): Promise<TemplateBenchmarks | null> {
    const template = await this.getTemplate(templateId, token, 'id,category,ad_id');
    if (!template.ad_id) {
      return null;
    }
    const res = await this.call<{ data?: MmInsightsRow[] }>('GET', `${template.ad_id}/insights`, {
      token,
      query: { fields: fields.join(',') },
    });
    const row = res.body.data?.[0];
    if (!row) {
      return null;
    }
    const num = (v: string | undefined): number | null => {
      const n = v === undefined ? NaN : Number(v);
      return Number.isFinite(n) ? n : null;
    };
    return {
      templateId,
      adId: template.ad_id,
      readRateBenchmark: num(row.marketing_messages_read_rate_benchmark),
      clickRateBenchmark: num(row.marketing_messages_click_rate_benchmark),
      row,
    };
  }

  listPhoneNumbers(wabaId: string, token: string): Promise<GraphPhoneNumber[]> {
    return this.listAll<GraphPhoneNumber>(`${wabaId}/phone_numbers`, {
      token,
      query: { fields: PHONE_NUMBER_FIELDS, limit: 100 },
    });
  }
}
