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

export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
    transform: true,
    exceptionFactory: (errors) => new ValidationFailedException(flatten(errors)),
  });
}
