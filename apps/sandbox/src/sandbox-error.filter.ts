import { Catch, HttpException, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { SandboxGraphError } from './graph-error';

/** Every failure leaves the sandbox in Meta's error shape. */
@Catch()
export class SandboxErrorFilter implements ExceptionFilter {
  catch(exception: unknown, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    let err: SandboxGraphError;
    if (exception instanceof SandboxGraphError) {
      err = exception;
    } else if (exception instanceof HttpException) {
      err = new SandboxGraphError(exception.getStatus(), 100, exception.message);
    } else {
      const status = (exception as { statusCode?: number } | null)?.statusCode;
      err =
        typeof status === 'number' && status < 500
          ? new SandboxGraphError(
              status,
              100,
              exception instanceof Error ? exception.message : 'bad request',
            )
          : new SandboxGraphError(
              500,
              1,
              'An unknown error occurred',
              undefined,
              'GraphMethodException',
            );
    }
    void reply.status(err.httpStatus).send(err.toBody());
  }
}
