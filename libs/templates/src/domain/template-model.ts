/**
 * The template component model of Meta's create API (MMLITE.md §3.1), which is also ours:
 * what a marketer writes is what is submitted, so nothing is lost in translation.
 */
export type TemplateCategory = 'MARKETING' | 'UTILITY';
export type ParameterFormat = 'positional' | 'named';
export type HeaderFormat = 'TEXT' | 'IMAGE' | 'VIDEO' | 'GIF' | 'DOCUMENT' | 'LOCATION';
/** CATALOG opens the catalog, MPM a multi-product message (catalog / MPM templates, MMLITE-2026 §1 row 20). */
export type ButtonType = 'QUICK_REPLY' | 'URL' | 'PHONE_NUMBER' | 'COPY_CODE' | 'CATALOG' | 'MPM';

export interface NamedExample {
  param_name: string;
  example: string;
}

export interface HeaderComponent {
  type: 'HEADER';
  format: HeaderFormat;
  text?: string;
  example?: {
    header_text?: string[];
    header_text_named_params?: NamedExample[];
    header_handle?: string[];
  };
}

export interface BodyComponent {
  type: 'BODY';
  text: string;
  example?: { body_text?: string[][]; body_text_named_params?: NamedExample[] };
}

export interface FooterComponent {
  type: 'FOOTER';
  text: string;
}

export interface TemplateButton {
  type: ButtonType;
  text: string;
  url?: string;
  phone_number?: string;
  example?: string[] | string;
}

export interface ButtonsComponent {
  type: 'BUTTONS';
  buttons: TemplateButton[];
}

/** One card of a media-card carousel: a media header, an optional body, up to two buttons (§2.5). */
export interface CarouselCard {
  components: Array<HeaderComponent | BodyComponent | ButtonsComponent>;
}

export interface CarouselComponent {
  type: 'CAROUSEL';
  cards: CarouselCard[];
}

/** The expiry banner of a limited-time offer (§2.6); its expiry is a send parameter. */
export interface LimitedTimeOfferComponent {
  type: 'LIMITED_TIME_OFFER';
  limited_time_offer: { text: string; has_expiration?: boolean };
}

export type TemplateComponent =
  | HeaderComponent
  | BodyComponent
  | FooterComponent
  | ButtonsComponent
  | CarouselComponent
  | LimitedTimeOfferComponent;

export interface TemplateDefinition {
  name: string;
  language: string;
  category: TemplateCategory;
  parameterFormat: ParameterFormat;
  components: TemplateComponent[];
  messageSendTtlSeconds?: number | null;
}

/** Meta's template statuses (§3.5); only APPROVED can be sent. */
export const TEMPLATE_STATUSES = [
  'APPROVED',
  'PENDING',
  'REJECTED',
  'PAUSED',
  'DISABLED',
  'FLAGGED',
  'IN_APPEAL',
  'REINSTATED',
  'PENDING_DELETION',
  'DELETED',
  'ARCHIVED',
  'UNARCHIVED',
  'LIMIT_EXCEEDED',
  'LOCKED',
] as const;
export type TemplateStatus = (typeof TEMPLATE_STATUSES)[number];

export function isTemplateStatus(value: string): value is TemplateStatus {
  return (TEMPLATE_STATUSES as readonly string[]).includes(value);
}

/** Statuses that stop every running campaign using the template. */
export function stopsCampaigns(status: TemplateStatus): boolean {
  return (
    status === 'PAUSED' ||
    status === 'DISABLED' ||
    status === 'REJECTED' ||
    status === 'DELETED' ||
    status === 'PENDING_DELETION' ||
    status === 'LOCKED'
  );
}

/** Meta sends REINSTATED/UNARCHIVED events for templates that are sendable again. */
export function normaliseStatus(event: string): TemplateStatus | null {
  const upper = event.toUpperCase();
  if (upper === 'REINSTATED' || upper === 'UNARCHIVED' || upper === 'UNPAUSE') {
    return 'APPROVED';
  }
  return isTemplateStatus(upper) ? upper : null;
}

/** Webhooks write `en-US`, the create API `en_US` (MMLITE §3.7). */
export function normaliseLanguage(code: string): string {
  return code.replace('-', '_');
}
