import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ApiKeyAuthenticator } from './auth/api-key.authenticator';
import { ApiKeyGuard } from './auth/api-key.guard';
import { AuthMetrics } from './auth/auth.metrics';
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
  ],
  exports: [ApiKeyAuthenticator],
})
export class KeysModule {}
