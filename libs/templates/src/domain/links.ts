// Tracked links in template bindings: a parameter value `{{link:https://shop.example/sale}}`
// stands for a per-recipient short link to that target. Pure: the sender (or the preview) says
// what each link becomes for one message, and the bindings are rewritten before rendering.
import type { TemplateBindings } from './render-template';

const LINK = /\{\{\s*link:([^{}\s]+)\s*\}\}/g;

/** A `{{link:…}}` expression's target, if it is one (else null). */
export function linkTargetOf(expression: string): string | null {
  const m = /^link:(\S+)$/.exec(expression.trim());
  return m ? (m[1] as string) : null;
}

/** An absolute http(s) URL a link may lead to. */
export function isLinkTarget(target: string): boolean {
  try {
    const u = new URL(target);
    return (u.protocol === 'https:' || u.protocol === 'http:') && target.length <= 2000;
  } catch {
    return false;
  }
}

function texts(b: TemplateBindings): string[] {
  const out: string[] = [];
  const collect = (v: unknown): void => {
    if (typeof v === 'string') {
      out.push(v);
    } else if (Array.isArray(v)) {
      v.forEach(collect);
    } else if (v && typeof v === 'object' && !('type' in v && 'link' in v)) {
      Object.values(v).forEach(collect);
    }
  };
  collect(b.header);
  collect(b.body);
  collect((b.buttons ?? []).map((x) => x.text));
  return out;
}

/** Every distinct link target of the bindings, in order of appearance: a link's index is its place here. */
export function linkTargets(b: TemplateBindings): string[] {
  const out: string[] = [];
  for (const t of texts(b)) {
    for (const m of t.matchAll(LINK)) {
      const target = m[1] as string;
      if (!out.includes(target)) {
        out.push(target);
      }
    }
  }
  return out;
}

/** What one link becomes: the whole short URL in text, only its token in a URL button's suffix. */
export type LinkResolver = (index: number, form: 'url' | 'token') => string;

/** The bindings with every `{{link:…}}` replaced as `resolve` says. */
export function withLinks(b: TemplateBindings, resolve: LinkResolver): TemplateBindings {
  const targets = linkTargets(b);
  if (targets.length === 0) {
    return b;
  }
  const text = (v: string, form: 'url' | 'token'): string =>
    v.replace(LINK, (_, target: string) => resolve(targets.indexOf(target), form));
  const map = (v: unknown): unknown =>
    typeof v === 'string'
      ? text(v, 'url')
      : Array.isArray(v)
        ? v.map(map)
        : v && typeof v === 'object' && !('type' in v && 'link' in v)
          ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, map(x)]))
          : v;
  return {
    ...b,
    header: map(b.header) as TemplateBindings['header'],
    body: map(b.body) as TemplateBindings['body'],
    ...(b.buttons
      ? {
          buttons: b.buttons.map((x) =>
            x.text === undefined ? x : { ...x, text: text(x.text, 'token') },
          ),
        }
      : {}),
  };
}

/**
 * Where links are bound in ways that cannot work: a target that is not an http(s) URL, or a URL
 * button whose template URL does not lead to our redirect (`<redirectPrefix>{{1}}`), where the
 * token goes as the button's suffix.
 */
export function linkProblems(
  b: TemplateBindings,
  buttonUrls: ReadonlyMap<number, string>,
  redirectPrefix: string,
): Array<{ field: string; message: string }> {
  const problems: Array<{ field: string; message: string }> = [];
  for (const target of linkTargets(b)) {
    if (!isLinkTarget(target)) {
      problems.push({
        field: 'parameters',
        message: `link target "${target}" is not an http(s) URL`,
      });
    }
  }
  const suffix = /\{\{\s*1\s*\}\}$/;
  for (const x of b.buttons ?? []) {
    if (linkTargets({ buttons: [x] }).length === 0) {
      continue;
    }
    const url = buttonUrls.get(x.index);
    if (url === undefined || !suffix.test(url) || url.replace(suffix, '') !== redirectPrefix) {
      problems.push({
        field: `parameters.buttons.${x.index}`,
        message: `a tracked link in a URL button needs the template's button URL to be ${redirectPrefix}{{1}} (the link's token is its suffix)`,
      });
    } else if ((x.text ?? '').replace(LINK, '').trim() !== '') {
      problems.push({
        field: `parameters.buttons.${x.index}`,
        message: 'a URL button bound to a tracked link takes only the link',
      });
    }
  }
  return problems;
}
