// A campaign message keeps the values of the contact fields its template binds, frozen at the
// snapshot (`{"attributes.firstName": "Ana", "locale": "pt_BR"}`): rendering reads them back.
import type { ContactView } from '@app/templates';

/** The contact as the renderer sees it, rebuilt from a message's frozen bound values. */
export function contactOfBoundValues(phone: string, bound: Record<string, unknown>): ContactView {
  const attributes: Record<string, unknown> = {};
  let locale: string | null = null;
  let timezone: string | null = null;
  for (const [key, value] of Object.entries(bound)) {
    if (key === 'locale') {
      locale = typeof value === 'string' ? value : null;
    } else if (key === 'timezone') {
      timezone = typeof value === 'string' ? value : null;
    } else if (key.startsWith('attributes.')) {
      const path = key.slice('attributes.'.length).split('.');
      let at = attributes;
      for (const k of path.slice(0, -1)) {
        const next = at[k];
        at = (typeof next === 'object' && next !== null ? next : (at[k] = {})) as Record<
          string,
          unknown
        >;
      }
      at[path[path.length - 1] as string] = value;
    }
  }
  return { phone, locale, timezone, attributes };
}
