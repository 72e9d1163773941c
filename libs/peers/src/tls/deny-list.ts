import { Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { EventsHandler, IEventHandler } from '@nestjs/cqrs';
import { Database, EventCommitted } from '@cave/event-store';
import { PEER_DENY_LIST_STREAM_TYPE } from '../contracts/peer.events';
import { serialEntry } from '../domain/deny-list.decider';
import { nodeIdFromSubjectAltName } from '../pki/operator-pki';

/** The part of a TLS peer certificate the deny list looks at. */
export interface CertificateIdentity {
  serialNumber?: string;
  subjectaltname?: string;
}

/**
 * The deny list as the TLS edges consult it on every connection: an in-memory set, loaded from the
 * `peer_deny_list` read model at start, reloaded after this instance commits a change and every few
 * seconds (another daemon on the same database may have changed it).
 */
@Injectable()
export class DenyList implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('Peers');
  private entries: ReadonlySet<string> = new Set();
  private timer?: NodeJS.Timeout;

  constructor(private readonly db: Database) {}

  async onModuleInit(): Promise<void> {
    await this.reload();
    this.timer = setInterval(() => void this.reload().catch((e: Error) => this.logger.warn(`deny list reload failed: ${e.message}`)), 5_000);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
  }

  async reload(): Promise<void> {
    const rows = await this.db.asAdmin(async (c) => (await c.query<{ entry: string }>('select entry from peer_deny_list')).rows);
    this.entries = new Set(rows.map((r) => r.entry));
  }

  /** Why this certificate is refused, or undefined when it is not denied. */
  refusal(cert: CertificateIdentity): string | undefined {
    if (cert.serialNumber && this.entries.has(serialEntry(cert.serialNumber))) return 'certificate serial denied';
    const node = nodeIdFromSubjectAltName(cert.subjectaltname);
    if (node && this.entries.has(`node:${node}`)) return 'node denied';
    return undefined;
  }
}

@EventsHandler(EventCommitted)
export class DenyListReloader implements IEventHandler<EventCommitted> {
  constructor(private readonly denyList: DenyList) {}
  handle(e: EventCommitted): void {
    if (e.streamType === PEER_DENY_LIST_STREAM_TYPE) void this.denyList.reload().catch(() => undefined);
  }
}
