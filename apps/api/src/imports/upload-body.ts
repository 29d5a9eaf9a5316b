import { Injectable, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import busboy from 'busboy';
import type { FastifyInstance } from 'fastify';
import type { IncomingHttpHeaders } from 'node:http';
import type { Readable } from 'node:stream';
import { ImportUploadInvalidError } from '@app/audiences';

export const CSV_TYPES = ['text/csv', 'application/csv', 'text/plain'];

/**
 * Registers pass-through parsers for CSV and multipart bodies: Fastify hands the route the raw
 * request stream instead of buffering it, so an upload of any size costs bounded memory; the
 * imports service enforces IMPORT_MAX_BYTES while it streams (the global bodyLimit is for JSON).
 */
@Injectable()
export class UploadBodyParsers implements OnModuleInit {
  constructor(private readonly adapter: HttpAdapterHost) {}

  onModuleInit(): void {
    const fastify = this.adapter.httpAdapter.getInstance<FastifyInstance>();
    const passThrough = (
      _req: unknown,
      payload: unknown,
      done: (e: Error | null, body?: unknown) => void,
    ): void => done(null, payload);
    for (const type of ['text/csv', 'application/csv', 'multipart/form-data']) {
      if (!fastify.hasContentTypeParser(type)) {
        fastify.addContentTypeParser(type, passThrough);
      }
    }
  }
}

/** The `file` field of a multipart body as a stream, without buffering the body. */
export function multipartFile(
  headers: IncomingHttpHeaders,
  body: Readable,
  maxBytes: number,
): Promise<Readable> {
  return new Promise((resolve, reject) => {
    let bb: busboy.Busboy;
    try {
      bb = busboy({ headers, limits: { fileSize: maxBytes + 1, files: 10, fields: 50 } });
    } catch (e) {
      reject(
        new ImportUploadInvalidError(`multipart body cannot be read: ${(e as Error).message}`),
      );
      return;
    }
    let found = false;
    bb.on('file', (name, stream) => {
      if (name === 'file' && !found) {
        found = true;
        resolve(stream);
      } else {
        stream.resume();
      }
    });
    bb.on('close', () => {
      if (!found) {
        reject(new ImportUploadInvalidError('the multipart body has no field named "file"'));
      }
    });
    bb.on('error', (e: Error) => {
      if (!found) {
        reject(new ImportUploadInvalidError(`multipart body cannot be read: ${e.message}`));
      }
    });
    body.pipe(bb);
  });
}
