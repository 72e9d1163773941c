import { Readable } from 'node:stream';
import { Injectable } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { etagListMatches, parseETagList } from '../domain/etag';
import { ObjectPreconditionFailedError, RangeNotSatisfiableError } from '../domain/storage.errors';
import { parseRange } from '../domain/range';
import type { ObjectView } from '../projections/storage.read-model';
import { GetObjectQuery } from '../queries/get-object/get-object.query';
import { OpenObjectQuery } from '../queries/open-object/open-object.query';
import { setObjectHeaders } from './storage.mapper';

/**
 * GET and HEAD of an object for the API-key and the signed routes alike: metadata from the read model,
 * conditional requests (If-Match 412, If-None-Match 304), one Range (206 or 416), and for GET only the bytes,
 * streamed from the backend with backpressure. HEAD never touches the backend.
 */
@Injectable()
export class ObjectResponder {
  constructor(private readonly queries: QueryBus) {}

  async respond(req: FastifyRequest, reply: FastifyReply, namespace: string, bucket: string, key: string): Promise<FastifyReply> {
    const view: ObjectView = await this.queries.execute(new GetObjectQuery(namespace, bucket, key));
    setObjectHeaders(reply, view);
    const ifMatch = parseETagList(header(req, 'if-match'));
    if (ifMatch !== undefined && !etagListMatches(ifMatch, view.sha256)) throw new ObjectPreconditionFailedError('If-Match');
    const ifNoneMatch = parseETagList(header(req, 'if-none-match'));
    if (ifNoneMatch !== undefined && etagListMatches(ifNoneMatch, view.sha256)) return reply.status(304).send();
    let range: { start: number; end: number } | undefined;
    try {
      range = parseRange(header(req, 'range'), view.size);
    } catch (e) {
      if (e instanceof RangeNotSatisfiableError) void reply.header('content-range', `bytes */${view.size}`);
      throw e;
    }
    void reply.header('content-type', view.contentType);
    if (range) {
      void reply.status(206).header('content-range', `bytes ${range.start}-${range.end}/${view.size}`);
    }
    const length = range ? range.end - range.start + 1 : view.size;
    void reply.header('content-length', String(length));
    // Fastify's HEAD handler rewrites Content-Length to 0 for an empty payload but keeps it for a stream.
    if (req.method === 'HEAD') return reply.send(Readable.from([]));
    if (length === 0) return reply.send();
    const stream = await this.queries.execute(new OpenObjectQuery(view, range));
    return reply.send(stream);
  }
}

function header(req: FastifyRequest, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v.join(',') : v;
}
