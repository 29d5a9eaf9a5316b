import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { LinkRedirects } from '@app/campaigns';

const NOT_FOUND_PAGE = (why: 'unknown' | 'expired'): string =>
  `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>Link not found</title></head>` +
  `<body style="font-family:system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem;color:#333">` +
  `<h1 style="font-size:1.4rem">${why === 'expired' ? 'This link has expired' : 'This link does not exist'}</h1>` +
  `<p>It may have been mistyped or is no longer valid. The offer it pointed to may still be on the shop's website.</p></body></html>`;

/**
 * The engine's tracked links (`${PUBLIC_LINK_BASE_URL}/r/<token>`, GET and HEAD): 302 to the
 * target with UTM parameters, after the click is stored (link previews and HEAD are not
 * counted); a small 404 page for anything else. A plain Fastify route, not a Nest controller:
 * it runs thousands of times a second and needs no guard, pipe or DTO.
 */
export function registerRedirectRoute(app: NestFastifyApplication): void {
  const redirects = app.get(LinkRedirects);
  app
    .getHttpAdapter()
    .getInstance()
    .get('/r/:token', async (req: FastifyRequest, reply: FastifyReply) => {
      const { token } = req.params as { token: string };
      const fbclid = (req.query as Record<string, unknown>).fbclid;
      const r = await redirects.follow(token, {
        method: req.method,
        userAgent: req.headers['user-agent'],
        fbclid: typeof fbclid === 'string' && fbclid.length <= 500 ? fbclid : null,
      });
      void reply.header('cache-control', 'no-store').header('referrer-policy', 'no-referrer');
      if (r.kind === 'redirect') {
        return reply.redirect(r.location, 302);
      }
      if (r.kind === 'busy') {
        return reply
          .code(503)
          .header('retry-after', '1')
          .type('text/plain')
          .send('busy, try again');
      }
      return reply.code(404).type('text/html; charset=utf-8').send(NOT_FOUND_PAGE(r.why));
    });
}
