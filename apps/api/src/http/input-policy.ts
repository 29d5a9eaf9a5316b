import { RouteConfig, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyReply, FastifyRequest, RawServerDefault } from 'fastify';
import { ValidationFailedException, type FieldProblem } from './validation';

/** Deeper JSON than this is refused before validation (which recurses, and would overflow). */
export const MAX_JSON_DEPTH = 32;

/** A lone half of a surrogate pair: not Unicode, and Postgres's jsonb refuses its escape. */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

function textProblem(s: string): string | null {
  if (s.includes('\u0000')) {
    return 'text may not contain NUL (\\u0000)';
  }
  return LONE_SURROGATE.test(s) ? 'text must be well-formed Unicode (a lone surrogate)' : null;
}

/**
 * What the edge refuses in any parsed JSON body, query or path, before validation: nesting deeper
 * than MAX_JSON_DEPTH, and text Postgres cannot hold (NUL, lone surrogates), in values and keys.
 * Iterative, so a hostile 100,000-deep value costs a loop, not a stack. Returns the first few
 * problems, each with its field path (`where` names the root: body, query or path).
 */
export function inputProblems(root: unknown, where: string): FieldProblem[] {
  const out: FieldProblem[] = [];
  const stack: Array<{ value: unknown; path: string; depth: number }> = [
    { value: root, path: '', depth: 0 },
  ];
  while (stack.length > 0 && out.length < 10) {
    const { value, path, depth } = stack.pop() as { value: unknown; path: string; depth: number };
    const field = path || where;
    if (typeof value === 'string') {
      const problem = textProblem(value);
      if (problem) {
        out.push({ field, problems: [problem] });
      }
      continue;
    }
    if (typeof value !== 'object' || value === null) {
      continue;
    }
    if (depth >= MAX_JSON_DEPTH) {
      out.push({ field, problems: [`nested deeper than ${MAX_JSON_DEPTH} levels`] });
      continue;
    }
    const entries = Array.isArray(value)
      ? value.map((v, i) => [`${path}[${i}]`, v] as const)
      : Object.entries(value).map(([k, v]) => {
          const problem = textProblem(k);
          if (problem) {
            out.push({ field, problems: [problem.replace(/^text/, 'a key')] });
          }
          return [path ? `${path}.${k}` : k, v] as const;
        });
    for (const [p, v] of entries) {
      stack.push({ value: v, path: p, depth: depth + 1 });
    }
  }
  return out;
}

export interface JsonTextScan {
  /** Nesting went past the limit (the scan stopped there). */
  tooDeep: boolean;
  /** A `\u0000` or `\uD800`–`\uDFFF` escape: the parsed value needs the full check. */
  suspectEscape: boolean;
}

/**
 * One pass over JSON text, before it is parsed: how deep it nests (counting brackets outside
 * strings) and whether a string holds an escape that may decode to NUL or a lone surrogate. Raw
 * NUL bytes and unpaired surrogates cannot reach parsed text otherwise (JSON refuses raw control
 * characters; UTF-8 decoding turns bad bytes into U+FFFD).
 */
export function scanJsonText(text: string, maxDepth: number): JsonTextScan {
  let depth = 0;
  let inString = false;
  let suspectEscape = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c /* \ */) {
        if (text.charCodeAt(i + 1) === 0x75 /* u */) {
          const hex = text.slice(i + 2, i + 6).toLowerCase();
          suspectEscape ||= hex === '0000' || /^d[89a-f]/.test(hex);
        }
        i++;
      } else if (c === 0x22 /* " */) {
        inString = false;
      }
    } else if (c === 0x22) {
      inString = true;
    } else if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      if (++depth > maxDepth) {
        return { tooDeep: true, suspectEscape };
      }
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
      depth--;
    }
  }
  return { tooDeep: false, suspectEscape };
}

/**
 * The input policy at the edge, for every route of the app: JSON bodies get a parser that
 * refuses too-deep nesting before parsing, and anything but an object or bad text after it
 * (400 with the field); queries and path parameters are checked before any guard or pipe runs.
 * The JSON body limit is the app's (WEBHOOK_BODY_LIMIT_BYTES); other content types keep their
 * own parsers.
 */
export function registerInputPolicy(app: NestFastifyApplication, bodyLimit: number): void {
  const fastify = app.getHttpAdapter().getInstance();
  const json = fastify.getDefaultJsonParser('error', 'error');
  app.useBodyParser<RawServerDefault>('application/json', { bodyLimit }, (req, body, done) => {
    const text = body.toString('utf8');
    const scan = scanJsonText(text, MAX_JSON_DEPTH);
    if (scan.tooDeep) {
      done(
        new ValidationFailedException([
          { field: 'body', problems: [`nested deeper than ${MAX_JSON_DEPTH} levels`] },
        ]),
      );
      return;
    }
    // Fastify's own parser (prototype-poisoning checks included), callback style.
    void json(req, text, (err, value) => {
      if (err) {
        done(err);
        return;
      }
      // Every route takes an object; `null` would otherwise pass as `{}` (an empty PATCH). A
      // route whose contract takes `null` (e.g. "remove this setting") says so: NullableBody().
      const nullable = value === null && nullableBody(req);
      const problems = nullable
        ? []
        : typeof value !== 'object' || value === null || Array.isArray(value)
          ? [{ field: 'body', problems: ['a JSON body must be an object'] }]
          : scan.suspectEscape
            ? inputProblems(value, 'body')
            : [];
      if (problems.length > 0) {
        done(new ValidationFailedException(problems));
        return;
      }
      done(null, value);
    });
  });
  fastify.addHook(
    'preValidation',
    (req: FastifyRequest, _reply: FastifyReply, done: (err?: Error) => void) => {
      const problems = [...inputProblems(req.query, 'query'), ...inputProblems(req.params, 'path')];
      done(problems.length > 0 ? new ValidationFailedException(problems) : undefined);
    },
  );
}

const NULLABLE_BODY = 'nullableBody';

/** On a route that takes the JSON body `null` (besides an object). */
export const NullableBody = (): MethodDecorator => RouteConfig({ [NULLABLE_BODY]: true });

function nullableBody(req: unknown): boolean {
  const config: unknown = (req as FastifyRequest).routeOptions?.config;
  return (config as Record<string, unknown> | undefined)?.[NULLABLE_BODY] === true;
}
