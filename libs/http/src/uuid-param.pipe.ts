import { Injectable, PipeTransform } from '@nestjs/common';
import { RequestValidationError } from './validation';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Path ids are UUIDs; anything else is a 400 before any query runs. Normalised to lower case. */
@Injectable()
export class UuidParamPipe implements PipeTransform<string, string> {
  transform(value: string): string {
    if (typeof value !== 'string' || !UUID.test(value)) throw new RequestValidationError([{ field: 'id', message: 'id must be a UUID' }]);
    return value.toLowerCase();
  }
}
