// The app's pages: one entry each. A page's module is loaded when it is first visited (its own
// chunk), and entries with `nav` appear in the navigation in this order. To add a page (e.g.
// Segments): write pages/segments/SegmentsPage.tsx with a default export, add its hooks to
// api/queries.ts, and add { path: 'segments', nav: 'Segments', page: () => import(…) } here.
import type { ComponentType } from 'react';

export interface AppRoute {
  /** Below /app; '' is the overview. */
  path: string;
  /** Its label in the navigation, when it has one. */
  nav?: string;
  page: () => Promise<{ default: ComponentType }>;
}

export const ROUTES: AppRoute[] = [
  { path: '', nav: 'Overview', page: () => import('./pages/overview/OverviewPage') },
  { path: 'campaigns', nav: 'Campaigns', page: () => import('./pages/campaigns/CampaignsPage') },
  { path: 'campaigns/new', page: () => import('./pages/campaigns/NewCampaignPage') },
  { path: 'campaigns/:id', page: () => import('./pages/campaigns/CampaignPage') },
  { path: 'audiences', nav: 'Audiences', page: () => import('./pages/audiences/AudiencesPage') },
  { path: 'audiences/:id', page: () => import('./pages/audiences/AudiencePage') },
  { path: 'templates', nav: 'Templates', page: () => import('./pages/templates/TemplatesPage') },
  { path: 'templates/:id', page: () => import('./pages/templates/TemplatePage') },
];

/** Where the API serves the app (apps/api/src/http/web-app.ts); the router's basename. */
export const BASE_PATH = '/app';
