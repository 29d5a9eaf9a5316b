import {
  Controller,
  ForbiddenException,
  Get,
  Header,
  Headers,
  HttpCode,
  Inject,
  Logger,
  Post,
  Query,
  Req,
  UnauthorizedException,
} from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { timingSafeEqual } from 'node:crypto';
import { APP_CONFIG, type AppConfig } from '@app/config';
import { isValidWebhookSignature, WebhookIngest } from '@app/webhooks';
import { Public } from '../http/public.decorator';

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Meta's webhook endpoint (MMLITE §4.1–4.3). Public (Meta has no API key); authenticated by the
 * verify token (GET) and the body signature (POST). A POST is answered 200 only after its raw
 * body is committed to the journal and the opt-outs in it are fenced; the worker applies it afterwards.
 */
@ApiExcludeController()
@Public()
@Controller('webhooks/whatsapp')
export class MetaWebhookController {
  private readonly logger = new Logger(MetaWebhookController.name);

  constructor(
    private readonly ingest: WebhookIngest,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Get()
  @Header('content-type', 'text/plain; charset=utf-8')
  verify(
    @Query('hub.mode') mode: unknown,
    @Query('hub.verify_token') token: unknown,
    @Query('hub.challenge') challenge: unknown,
  ): string {
    if (
      mode !== 'subscribe' ||
      typeof token !== 'string' ||
      !sameSecret(token, this.config.webhook.verifyToken) ||
      typeof challenge !== 'string' ||
      challenge.length === 0
    ) {
      this.logger.warn({ message: 'webhook verification refused', mode: String(mode) });
      throw new ForbiddenException('webhook verification failed');
    }
    return challenge;
  }

  @Post()
  @HttpCode(200)
  async receive(
    @Req() req: FastifyRequest,
    @Headers('x-hub-signature-256') signature: string | undefined,
  ): Promise<void> {
    const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    if (!isValidWebhookSignature(body, signature, this.config.webhook.appSecret)) {
      this.logger.warn({
        message: 'webhook rejected: bad signature',
        requestId: req.id,
        reason: signature ? 'mismatch' : 'missing',
        bytes: body.length,
      });
      throw new UnauthorizedException(
        signature
          ? 'X-Hub-Signature-256 does not match the body'
          : 'X-Hub-Signature-256 is missing',
      );
    }
    await this.ingest.receive(body, req.id);
  }
}
