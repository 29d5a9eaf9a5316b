import {
  Body,
  Controller,
  Delete,
  Get,
  Headers,
  HttpCode,
  Inject,
  Param,
  Post,
  Query,
  Req,
} from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type {
  GraphList,
  GraphSuccess,
  GraphTemplate,
  TemplateCreateResponse,
} from '@app/graph-contract';
import { nextPageUrl } from './accounts.controller';
import { assertToken } from './auth';
import { SandboxGraphError } from './graph-error';
import { SandboxRuntime } from './sandbox-runtime';
import type { SandboxWaba } from './sandbox-state';
import { TemplateRegistry, type TemplateInput } from './template-registry';

function cursorOf(id: string): string {
  return Buffer.from(`t:${id}`).toString('base64');
}

function idOfCursor(cursor: string): string {
  const raw = Buffer.from(cursor, 'base64').toString('utf8');
  if (!/^t:\d+$/.test(raw)) {
    throw SandboxGraphError.invalidParameter('Invalid cursor');
  }
  return raw.slice(2);
}

/** `/{waba-id}/message_templates`: create, list (Graph cursors, newest first), delete (§3.1–§3.3). */
@Controller(':version/:wabaId/message_templates')
export class TemplatesController {
  constructor(
    @Inject(SandboxRuntime) private readonly rt: SandboxRuntime,
    @Inject(TemplateRegistry) private readonly registry: TemplateRegistry,
  ) {}

  private waba(id: string, auth: string | undefined, method: string): SandboxWaba {
    const waba = this.rt.state.wabas.get(id);
    if (!waba) {
      throw SandboxGraphError.unknownObject(id, method);
    }
    assertToken(waba, auth);
    return waba;
  }

  @Post()
  @HttpCode(200)
  create(
    @Param('wabaId') wabaId: string,
    @Headers('authorization') auth: string | undefined,
    @Body() body: TemplateInput,
  ): TemplateCreateResponse {
    const waba = this.waba(wabaId, auth, 'post');
    const t = this.registry.create(waba, body ?? ({} as TemplateInput));
    return { id: t.id, status: t.status, category: t.category };
  }

  @Get()
  list(
    @Req() req: FastifyRequest,
    @Param('wabaId') wabaId: string,
    @Headers('authorization') auth: string | undefined,
    @Query() query: Record<string, string | undefined>,
  ): GraphList<GraphTemplate> {
    const waba = this.waba(wabaId, auth, 'get');
    const fields = TemplateRegistry.fields(query.fields);
    const limit = query.limit === undefined ? 25 : Number(query.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000) {
      throw SandboxGraphError.invalidParameter('limit must be an integer between 1 and 1000');
    }
    const afterId = query.after ? idOfCursor(query.after) : null;
    const status = query.status?.toUpperCase();
    const category = query.category?.toUpperCase();
    const all = [...waba.templates.values()]
      .filter(
        (t) =>
          (!query.name || t.name === query.name) &&
          (!status || t.status === status) &&
          (!category || t.category === category) &&
          (!query.language || t.language === query.language),
      )
      // Newest first; ids grow with creation, so the id is a stable keyset cursor.
      .sort((a, b) => (BigInt(b.id) > BigInt(a.id) ? 1 : BigInt(b.id) < BigInt(a.id) ? -1 : 0));
    const start = afterId === null ? 0 : all.findIndex((t) => BigInt(t.id) < BigInt(afterId));
    const rest = start < 0 ? [] : all.slice(start);
    const page = rest.slice(0, limit);
    const more = rest.length > limit;
    const first = page[0];
    const last = page[page.length - 1];
    const after = last ? cursorOf(last.id) : undefined;
    return {
      data: page.map((t) => this.registry.render(t, fields)),
      paging: {
        ...(first && last
          ? { cursors: { before: cursorOf(first.id), after: after as string } }
          : {}),
        ...(more && after ? { next: nextPageUrl(req, { after, limit: String(limit) }) } : {}),
      },
    };
  }

  @Delete()
  remove(
    @Param('wabaId') wabaId: string,
    @Headers('authorization') auth: string | undefined,
    @Query('name') name: string | undefined,
    @Query('hsm_id') hsmId: string | undefined,
  ): GraphSuccess {
    const waba = this.waba(wabaId, auth, 'delete');
    if (!name) {
      throw new SandboxGraphError(400, 100, 'The parameter name is required');
    }
    const targets = [...waba.templates.values()].filter(
      (t) => t.name === name && (!hsmId || t.id === hsmId),
    );
    if (targets.length === 0) {
      throw new SandboxGraphError(
        400,
        100,
        'Invalid parameter',
        hsmId ? `Template ${hsmId} named ${name} was not found` : `Template ${name} was not found`,
      );
    }
    if (targets.some((t) => t.status === 'DISABLED')) {
      throw new SandboxGraphError(
        400,
        100,
        'Invalid parameter',
        'Disabled templates can not be deleted',
      );
    }
    for (const t of targets) {
      this.rt.state.deleteTemplate(t);
    }
    return { success: true };
  }
}
