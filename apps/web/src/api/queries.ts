// Every API call of the app as a TanStack Query hook, with the query keys in one place so a
// mutation can refresh exactly what it changed. A page for a new concept (segments, follow-ups)
// adds its hooks here, next to the ones it resembles.
import {
  keepPreviousData,
  queryOptions,
  useMutation,
  useQuery,
  useQueryClient,
  type QueryClient,
  type UseQueryResult,
} from '@tanstack/react-query';
import { api, unwrap } from './client';
import {
  isLive,
  mayStillChange,
  type Audience,
  type Campaign,
  type CampaignAction,
  type CampaignCreate,
  type CampaignFollowUp,
  type FrequencyCap,
  type MessageFilter,
  type SegmentFilter,
  type TemplateParameters,
} from './types';

/** How often live pages poll while a campaign may still change. */
export const LIVE_POLL_MS = 2000;

export const keys = {
  overview: (from: string, to: string) => ['overview', from, to] as const,
  campaigns: (status?: string, cursor?: string) => ['campaigns', status, cursor] as const,
  campaign: (id: string) => ['campaign', id] as const,
  report: (id: string) => ['campaign', id, 'report'] as const,
  plan: (id: string) => ['campaign', id, 'plan'] as const,
  messages: (id: string, filter: MessageFilter) => ['campaign', id, 'messages', filter] as const,
  audiences: (cursor?: string) => ['audiences', cursor] as const,
  audience: (id: string) => ['audience', id] as const,
  members: (id: string, cursor?: string, limit?: number) =>
    ['audience', id, 'members', cursor, limit] as const,
  importJob: (id: string) => ['import', id] as const,
  templates: (status?: string, cursor?: string) => ['templates', status, cursor] as const,
  template: (id: string) => ['template', id] as const,
  preview: (id: string, body: unknown) => ['template', id, 'preview', body] as const,
  phoneNumbers: () => ['phone-numbers'] as const,
  segments: (cursor?: string, limit?: number) => ['segments', cursor, limit] as const,
  segment: (id: string) => ['segment', id] as const,
  segmentCount: (id: string) => ['segment', id, 'count'] as const,
  segmentPreview: (filter: SegmentFilter) => ['segment-preview', filter] as const,
  frequencyCap: () => ['settings', 'frequency-cap'] as const,
};

const poll = (live: boolean): number | false => (live ? LIVE_POLL_MS : false);

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;

/** The overview's last 30 days, to the minute (so a prefetch and the page ask the same thing). */
export function overviewPeriod(now = Date.now()): { from: string; to: string } {
  const to = Math.ceil(now / MINUTE_MS) * MINUTE_MS;
  return { from: new Date(to - 30 * DAY_MS).toISOString(), to: new Date(to).toISOString() };
}

// Query definitions shared by the hooks below and the routes' prefetches (routes.tsx), which
// start a page's requests while its code is still loading.
const overviewQuery = (from: string, to: string) =>
  queryOptions({
    queryKey: keys.overview(from, to),
    queryFn: () => unwrap(api.GET('/v1/reports/overview', { params: { query: { from, to } } })),
  });

const campaignQuery = (id: string) =>
  queryOptions({
    queryKey: keys.campaign(id),
    queryFn: () => unwrap(api.GET('/v1/campaigns/{id}', { params: { path: { id } } })),
  });

const reportQuery = (id: string) =>
  queryOptions({
    queryKey: keys.report(id),
    queryFn: () => unwrap(api.GET('/v1/campaigns/{id}/report', { params: { path: { id } } })),
  });

const messagesQuery = (id: string, filter: MessageFilter) =>
  queryOptions({
    queryKey: keys.messages(id, filter),
    queryFn: () =>
      unwrap(api.GET('/v1/campaigns/{id}/messages', { params: { path: { id }, query: filter } })),
  });

export const prefetch = {
  overview(client: QueryClient): void {
    const { from, to } = overviewPeriod();
    void client.prefetchQuery(overviewQuery(from, to));
  },
  campaignPage(client: QueryClient, id: string, recipients: MessageFilter): void {
    void client.prefetchQuery(campaignQuery(id));
    void client.prefetchQuery(reportQuery(id));
    void client.prefetchQuery(messagesQuery(id, recipients));
  },
};

export function useOverview(from: string, to: string) {
  return useQuery(overviewQuery(from, to));
}

export function useCampaigns(status?: Campaign['status'], cursor?: string) {
  return useQuery({
    queryKey: keys.campaigns(status, cursor),
    queryFn: () =>
      unwrap(
        api.GET('/v1/campaigns', {
          params: { query: { status, cursor, order: 'desc', limit: 25 } },
        }),
      ),
    placeholderData: keepPreviousData,
    // Progress bars move while any listed campaign sends.
    refetchInterval: (q) => poll(q.state.data?.data.some((c) => isLive(c.status)) ?? false),
  });
}

/** A campaign, polled while it may still change; null loads nothing. */
export function useCampaign(id: string | null): UseQueryResult<Campaign> {
  return useQuery({
    ...campaignQuery(id ?? ''),
    enabled: id !== null,
    refetchInterval: (q) => poll(mayStillChange(q.state.data)),
  });
}

