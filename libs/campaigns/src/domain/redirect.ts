// Where a tracked link leads: the marketer's target with UTM parameters added (those it already
// has are kept) and Meta's `fbclid` passed on; and which requests are not clicks. Pure.

/** Link-preview fetchers and crawlers: they fetch the link, nobody clicked it. */
const PREVIEW_AGENTS =
  /WhatsApp|facebookexternalhit|Facebot|meta-externalagent|Twitterbot|Slackbot|TelegramBot|Discordbot|LinkedInBot|SkypeUriPreview|Googlebot|bingbot|Applebot|Pinterest|redditbot|Embedly|vkShare|Iframely|preview|crawler|spider/i;

export function isPreviewFetch(method: string, userAgent: string | undefined): boolean {
  return method === 'HEAD' || !userAgent || PREVIEW_AGENTS.test(userAgent);
}

/** `Black Friday — 20 %!` → `black-friday-20` */
export function campaignSlug(name: string): string {
  return (
    name
      .normalize('NFKD')
      .replace(/[\u0300-\u036f]/g, '')
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 100) || 'campaign'
  );
}

export function redirectTarget(
  target: string,
  o: { campaignName: string; variant: string | null; fbclid: string | null },
): string {
  const u = new URL(target);
  const set = (k: string, v: string): void => {
    if (!u.searchParams.has(k)) {
      u.searchParams.set(k, v);
    }
  };
  set('utm_source', 'whatsapp');
  set('utm_medium', 'marketing_message');
  set('utm_campaign', campaignSlug(o.campaignName));
  if (o.variant) {
    set('utm_content', o.variant);
  }
  if (o.fbclid) {
    u.searchParams.set('fbclid', o.fbclid);
  }
  return u.toString();
}
