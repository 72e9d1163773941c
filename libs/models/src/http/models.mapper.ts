import type { ModelRecord } from '../read-models/models.read-model';
import type { PublisherView } from '../read-models/publishers.read-model';
import type { ModelDto, PublisherDto } from './models.dto';

export function toModelDto(r: ModelRecord): ModelDto {
  return {
    modelId: r.modelId,
    name: r.name,
    version: r.version,
    format: r.format,
    sha256: r.sha256,
    sizeBytes: r.sizeBytes,
    chunkSize: r.chunkSize,
    chunkCount: r.chunkCount,
    license: r.license,
    publisher: r.publisher,
    status: r.status,
    source: r.source,
    registeredAt: r.registeredAt,
    registeredBy: r.registeredBy,
    verifiedAt: r.verifiedAt,
    failure: r.failure,
    activeIn: r.activeIn,
  };
}

export function toPublisherDto(p: PublisherView): PublisherDto {
  return { publisherId: p.publisherId, publicKey: p.publicKey, label: p.label, status: p.status, trustedAt: p.trustedAt, revokedAt: p.revokedAt };
}
