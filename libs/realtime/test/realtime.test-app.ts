import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Principal } from '@cave/kernel';
import { DatabaseUrls, EventStoreModule } from '@cave/event-store';
import { ObservabilityModule } from '@cave/observability';
import { RealtimeModule } from '../src/realtime.module';

/**
 * Stand-in for the keys context so this library's mechanics (WAL, ordering, failover) are tested
 * on their own; test/realtime.e2e-spec.ts runs the daemon with real API keys.
 */
export const TEST_PRINCIPALS: Record<string, Principal> = {
  'tok-acme': { keyId: 'k-acme', namespace: 'acme', role: 'member' },
  'tok-other': { keyId: 'k-other', namespace: 'other', role: 'member' },
  'tok-admin': { keyId: 'k-admin', namespace: 'ops', role: 'admin' },
};

export async function startRealtimeLibApp(urls: DatabaseUrls, port = 0): Promise<{ app: NestFastifyApplication; url: string }> {
  @Module({
    imports: [
      EventStoreModule.forRoot(urls, 5),
      ObservabilityModule,
      RealtimeModule.forRoot({
        replicationUrl: urls.replicationUrl,
        authenticator: { useValue: { authenticate: async (t: string) => TEST_PRINCIPALS[t] } },
      }),
    ],
  })
  class RealtimeLibTestModule {}
  const app = await NestFactory.create<NestFastifyApplication>(RealtimeLibTestModule, new FastifyAdapter(), { logger: false });
  await app.listen({ port, host: '127.0.0.1' });
  const address = app.getHttpServer().address();
  return { app, url: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}` };
}
