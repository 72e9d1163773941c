import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { REALTIME_AUTHENTICATOR } from '@cave/realtime';
import { ApiKeyAuthenticator } from './auth/api-key.authenticator';
import { ApiKeyGuard } from './auth/api-key.guard';
import { AuthMetrics } from './auth/auth.metrics';
import { ApiKeyRealtimeAccess } from './auth/realtime-access';
import { KeysBootstrapService } from './bootstrap/keys-bootstrap.service';
import { IssueKeyHandler } from './commands/issue-key/issue-key.handler';
import { RevokeKeyHandler } from './commands/revoke-key/revoke-key.handler';
import { KeysController } from './http/keys.controller';
import { WhoAmIController } from './http/whoami.controller';
import { GetKeyHandler } from './queries/get-key/get-key.handler';
import { ListKeysHandler } from './queries/list-keys/list-keys.handler';

/**
 * API keys: issue, list, revoke, bootstrap, and the global guard that authenticates every HTTP
 * route. Needs EventStoreModule, ConfigModule, ObservabilityModule and CqrsModule from the root.
 */
@Module({
  controllers: [KeysController, WhoAmIController],
  providers: [
    ApiKeyAuthenticator,
    AuthMetrics,
    IssueKeyHandler,
    RevokeKeyHandler,
    ListKeysHandler,
    GetKeyHandler,
    KeysBootstrapService,
    { provide: APP_GUARD, useClass: ApiKeyGuard },
    // Realtime's authentication port, implemented here: handshakes and key invalidation.
    { provide: REALTIME_AUTHENTICATOR, useClass: ApiKeyRealtimeAccess },
  ],
  exports: [ApiKeyAuthenticator, REALTIME_AUTHENTICATOR],
})
export class KeysModule {}
