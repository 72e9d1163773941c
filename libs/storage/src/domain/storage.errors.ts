import { DomainError } from '@cave/kernel';

export class InvalidBucketNameError extends DomainError {
  readonly code = 'STORAGE.INVALID_BUCKET_NAME';
  readonly kind = 'invalid';
  constructor() {
    super('bucket names are 3-63 characters of a-z, 0-9, "." and "-", starting and ending with a letter or digit');
  }
}

export class InvalidObjectKeyError extends DomainError {
  readonly code = 'STORAGE.INVALID_KEY';
  readonly kind = 'invalid';
  constructor(reason: string) {
    super(`invalid object key: ${reason}`, { reason });
  }
}

export class BucketNotFoundError extends DomainError {
  readonly code = 'STORAGE.BUCKET_NOT_FOUND';
  readonly kind = 'not_found';
  constructor(bucket: string) {
    super(`bucket ${bucket} not found`);
  }
}

export class BucketNotEmptyError extends DomainError {
  readonly code = 'STORAGE.BUCKET_NOT_EMPTY';
  readonly kind = 'conflict';
  constructor(bucket: string, objects: number, uploads: number) {
    super(`bucket ${bucket} still holds ${objects} objects and ${uploads} open uploads; delete them first`, { objects, uploads });
  }
}

export class ObjectNotFoundError extends DomainError {
  readonly code = 'STORAGE.OBJECT_NOT_FOUND';
  readonly kind = 'not_found';
  constructor(bucket: string, key: string) {
    super(`object ${JSON.stringify(key)} not found in bucket ${bucket}`);
  }
}

export class ObjectPreconditionFailedError extends DomainError {
  readonly code = 'STORAGE.PRECONDITION_FAILED';
  readonly kind = 'precondition_failed';
  constructor(header: 'If-Match' | 'If-None-Match') {
    super(`${header} does not hold for the object's current ETag`, { header });
  }
}

export class QuotaExceededError extends DomainError {
  readonly code = 'STORAGE.QUOTA_EXCEEDED';
  readonly kind = 'too_large';
  constructor(what: 'bytes' | 'objects', limit: number, used: number, requested: number) {
    super(`namespace ${what} quota exceeded: ${used} used + ${requested} requested > ${limit}`, { quota: what, limit, used, requested });
  }
}

export class ObjectTooLargeError extends DomainError {
  readonly code = 'STORAGE.OBJECT_TOO_LARGE';
  readonly kind = 'too_large';
  constructor(limit: number) {
    super(`objects may be at most ${limit} bytes`, { limit });
  }
}

export class ContentLengthRequiredError extends DomainError {
  readonly code = 'STORAGE.LENGTH_REQUIRED';
  readonly kind = 'length_required';
  constructor() {
    super('uploads need a Content-Length header (quotas are checked before any byte is stored)');
  }
}

export class ContentLengthMismatchError extends DomainError {
  readonly code = 'STORAGE.CONTENT_LENGTH_MISMATCH';
  readonly kind = 'invalid';
  constructor(declared: number, received: number) {
    super(`Content-Length said ${declared} bytes but ${received} arrived`, { declared, received });
  }
}

export class UploadAbortedError extends DomainError {
  readonly code = 'STORAGE.UPLOAD_ABORTED';
  readonly kind = 'invalid';
  constructor() {
    super('the request body ended before it was complete; nothing was stored');
  }
}

export class RangeNotSatisfiableError extends DomainError {
  readonly code = 'STORAGE.RANGE_NOT_SATISFIABLE';
  readonly kind = 'range_not_satisfiable';
  constructor(readonly size: number) {
    super(`the range lies outside the object's ${size} bytes`, { size });
  }
}

export class InvalidListCursorError extends DomainError {
  readonly code = 'STORAGE.INVALID_CURSOR';
  readonly kind = 'invalid';
  constructor() {
    super('cursor is not one this API returned; start again without a cursor');
  }
}

export class UploadNotFoundError extends DomainError {
  readonly code = 'STORAGE.UPLOAD_NOT_FOUND';
  readonly kind = 'not_found';
  constructor(uploadId: string) {
    super(`multipart upload ${uploadId} not found`);
  }
}

export class UploadNotOpenError extends DomainError {
  readonly code = 'STORAGE.UPLOAD_NOT_OPEN';
  readonly kind = 'conflict';
  constructor(uploadId: string, status: string) {
    super(`multipart upload ${uploadId} is ${status}`, { uploadStatus: status });
  }
}

export class InvalidPartsError extends DomainError {
  readonly code = 'STORAGE.INVALID_PARTS';
  readonly kind = 'invalid';
  constructor(reason: string) {
    super(`cannot complete the upload: ${reason}`);
  }
}

export class SignedUrlInvalidError extends DomainError {
  readonly code = 'STORAGE.SIGNATURE_INVALID';
  readonly kind = 'forbidden';
  constructor() {
    super('the signed URL is not valid for this request');
  }
}

export class SignedUrlExpiredError extends DomainError {
  readonly code = 'STORAGE.SIGNED_URL_EXPIRED';
  readonly kind = 'forbidden';
  constructor() {
    super('the signed URL has expired');
  }
}

export class BlobMissingError extends DomainError {
  readonly code = 'STORAGE.RETRY';
  readonly kind = 'unavailable';
  constructor() {
    super('the stored bytes were collected while this upload committed; send it again');
  }
}
