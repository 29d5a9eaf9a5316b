import type { CarouselCard, ParameterFormat, TemplateComponent } from './template-model';

const PLACEHOLDER = /\{\{\s*([^{}]*?)\s*\}\}/g;

/** Placeholder names in order of appearance (`1`, `2` or `first_name`). */
export function placeholdersOf(text: string | undefined): string[] {
  if (!text) {
    return [];
  }
  return [...text.matchAll(PLACEHOLDER)].map((m) => m[1] ?? '');
}

export interface CardSlots {
  headerMedia: 'IMAGE' | 'VIDEO' | null;
  body: string[];
  /** URL buttons of the card that take a suffix (index among the card's buttons). */
  buttons: Array<{ index: number; type: 'URL' }>;
}

export interface TemplateSlots {
  header: string[];
  body: string[];
  /** Index (zero-based, position among all buttons) of each button that takes a value. */
  buttons: Array<{ index: number; type: 'URL' | 'COPY_CODE' }>;
  headerMedia: 'IMAGE' | 'VIDEO' | 'GIF' | 'DOCUMENT' | 'LOCATION' | null;
  /** CATALOG and MPM buttons: they take a thumbnail product (MPM also sections of products). */
  productButtons: Array<{ index: number; type: 'CATALOG' | 'MPM' }>;
  /** One entry per carousel card, in card_index order (empty without a carousel). */
  cards: CardSlots[];
  /** The template has a limited-time offer, whose expiry each send gives. */
  limitedTimeOffer: boolean;
}

function distinctOf(names: string[], format: ParameterFormat): string[] {
  return format === 'positional'
    ? [...new Set(names)].sort((a, b) => Number(a) - Number(b))
    : [...new Set(names)];
}

function cardSlots(card: CarouselCard, format: ParameterFormat): CardSlots {
  const slots: CardSlots = { headerMedia: null, body: [], buttons: [] };
  for (const c of Array.isArray(card?.components) ? card.components : []) {
    if (c.type === 'HEADER') {
      slots.headerMedia = c.format === 'IMAGE' || c.format === 'VIDEO' ? c.format : null;
    } else if (c.type === 'BODY') {
      slots.body = distinctOf(placeholdersOf(c.text), format);
    } else if (c.type === 'BUTTONS' && Array.isArray(c.buttons)) {
      c.buttons.forEach((b, index) => {
        if (b.type === 'URL' && placeholdersOf(b.url).length > 0) {
          slots.buttons.push({ index, type: 'URL' });
        }
      });
    }
  }
  return slots;
}

/** What a send must supply for a template: the distinct placeholders of header and body, and button values. */
export function slotsOf(components: TemplateComponent[], format: ParameterFormat): TemplateSlots {
  const slots: TemplateSlots = {
    header: [],
    body: [],
    buttons: [],
    headerMedia: null,
    productButtons: [],
    cards: [],
    limitedTimeOffer: false,
  };
  for (const c of components) {
    if (c.type === 'HEADER') {
      if (c.format === 'TEXT') {
        slots.header = distinctOf(placeholdersOf(c.text), format);
      } else {
        slots.headerMedia = c.format;
      }
    } else if (c.type === 'BODY') {
      slots.body = distinctOf(placeholdersOf(c.text), format);
    } else if (c.type === 'BUTTONS') {
      c.buttons.forEach((b, index) => {
        if (b.type === 'URL' && placeholdersOf(b.url).length > 0) {
          slots.buttons.push({ index, type: 'URL' });
        } else if (b.type === 'COPY_CODE') {
          slots.buttons.push({ index, type: 'COPY_CODE' });
        } else if (b.type === 'CATALOG' || b.type === 'MPM') {
          slots.productButtons.push({ index, type: b.type });
        }
      });
    } else if (c.type === 'CAROUSEL') {
      slots.cards = (Array.isArray(c.cards) ? c.cards : []).map((card) => cardSlots(card, format));
    } else if (c.type === 'LIMITED_TIME_OFFER') {
      slots.limitedTimeOffer = true;
    }
  }
  return slots;
}

/** Replaces each `{{name}}` with its value (used for previews and examples). */
export function fillPlaceholders(text: string, valueOf: (name: string) => string): string {
  return text.replace(PLACEHOLDER, (_, name: string) => valueOf(name));
}
