import { DomainError } from '@cave/kernel';

class InvalidContentTypeError extends DomainError {
  readonly code = 'STORAGE.INVALID_CONTENT_TYPE';
  readonly kind = 'invalid';
  constructor() {
    super('Content-Type must be a media type of at most 255 printable characters');
  }
}

const MEDIA_TYPE = /^[\w!#$&^.+-]+\/[\w!#$&^.+-]+(\s*;[\x20-\x7e]*)?$/;

/** The object's media type as stored and served back; absent = application/octet-stream. */
export function contentTypeOf(header: string | undefined): string {
  if (header === undefined || header.trim() === '') return 'application/octet-stream';
  if (header.length > 255 || !MEDIA_TYPE.test(header.trim())) throw new InvalidContentTypeError();
  return header.trim();
}
