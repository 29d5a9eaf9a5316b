import {
  Injectable,
  type CallHandler,
  type ExecutionContext,
  type NestInterceptor,
} from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { Observable } from 'rxjs';
import { ValidationFailedException, type FieldProblem } from './validation';

/** Deeper JSON than this is refused before validation (which recurses, and would overflow). */
export const MAX_JSON_DEPTH = 32;

/**
 * What the edge refuses in any JSON body, query or path, before validation: nesting deeper than
 * MAX_JSON_DEPTH, and NUL in any text (Postgres text cannot hold it). Iterative, so a hostile
 * 100,000-deep body costs a loop, not a stack. Returns the first few problems with their paths.
 */
export function inputProblems(root: unknown, rootPath: string): FieldProblem[] {
  const out: FieldProblem[] = [];
  const stack: Array<{ value: unknown; path: string; depth: number }> = [
    { value: root, path: rootPath, depth: 0 },
  ];
  while (stack.length > 0 && out.length < 10) {
    const { value, path, depth } = stack.pop() as { value: unknown; path: string; depth: number };
    if (typeof value === 'string') {
      if (value.includes('\u0000')) {
        out.push({ field: path, problems: ['text may not contain NUL (\\u0000)'] });
      }
      continue;
    }
    if (typeof value !== 'object' || value === null) {
      continue;
    }
    if (depth >= MAX_JSON_DEPTH) {
      out.push({ field: path, problems: [`nested deeper than ${MAX_JSON_DEPTH} levels`] });
      continue;
    }
    const entries = Array.isArray(value)
      ? value.map((v, i) => [`[${i}]`, v] as const)
      : Object.entries(value).map(([k, v]) => {
          if (k.includes('\u0000')) {
            out.push({ field: path, problems: ['a key may not contain NUL (\\u0000)'] });
          }
          return [`.${k}`, v] as const;
        });
    for (const [k, v] of entries) {
      stack.push({ value: v, path: `${path}${k}`, depth: depth + 1 });
    }
  }
  return out;
}

/** The input policy on every route (the webhook receiver's raw Buffer body is not JSON: skipped). */
@Injectable()
export class InputPolicyInterceptor implements NestInterceptor {
  intercept(ctx: ExecutionContext, next: CallHandler): Observable<unknown> {
    const req = ctx.switchToHttp().getRequest<FastifyRequest>();
    const problems = [
      ...(Buffer.isBuffer(req.body) ? [] : inputProblems(req.body, 'body')),
      ...inputProblems(req.query, 'query'),
      ...inputProblems(req.params, 'path'),
    ];
    if (problems.length > 0) {
      throw new ValidationFailedException(
        problems.map((p) => ({
          ...p,
          field: p.field.replace(/^(body|query|path)\.?/, '') || p.field,
        })),
      );
    }
    return next.handle();
  }
}
