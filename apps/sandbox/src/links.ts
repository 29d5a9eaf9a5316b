// The links a recipient sees in a template message: each URL button's URL with its dynamic
// suffix filled in, and URLs written into text parameters. The sandbox's simulated readers follow
// one when they "click", as a phone's browser would (so tracked links see real clicks).
import type { GraphTemplateComponent } from '@app/graph-contract';

const URL_IN_TEXT = /https?:\/\/[^\s<>"']+/g;

interface SentComponent {
  type?: unknown;
  sub_type?: unknown;
  index?: unknown;
  parameters?: unknown;
}

function texts(params: unknown): string[] {
  return Array.isArray(params)
    ? params.flatMap((p) =>
        p && typeof p === 'object' && typeof (p as { text?: unknown }).text === 'string'
          ? [(p as { text: string }).text]
          : [],
      )
    : [];
}

export function linksOfSend(
  templateComponents: readonly GraphTemplateComponent[],
  sent: unknown,
): string[] {
  const out: string[] = [];
  const buttons = templateComponents.find((c) => c.type.toUpperCase() === 'BUTTONS')?.buttons ?? [];
  for (const c of Array.isArray(sent) ? (sent as SentComponent[]) : []) {
    const type = typeof c.type === 'string' ? c.type.toLowerCase() : '';
    if (type === 'button' && String(c.sub_type).toLowerCase() === 'url') {
      const url = buttons[Number(c.index)]?.url;
      const suffix = texts(c.parameters)[0];
      if (url && suffix !== undefined) {
        out.push(url.replace(/\{\{\s*1\s*\}\}/, suffix));
      }
    } else if (type === 'body' || type === 'header') {
      for (const t of texts(c.parameters)) {
        out.push(...(t.match(URL_IN_TEXT) ?? []));
      }
    }
  }
  return out;
}

/** A reader's tap on a link: a GET as a phone's browser sends it; the redirect is not followed. */
export async function follow(url: string): Promise<number | null> {
  try {
    const res = await fetch(url, {
      redirect: 'manual',
      headers: {
        'user-agent':
          'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Mobile Safari/537.36',
      },
      signal: AbortSignal.timeout(5000),
    });
    await res.body?.cancel();
    return res.status;
  } catch {
    return null;
  }
}
