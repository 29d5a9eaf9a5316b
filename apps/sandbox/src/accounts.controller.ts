import { Controller, Get, Headers, Inject, Param, Query, Req } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { GraphList, GraphPhoneNumber } from '@app/graph-contract';
import { assertToken } from './auth';
import { SandboxGraphError } from './graph-error';
import { SandboxRuntime } from './sandbox-runtime';
import type { SandboxWaba } from './sandbox-state';

/** Absolute URL of the same request with other query values, as Graph's `paging.next`. */
export function nextPageUrl(req: FastifyRequest, query: Record<string, string>): string {
  const url = new URL(req.url, `${req.protocol}://${req.headers.host ?? 'localhost'}`);
  for (const [k, v] of Object.entries(query)) {
    url.searchParams.set(k, v);
  }
  return url.toString();
}

/** The Graph API's account reads: `GET /{waba-id}/phone_numbers`. */
@Controller(':version')
export class AccountsController {
  constructor(@Inject(SandboxRuntime) private readonly rt: SandboxRuntime) {}

  private waba(id: string): SandboxWaba {
    const waba = this.rt.state.wabas.get(id);
    if (!waba) {
      throw SandboxGraphError.unknownObject(id);
    }
    return waba;
  }

  @Get(':wabaId/phone_numbers')
  phoneNumbers(
    @Req() req: FastifyRequest,
    @Param('wabaId') wabaId: string,
    @Headers('authorization') auth: string | undefined,
    @Query('limit') limit?: string,
    @Query('after') after?: string,
  ): GraphList<GraphPhoneNumber> {
    const waba = this.waba(wabaId);
    assertToken(waba, auth);
    const all = [...waba.phoneNumbers.values()];
    const size = Math.min(Math.max(Number(limit) || 25, 1), 100);
    const start = after ? Number(Buffer.from(after, 'base64url').toString()) || 0 : 0;
    const page = all.slice(start, start + size);
    const next =
      start + size < all.length
        ? Buffer.from(String(start + size)).toString('base64url')
        : undefined;
    return {
      data: page.map((p) => ({
        id: p.id,
        display_phone_number: p.displayPhoneNumber,
        verified_name: p.verifiedName,
        quality_rating: p.qualityRating,
        throughput: { level: p.throughputLevel },
        whatsapp_business_manager_messaging_limit: p.messagingLimitTier,
      })),
      paging: {
        cursors: {
          before: Buffer.from(String(start)).toString('base64url'),
          ...(next ? { after: next } : {}),
        },
        ...(next ? { next: nextPageUrl(req, { after: next, limit: String(size) }) } : {}),
      },
    };
  }
}
