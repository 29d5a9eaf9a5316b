// The app's pages: one entry each. A page's module is loaded when it is first visited (its own
// chunk), and entries with `nav` appear in the navigation in this order. To add a page: write
// pages/<concept>/<Concept>Page.tsx with a default export, add its hooks to api/queries.ts, and
// add { path: '<concept>', nav: '<Label>', page: () => import(…) } here.
import type { ComponentType } from 'react';
import type { QueryClient } from '@tanstack/react-query';
import { prefetch } from './api/queries';
import { RECIPIENTS_PAGE_SIZE, recipientFilterOf } from './pages/campaigns/recipient-filter';

export interface PrefetchArgs {
  params: Record<string, string | undefined>;
  search: URLSearchParams;
  client: QueryClient;
}

export interface AppRoute {
  /** Below /app; '' is the overview. */
  path: string;
  /** Its label in the navigation, when it has one. */
  nav?: string;
  page: () => Promise<{ default: ComponentType }>;
  /** Starts the page's first requests while its code loads (optional; the page asks anyway). */
  prefetch?: (args: PrefetchArgs) => void;
}

export const ROUTES: AppRoute[] = [
  {
    path: '',
    nav: 'Overview',
    page: () => import('./pages/overview/OverviewPage'),
    prefetch: ({ client }) => prefetch.overview(client),
  },
  { path: 'campaigns', nav: 'Campaigns', page: () => import('./pages/campaigns/CampaignsPage') },
  { path: 'campaigns/new', page: () => import('./pages/campaigns/NewCampaignPage') },
  {
    path: 'campaigns/:id',
    page: () => import('./pages/campaigns/CampaignPage'),
    prefetch: ({ client, params, search }) =>
      prefetch.campaignPage(client, params.id ?? '', {
        ...recipientFilterOf(search),
        limit: RECIPIENTS_PAGE_SIZE,
      }),
  },
  { path: 'audiences', nav: 'Audiences', page: () => import('./pages/audiences/AudiencesPage') },
  { path: 'audiences/:id', page: () => import('./pages/audiences/AudiencePage') },
  { path: 'segments', nav: 'Segments', page: () => import('./pages/segments/SegmentsPage') },
  { path: 'segments/new', page: () => import('./pages/segments/SegmentPage') },
  { path: 'segments/:id', page: () => import('./pages/segments/SegmentPage') },
  { path: 'templates', nav: 'Templates', page: () => import('./pages/templates/TemplatesPage') },
  { path: 'templates/:id', page: () => import('./pages/templates/TemplatePage') },
  { path: 'settings', nav: 'Settings', page: () => import('./pages/settings/SettingsPage') },
];

/** Where the API serves the app (apps/api/src/http/web-app.ts); the router's basename. */
export const BASE_PATH = '/app';
