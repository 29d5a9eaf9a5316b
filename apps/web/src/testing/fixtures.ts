// Test data for the web app's unit specs (never imported by the app itself).
import type { Template } from '../api/types';

/** An approved positional MARKETING template without placeholders, with `over` on top. */
export function aTemplate(over: Partial<Template> = {}): Template {
  return {
    id: 't1',
    businessAccountId: 'b1',
    metaTemplateId: '1',
    name: 'promo',
    language: 'en_US',
    category: 'MARKETING',
    previousCategory: null,
    parameterFormat: 'positional',
    components: [],
    slots: {
      header: [],
      body: [],
      buttons: [],
      headerMedia: null,
      productButtons: [],
      cards: [],
      limitedTimeOffer: false,
    },
    messageSendTtlSeconds: null,
    status: 'APPROVED',
    qualityScore: null,
    rejectedReason: null,
    statusChangedAt: '2026-01-01T00:00:00Z',
    createdAt: '2026-01-01T00:00:00Z',
    updatedAt: '2026-01-01T00:00:00Z',
    ...over,
  };
}
