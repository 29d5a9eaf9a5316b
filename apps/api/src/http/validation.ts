import { BadRequestException, ValidationPipe, type ValidationError } from '@nestjs/common';

export interface FieldProblem {
  field: string;
  problems: string[];
}

function flatten(errors: ValidationError[], parent = ''): FieldProblem[] {
  const out: FieldProblem[] = [];
  for (const e of errors) {
    const field = parent
      ? /^\d+$/.test(e.property)
        ? `${parent}[${e.property}]`
        : `${parent}.${e.property}`
      : e.property;
    if (e.constraints) {
      out.push({ field, problems: Object.values(e.constraints) });
    }
    if (e.children?.length) {
      out.push(...flatten(e.children, field));
    }
  }
  return out;
}

/** Thrown by the global pipe: 400 with one entry per bad field in `details`. */
export class ValidationFailedException extends BadRequestException {
  constructor(readonly fields: FieldProblem[]) {
    super(`validation failed: ${fields.map((f) => f.field).join(', ')}`);
  }
}

const PIPE_OPTIONS = {
  whitelist: true,
  forbidNonWhitelisted: true,
  forbidUnknownValues: true,
  transform: true,
  exceptionFactory: (errors: ValidationError[]) => new ValidationFailedException(flatten(errors)),
};

export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe(PIPE_OPTIONS);
}

/** A body the global pipe cannot type (e.g. one that may be `null`), validated the same way. */
export async function validPlain<T extends object>(cls: new () => T, value: unknown): Promise<T> {
  return (await new ValidationPipe(PIPE_OPTIONS).transform(value, {
    type: 'body',
    metatype: cls,
  })) as T;
}