/** The report, polled as long as the campaign's figures may still move. */
export function useCampaignReport(campaign: Campaign) {
  return useQuery({
    ...reportQuery(campaign.id),
    // A draft has no results yet.
    enabled: campaign.status !== 'draft',
    refetchInterval: () => poll(mayStillChange(campaign)),
  });
}

export function useCampaignPlan(id: string, enabled: boolean) {
  return useQuery({
    queryKey: keys.plan(id),
    queryFn: () => unwrap(api.GET('/v1/campaigns/{id}/plan', { params: { path: { id } } })),
    enabled,
  });
}

/** A page of the campaign's recipients, polled as long as its figures may still move. */
export function useCampaignMessages(campaign: Campaign, filter: MessageFilter) {
  return useQuery({
    ...messagesQuery(campaign.id, filter),
    placeholderData: keepPreviousData,
    refetchInterval: () => poll(mayStillChange(campaign)),
  });
}

/** Refreshes a campaign and its lists after a change made through one of its actions. */
async function refreshCampaign(client: QueryClient, campaign: Campaign): Promise<void> {
  client.setQueryData(keys.campaign(campaign.id), campaign);
  await client.invalidateQueries({ queryKey: ['campaign', campaign.id] });
  await client.invalidateQueries({ queryKey: ['campaigns'] });
}

export function useCampaignAction(id: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (action: CampaignAction) => {
      const path = { params: { path: { id } } };
      switch (action) {
        case 'launch':
          return unwrap(api.POST('/v1/campaigns/{id}/launch', path));
        case 'pause':
          return unwrap(api.POST('/v1/campaigns/{id}/pause', path));
        case 'resume':
          return unwrap(api.POST('/v1/campaigns/{id}/resume', path));
        case 'cancel':
          return unwrap(api.POST('/v1/campaigns/{id}/cancel', path));
      }
    },
    onSuccess: (campaign) => refreshCampaign(client, campaign),
  });
}

/** A draft to the parent's recipients with an outcome (e.g. delivered_not_read). */
export function useFollowUp(parentId: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: CampaignFollowUp) =>
      unwrap(
        api.POST('/v1/campaigns/{id}/follow-up', { params: { path: { id: parentId } }, body }),
      ),
    onSuccess: (campaign) => refreshCampaign(client, campaign),
  });
}

/** Sends failed messages again (only those of `errorCodes` when given), by their retry class. */
export function useRetryFailed(id: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (errorCodes: number[] | undefined) =>
      unwrap(
        api.POST('/v1/campaigns/{id}/retry', {
          params: { path: { id } },
          body: errorCodes ? { errorCodes } : {},
        }),
      ),
    onSuccess: async () => {
      await client.invalidateQueries({ queryKey: ['campaign', id] });
      await client.invalidateQueries({ queryKey: ['campaigns'] });
    },
  });
}

/** Ends an A/B test by hand: this variant wins and goes to the rest of the target. */
export function usePromoteVariant(id: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (key: string) =>
      unwrap(
        api.POST('/v1/campaigns/{id}/variants/{key}/promote', { params: { path: { id, key } } }),
      ),
    onSuccess: (campaign) => refreshCampaign(client, campaign),
  });
}

export function useCreateCampaign() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: CampaignCreate) => unwrap(api.POST('/v1/campaigns', { body })),
    onSuccess: async (campaign) => {
      client.setQueryData(keys.campaign(campaign.id), campaign);
      await client.invalidateQueries({ queryKey: ['campaigns'] });
    },
  });
}

export function useAudiences(cursor?: string) {
  return useQuery({
    queryKey: keys.audiences(cursor),
    queryFn: () => unwrap(api.GET('/v1/audiences', { params: { query: { cursor, limit: 100 } } })),
    placeholderData: keepPreviousData,
  });
}

/** An audience; null (a campaign that targets a segment or a parent campaign) loads nothing. */
export function useAudience(id: string | null) {
  return useQuery({
    queryKey: keys.audience(id ?? ''),
    queryFn: () => unwrap(api.GET('/v1/audiences/{id}', { params: { path: { id: id ?? '' } } })),
    enabled: id !== null,
  });
}

export function useAudienceMembers(id: string | undefined, cursor?: string, limit = 50) {
  return useQuery({
    queryKey: keys.members(id ?? '', cursor, limit),
    queryFn: () =>
      unwrap(
        api.GET('/v1/audiences/{id}/members', {
          params: { path: { id: id ?? '' }, query: { cursor, limit } },
        }),
      ),
    enabled: id !== undefined && id !== '',
    placeholderData: keepPreviousData,
  });
}

export function useCreateAudience() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: { name: string; description?: string }): Promise<Audience> =>
      unwrap(api.POST('/v1/audiences', { body })),
    onSuccess: () => client.invalidateQueries({ queryKey: ['audiences'] }),
  });
}

