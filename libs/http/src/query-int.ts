import { Transform } from 'class-transformer';

const DECIMAL = /^-?\d{1,16}$/;

/**
 * A query-string integer in plain decimal only. `@Type(() => Number)` would also take `0x10`,
 * `1e3` or ` 7 ` and silently mean something else; anything but decimal digits is left as the
 * string it was, so `@IsInt()` rejects it with a 400.
 */
export function QueryInt(): PropertyDecorator {
  return Transform(({ value }: { value: unknown }) => (typeof value === 'string' && DECIMAL.test(value) ? Number(value) : value));
}
