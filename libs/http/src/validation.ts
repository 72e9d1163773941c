import { BadRequestException, ValidationError, ValidationPipe } from '@nestjs/common';

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

/** Unknown fields are rejected (not silently dropped), types are checked, never coerced loosely. */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    transformOptions: { enableImplicitConversion: false },
    validationError: { target: false, value: false },
    exceptionFactory: (errors) => new RequestValidationError(flatten(errors)),
  });
}
