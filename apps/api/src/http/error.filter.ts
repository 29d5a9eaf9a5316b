import {
  Catch,
  HttpException,
  HttpStatus,
  Logger,
  type ArgumentsHost,
  type ExceptionFilter,
} from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { randomUUID } from 'node:crypto';
import { retryAfterSeconds } from '@app/accounts';
import { DomainError } from '@app/common';
import { statusForCode } from './error-status';
import type { ErrorBody } from './error-body';
import { ValidationFailedException } from './validation';

function reasonPhrase(status: number): string {
  const name = HttpStatus[status];
  return name
    ? name
        .toLowerCase()
        .split('_')
        .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
        .join(' ')
    : 'Error';
}

function httpMessage(exception: HttpException): string {
  const res: unknown = exception.getResponse();
  if (typeof res === 'string') {
    return res;
  }
  const message: unknown = (res as { message?: unknown }).message;
  if (Array.isArray(message)) {
    return message.map(String).join('; ');
  }
  return typeof message === 'string' ? message : exception.message;
}

/** Writes the single error body of API.md for every failure; each 500 is logged once with an errorId. */
@Catch()
export class ErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('HttpError');

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const req = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    const body = this.toBody(exception, String(req.id));
    if (body.statusCode >= 500) {
      this.logger.error({
        message: 'request failed',
        errorId: body.errorId,
        requestId: body.requestId,
        method: req.method,
        url: req.url,
        error: exception instanceof Error ? exception.stack : String(exception),
      });
    }
    // Rate limits (ours, Meta's budget) say when to come back.
    const retryAfterMs = (exception as { retryAfterMs?: unknown } | null)?.retryAfterMs;
    if (body.statusCode === 429 && typeof retryAfterMs === 'number') {
      void reply.header('retry-after', String(retryAfterSeconds(retryAfterMs)));
    }
    void reply.status(body.statusCode).header('content-type', 'application/json').send(body);
  }

  private toBody(exception: unknown, requestId: string): ErrorBody {
    if (exception instanceof DomainError) {
      const domain = exception as DomainError<string>;
      const statusCode = statusForCode(domain.code);
      if (statusCode !== 500) {
        return {
          statusCode,
          error: reasonPhrase(statusCode),
          message: domain.message,
          code: domain.code,
          ...(domain.details !== undefined ? { details: domain.details } : {}),
          requestId,
        };
      }
    }
    if (exception instanceof ValidationFailedException) {
      return {
        statusCode: 400,
        error: 'Bad Request',
        message: exception.message,
        code: 'VALIDATION_FAILED',
        details: exception.fields,
        requestId,
      };
    }
    if (exception instanceof HttpException) {
      const statusCode = exception.getStatus();
      return {
        statusCode,
        error: reasonPhrase(statusCode),
        message: httpMessage(exception),
        requestId,
      };
    }
    const fastifyStatus = (exception as { statusCode?: unknown } | null)?.statusCode;
    if (typeof fastifyStatus === 'number' && fastifyStatus >= 400 && fastifyStatus < 500) {
      // Errors raised by Fastify itself before Nest sees the request (bad JSON, body too large).
      return {
        statusCode: fastifyStatus,
        error: reasonPhrase(fastifyStatus),
        message: exception instanceof Error ? exception.message : 'bad request',
        requestId,
      };
    }
    return {
      statusCode: 500,
      error: 'Internal Server Error',
      message: 'an unexpected error occurred; quote the errorId when reporting it',
      requestId,
      errorId: randomUUID(),
    };
  }
}
