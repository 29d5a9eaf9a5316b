import {
  Controller,
  Get,
  Headers,
  HttpCode,
  Inject,
  Param,
  Post,
  Query,
  Req,
} from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBearerAuth,
  ApiBody,
  ApiConsumes,
  ApiHeader,
  ApiOkResponse,
  ApiTags,
} from '@nestjs/swagger';
import { Readable } from 'node:stream';
import type { WorkspaceId } from '@app/common';
import { APP_CONFIG, type AppConfig } from '@app/config';
import { ImportTooLargeError, ImportUploadInvalidError, ImportsService } from '@app/audiences';
import { Workspace, type AuthenticatedRequest } from '../http/workspace.decorator';
import { ImportCreateQuery } from './import.request';
import {
  ImportAcceptedResponse,
  ImportResponse,
  toImportAcceptedResponse,
  toImportResponse,
} from './import.response';
import { CSV_TYPES, multipartFile } from './upload-body';

@ApiTags('imports')
@ApiBearerAuth()
@Controller('v1')
export class ImportsController {
  constructor(
    private readonly imports: ImportsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Stores the CSV durably and answers at once; the worker parses it. Poll GET /v1/imports/:id. */
  @Post('audiences/:id/imports')
  @ApiAcceptedResponse({ type: ImportAcceptedResponse })
  @HttpCode(202)
  @ApiConsumes('text/csv', 'multipart/form-data')
  @ApiBody({
    description: 'the CSV (header row required), or multipart with field "file"',
    required: true,
  })
  @ApiHeader({ name: 'idempotency-key', required: false })
  async create(
    @Workspace() ws: WorkspaceId,
    @Param('id') audienceId: string,
    @Query() q: ImportCreateQuery,
    @Req() req: AuthenticatedRequest,
    @Headers('idempotency-key') idempotencyKey?: string,
  ): Promise<ImportAcceptedResponse> {
    const options = this.imports.parseOptions(q);
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > this.config.imports.maxBytes) {
      throw new ImportTooLargeError(this.config.imports.maxBytes);
    }
    const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
    let body: Readable;
    if (type === 'multipart/form-data') {
      body = await multipartFile(req.headers, req.body as Readable, this.config.imports.maxBytes);
    } else if (CSV_TYPES.includes(type)) {
      body =
        typeof req.body === 'string'
          ? Readable.from([Buffer.from(req.body)])
          : (req.body as Readable);
    } else {
      throw new ImportUploadInvalidError(
        `send the CSV as text/csv or multipart/form-data with field "file" (got "${type || 'no content type'}")`,
      );
    }
    if (!body) {
      throw new ImportUploadInvalidError('the request has no body');
    }
    const accepted = await this.imports.upload(ws, audienceId, options, body, idempotencyKey);
    return toImportAcceptedResponse(accepted);
  }

  @Get('imports/:id')
  @ApiOkResponse({ type: ImportResponse })
  async get(@Workspace() ws: WorkspaceId, @Param('id') id: string): Promise<ImportResponse> {
    return toImportResponse(await this.imports.get(ws, id));
  }
}
