import { lookup as dnsLookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { Inject, Injectable } from '@nestjs/common';
import { CAVE_CONFIG, CaveConfig } from '@cave/config';
import { isPrivateAddress } from '../domain/address-policy';
import { PrivateAddressError } from '../domain/webhook.errors';

export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

export type Resolver = (hostname: string) => Promise<ResolvedAddress[]>;

export const systemResolver: Resolver = async (hostname) =>
  (await dnsLookup(hostname, { all: true, verbatim: true })).map((a) => ({ address: a.address, family: a.family === 6 ? 6 : 4 }));

/**
 * SSRF guard, applied when an endpoint is registered and again before every attempt: a name that
 * resolved to a public address at registration may resolve to 127.0.0.1 later (DNS rebinding). The
 * sender connects to exactly the address checked here (no second lookup in between).
 */
@Injectable()
export class AddressGuard {
  private resolver: Resolver = systemResolver;

  constructor(@Inject(CAVE_CONFIG) private readonly config: CaveConfig) {}

  /** For tests that must simulate a name changing its answer. */
  useResolver(resolver: Resolver): void {
    this.resolver = resolver;
  }

  /** The address to connect to, or PrivateAddressError. Resolution failures propagate (a connection error). */
  async resolve(url: URL): Promise<ResolvedAddress> {
    const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
    const family = isIP(host);
    const addresses = family !== 0 ? [{ address: host, family: family as 4 | 6 }] : await this.resolver(host);
    if (addresses.length === 0) throw Object.assign(new Error(`${host} did not resolve`), { code: 'ENOTFOUND' });
    if (!this.config.webhooks.allowPrivate) {
      // Every answer must be public: a client may pick any of them.
      const bad = addresses.find((a) => isPrivateAddress(a.address));
      if (bad) throw new PrivateAddressError(`${host} resolves to a private, loopback or link-local address; webhooks may only target public addresses`);
    }
    return addresses[0];
  }
}
