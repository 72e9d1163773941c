import { ArgumentMetadata, BadRequestException, ValidationError, ValidationPipe } from '@nestjs/common';

/** Thrown by the validation pipe; the problem filter renders `errors` per field. */
export class RequestValidationError extends BadRequestException {
  constructor(readonly fieldErrors: { field: string; message: string }[]) {
    super('request validation failed');
  }
}

function flatten(errors: ValidationError[], parent = ''): { field: string; message: string }[] {
  return errors.flatMap((e) => {
    const field = parent ? `${parent}.${e.property}` : e.property;
    const own = Object.values(e.constraints ?? {}).map((message) => ({ field, message }));
    return [...own, ...flatten(e.children ?? [], field)];
  });
}

/** No DTO nests deeper than this; deeper input would only exercise recursion in class-transformer. */
export const MAX_BODY_DEPTH = 16;

/** True when `value` nests objects/arrays deeper than `limit` (iterative: deep input cannot overflow the stack here). */
export function nestsDeeperThan(value: unknown, limit: number): boolean {
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    if (depth >= limit) return true;
    for (const child of Object.values(v as object)) stack.push([child, depth + 1]);
  }
  return false;
}

/**
 * A DTO body must be a JSON object (arrays, strings and null would otherwise validate field by
 * field) of bounded depth (class-transformer recurses, and a 7000-deep array would overflow it: a 500).
 */
class JsonObjectValidationPipe extends ValidationPipe {
  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (metadata.type === 'body' && this.toValidate(metadata)) {
      if (value === null || typeof value !== 'object' || Array.isArray(value)) {
        throw new RequestValidationError([{ field: 'body', message: 'body must be a JSON object' }]);
      }
      if (nestsDeeperThan(value, MAX_BODY_DEPTH)) {
        throw new RequestValidationError([{ field: 'body', message: `body must not nest deeper than ${MAX_BODY_DEPTH} levels` }]);
      }
    }
    return super.transform(value, metadata);
  }
}

/** Unknown fields are rejected (not silently dropped), types are checked, never coerced loosely. */
export function createValidationPipe(): ValidationPipe {
  return new JsonObjectValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    transformOptions: { enableImplicitConversion: false },
    validationError: { target: false, value: false },
    exceptionFactory: (errors) => new RequestValidationError(flatten(errors)),
  });
}