/** An import's progress, polled until it is completed or failed. */
export function useImportJob(id: string | null) {
  const client = useQueryClient();
  return useQuery({
    queryKey: keys.importJob(id ?? ''),
    queryFn: async () => {
      const job = await unwrap(api.GET('/v1/imports/{id}', { params: { path: { id: id ?? '' } } }));
      if (job.status === 'completed' || job.status === 'failed') {
        // The audience's member count and members changed with it.
        await client.invalidateQueries({ queryKey: ['audience', job.audienceId] });
        await client.invalidateQueries({ queryKey: ['audiences'] });
      }
      return job;
    },
    enabled: id !== null,
    refetchInterval: (q) => {
      const s = q.state.data?.status;
      return s === 'completed' || s === 'failed' ? false : 500;
    },
  });
}

export function useTemplates(status?: string, cursor?: string) {
  return useQuery({
    queryKey: keys.templates(status, cursor),
    queryFn: () =>
      unwrap(api.GET('/v1/templates', { params: { query: { status, cursor, limit: 100 } } })),
    placeholderData: keepPreviousData,
  });
}

export function useTemplate(id: string | undefined) {
  return useQuery({
    queryKey: keys.template(id ?? ''),
    queryFn: () => unwrap(api.GET('/v1/templates/{id}', { params: { path: { id: id ?? '' } } })),
    enabled: id !== undefined && id !== '',
  });
}

export interface PreviewInput {
  contactId?: string;
  attributes?: Record<string, unknown>;
  parameters?: TemplateParameters;
}

/** The template rendered as the sender would render it (kept while the next one loads). */
export function useTemplatePreview(id: string | undefined, body: PreviewInput | null) {
  return useQuery({
    queryKey: keys.preview(id ?? '', body),
    queryFn: () =>
      unwrap(
        api.POST('/v1/templates/{id}/preview', {
          params: { path: { id: id ?? '' } },
          body: body ?? {},
        }),
      ),
    enabled: id !== undefined && id !== '' && body !== null,
    placeholderData: keepPreviousData,
  });
}

export function usePhoneNumbers() {
  return useQuery({
    queryKey: keys.phoneNumbers(),
    queryFn: () => unwrap(api.GET('/v1/phone-numbers', { params: { query: { limit: 100 } } })),
    staleTime: 60_000,
  });
}

export function useSegments(cursor?: string, limit = 50) {
  return useQuery({
    queryKey: keys.segments(cursor, limit),
    queryFn: () => unwrap(api.GET('/v1/segments', { params: { query: { cursor, limit } } })),
    placeholderData: keepPreviousData,
  });
}

/** A segment; null (a campaign without one, a new segment) loads nothing. */
export function useSegment(id: string | null) {
  return useQuery({
    queryKey: keys.segment(id ?? ''),
    queryFn: () => unwrap(api.GET('/v1/segments/{id}', { params: { path: { id: id ?? '' } } })),
    enabled: id !== null,
  });
}

/** Who a saved segment matches now (count, eligible, samples); null loads nothing. */
export function useSegmentCount(id: string | null) {
  return useQuery({
    queryKey: keys.segmentCount(id ?? ''),
    queryFn: () =>
      unwrap(api.GET('/v1/segments/{id}/count', { params: { path: { id: id ?? '' } } })),
    enabled: id !== null,
  });
}

/** Who a filter matches now, without saving it (kept on screen while the next one loads). */
export function useSegmentPreview(filter: SegmentFilter | null) {
  return useQuery({
    queryKey: keys.segmentPreview(filter ?? {}),
    queryFn: () => unwrap(api.POST('/v1/segments/preview', { body: { filter: filter ?? {} } })),
    enabled: filter !== null,
    placeholderData: keepPreviousData,
  });
}

export function useSaveSegment(id: string | null) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: { name: string; filter: SegmentFilter }) =>
      id === null
        ? unwrap(api.POST('/v1/segments', { body }))
        : unwrap(api.PATCH('/v1/segments/{id}', { params: { path: { id } }, body })),
    onSuccess: async (segment) => {
      client.setQueryData(keys.segment(segment.id), segment);
      await client.invalidateQueries({ queryKey: ['segment', segment.id, 'count'] });
      await client.invalidateQueries({ queryKey: ['segments'] });
    },
  });
}

export function useDeleteSegment(id: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: () => unwrap(api.DELETE('/v1/segments/{id}', { params: { path: { id } } })),
    onSuccess: async () => {
      client.removeQueries({ queryKey: keys.segment(id) });
      await client.invalidateQueries({ queryKey: ['segments'] });
    },
  });
}

/** The workspace's frequency cap; null: none. */
export function useFrequencyCap() {
  return useQuery({
    queryKey: keys.frequencyCap(),
    // The API answers an empty body for "no cap".
    queryFn: async (): Promise<FrequencyCap | null> =>
      (await unwrap(api.GET('/v1/settings/frequency-cap'))) ?? null,
  });
}

/** Sets the cap, or removes it with null (admin keys only: others get the API's 403). */
export function useSetFrequencyCap() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: async (cap: FrequencyCap | null): Promise<FrequencyCap | null> =>
      (await unwrap(api.PATCH('/v1/settings/frequency-cap', { body: cap }))) ?? null,
    onSuccess: (cap) => client.setQueryData(keys.frequencyCap(), cap),
  });
}
