import type { FastifyReply, FastifyRequest } from 'fastify';
import { ContentLengthRequiredError, InvalidObjectKeyError } from '../domain/storage.errors';
import { objectETag, parseETagList } from '../domain/etag';
import type { Preconditions } from '../domain/object.decider';
import type { ObjectView, BucketView } from '../projections/storage.read-model';
import type { BucketDto, ObjectDto } from './storage.dto';

export function toObjectDto(v: ObjectView): ObjectDto {
  return { bucket: v.bucket, key: v.key, size: v.size, sha256: v.sha256, etag: objectETag(v.sha256), contentType: v.contentType, version: v.version, storedAt: v.storedAt.toISOString() };
}

export function toBucketDto(v: BucketView): BucketDto {
  return { name: v.name, createdAt: v.createdAt.toISOString() };
}

/** Object metadata headers, shared by GET and HEAD (which reads only the read model). */
export function setObjectHeaders(reply: FastifyReply, v: ObjectView): void {
  void reply
    .header('etag', objectETag(v.sha256))
    .header('last-modified', v.storedAt.toUTCString())
    .header('accept-ranges', 'bytes')
    .header('x-cave-object-version', String(v.version))
    .header('cache-control', 'private, no-cache');
}

function header(req: FastifyRequest, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v.join(',') : v;
}

export function preconditionsOf(req: FastifyRequest): Preconditions {
  return { ifMatch: parseETagList(header(req, 'if-match')), ifNoneMatch: parseETagList(header(req, 'if-none-match')) };
}

/** A declared body length is required: quotas are checked against it before a byte is stored. */
export function contentLengthOf(req: FastifyRequest): number {
  const raw = header(req, 'content-length');
  if (raw === undefined || !/^\d{1,16}$/.test(raw)) throw new ContentLengthRequiredError();
  return Number(raw);
}

/**
 * The key from the wildcard path segment. Fastify has already percent-decoded it once, so `%2e%2e%2f` arrives
 * as `../` and is refused like the literal; what did not decode to valid UTF-8 is refused as well.
 */
export function keyOf(params: Record<string, string | undefined>): string {
  const key = params['*'] ?? '';
  if (key.includes('%') && /%[0-9a-f]{2}/i.test(key) && safeDecode(key) !== key) {
    // Left encoded after Fastify's decoding: a double-encoded key. Legal as text, but never a path trick.
    if (/(^|\/)(\.|%2e){1,2}(\/|%2f|$)/i.test(safeDecode(key))) throw new InvalidObjectKeyError('"." and ".." segments are not allowed');
  }
  return key;
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
