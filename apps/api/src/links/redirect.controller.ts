import { Controller, Get, Headers, Param, Query, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { LinkRedirects } from '@app/campaigns';
import { Public } from '../http/public.decorator';

const NOT_FOUND_PAGE = (why: 'unknown' | 'expired'): string =>
  `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>Link not found</title></head>` +
  `<body style="font-family:system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem;color:#333">` +
  `<h1 style="font-size:1.4rem">${why === 'expired' ? 'This link has expired' : 'This link does not exist'}</h1>` +
  `<p>It may have been mistyped or is no longer valid. The offer it pointed to may still be on the shop's website.</p></body></html>`;

/**
 * The engine's tracked links (`${PUBLIC_LINK_BASE_URL}/r/<token>`): 302 to the target with UTM
 * parameters, after the click is stored (link previews and HEAD are not counted); a small 404
 * page for anything else.
 */
@ApiExcludeController()
@Public()
@Controller('r')
export class RedirectController {
  constructor(private readonly redirects: LinkRedirects) {}

  /** Fastify answers HEAD with this GET route too (the method tells them apart). */
  @Get(':token')
  get(
    @Param('token') token: string,
    @Query('fbclid') fbclid: unknown,
    @Headers('user-agent') userAgent: string | undefined,
    @Req() req: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    return this.answer(req.method, token, fbclid, userAgent, reply);
  }

  private async answer(
    method: string,
    token: string,
    fbclid: unknown,
    userAgent: string | undefined,
    reply: FastifyReply,
  ): Promise<void> {
    const r = await this.redirects.follow(token, {
      method,
      userAgent,
      fbclid: typeof fbclid === 'string' && fbclid.length <= 500 ? fbclid : null,
    });
    void reply.header('cache-control', 'no-store').header('referrer-policy', 'no-referrer');
    if (r.kind === 'redirect') {
      await reply.redirect(r.location, 302);
      return;
    }
    if (r.kind === 'busy') {
      await reply.code(503).header('retry-after', '1').type('text/plain').send('busy, try again');
      return;
    }
    await reply.code(404).type('text/html; charset=utf-8').send(NOT_FOUND_PAGE(r.why));
  }
}
