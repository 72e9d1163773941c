import { Injectable } from '@nestjs/common';
import { Database } from '@cave/event-store';
import type { SignedManifest } from '../contracts/model-package';
import { parsePublicKey, verifyManifestSignature } from '../domain/publisher-key';
import { PublisherUntrustedError } from '../domain/models.errors';
import { publishersReadModel } from '../read-models/publishers.read-model';

/** The trust decision every intake path shares: a trusted (not revoked) publisher, and its signature. */
@Injectable()
export class PublisherTrust {
  constructor(private readonly db: Database) {}

  /** Throws `PublisherUntrustedError` or `SignatureInvalidError`. */
  async check(signed: SignedManifest): Promise<void> {
    const publisher = await this.db.asAdmin((c) => publishersReadModel.get(c, signed.manifest.publisher));
    if (!publisher || publisher.status !== 'trusted') throw new PublisherUntrustedError(signed.manifest.publisher);
    verifyManifestSignature(signed, parsePublicKey(publisher.publicKey));
  }
}
