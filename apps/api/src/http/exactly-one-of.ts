import { registerDecorator, type ValidationArguments } from 'class-validator';

/** On one of the fields: exactly one of `fields` must be given (not both, not neither). */
export function ExactlyOneOf(fields: readonly string[]): PropertyDecorator {
  return (object: object, propertyName: string | symbol): void => {
    registerDecorator({
      name: 'exactlyOneOf',
      target: object.constructor,
      propertyName: String(propertyName),
      options: { message: `give exactly one of ${fields.join(' or ')}` },
      validator: {
        validate: (_value: unknown, args: ValidationArguments) =>
          fields.filter((f) => (args.object as Record<string, unknown>)[f] !== undefined).length ===
          1,
      },
    });
  };
}
