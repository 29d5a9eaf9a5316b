import type { ParameterFormat, TemplateComponent } from './template-model';

const PLACEHOLDER = /\{\{\s*([^{}]*?)\s*\}\}/g;

/** Placeholder names in order of appearance (`1`, `2` or `first_name`). */
export function placeholdersOf(text: string | undefined): string[] {
  if (!text) {
    return [];
  }
  return [...text.matchAll(PLACEHOLDER)].map((m) => m[1] ?? '');
}

export interface TemplateSlots {
  header: string[];
  body: string[];
  /** Index (zero-based, position among all buttons) of each button that takes a value. */
  buttons: Array<{ index: number; type: 'URL' | 'COPY_CODE' }>;
  headerMedia: 'IMAGE' | 'VIDEO' | 'GIF' | 'DOCUMENT' | 'LOCATION' | null;
}

/** What a send must supply for a template: the distinct placeholders of header and body, and button values. */
export function slotsOf(components: TemplateComponent[], format: ParameterFormat): TemplateSlots {
  const distinct = (names: string[]): string[] =>
    format === 'positional'
      ? [...new Set(names)].sort((a, b) => Number(a) - Number(b))
      : [...new Set(names)];
  const slots: TemplateSlots = { header: [], body: [], buttons: [], headerMedia: null };
  for (const c of components) {
    if (c.type === 'HEADER') {
      if (c.format === 'TEXT') {
        slots.header = distinct(placeholdersOf(c.text));
      } else {
        slots.headerMedia = c.format;
      }
    } else if (c.type === 'BODY') {
      slots.body = distinct(placeholdersOf(c.text));
    } else if (c.type === 'BUTTONS') {
      c.buttons.forEach((b, index) => {
        if (b.type === 'URL' && placeholdersOf(b.url).length > 0) {
          slots.buttons.push({ index, type: 'URL' });
        } else if (b.type === 'COPY_CODE') {
          slots.buttons.push({ index, type: 'COPY_CODE' });
        }
      });
    }
  }
  return slots;
}

/** Replaces each `{{name}}` with its value (used for previews and examples). */
export function fillPlaceholders(text: string, valueOf: (name: string) => string): string {
  return text.replace(PLACEHOLDER, (_, name: string) => valueOf(name));
}
