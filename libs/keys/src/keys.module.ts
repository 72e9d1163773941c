import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { WebhooksModule } from '@cave/webhooks';
import { REALTIME_AUTHENTICATOR } from '@cave/realtime';
import { ApiKeyAuthenticator } from './auth/api-key.authenticator';
import { ApiKeyGuard } from './auth/api-key.guard';
import { AuthThrottle } from './auth/auth-throttle';
import { AuthMetrics } from './auth/auth.metrics';
import { EarlyKeyLookup } from './auth/early-key-lookup';
import { ApiKeyRealtimeAccess } from './auth/realtime-access';
import { KeysBootstrapService } from './bootstrap/keys-bootstrap.service';
import { IssueKeyHandler } from './commands/issue-key/issue-key.handler';
import { RevokeKeyHandler } from './commands/revoke-key/revoke-key.handler';
import { ApplyPeerRotationHandler } from './commands/apply-peer-rotation/apply-peer-rotation.handler';
import { KeyExpirySweeper } from './commands/expire-keys/key-expiry.sweeper';
import { RotateKeyHandler } from './commands/rotate-key/rotate-key.handler';
import { KeysController } from './http/keys.controller';
import { RotationReceiverController } from './http/rotation-receiver.controller';
import { KeyWebhookSources } from './webhooks/key-webhook-sources';
import { WhoAmIController } from './http/whoami.controller';
import { GetKeyHandler } from './queries/get-key/get-key.handler';
import { ListKeysHandler } from './queries/list-keys/list-keys.handler';

/**
 * API keys: issue, list, revoke, bootstrap, and the global guard that authenticates every HTTP
 * route; rotation (its webhooks go through WebhooksModule). Needs EventStoreModule, ConfigModule,
 * ObservabilityModule, ProjectionsModule and CqrsModule from the root.
 */
@Module({
  imports: [WebhooksModule],
  controllers: [KeysController, WhoAmIController, RotationReceiverController],
  providers: [
    ApiKeyAuthenticator,
    AuthMetrics,
    AuthThrottle,
    EarlyKeyLookup,
    IssueKeyHandler,
    RevokeKeyHandler,
    ListKeysHandler,
    GetKeyHandler,
    RotateKeyHandler,
    ApplyPeerRotationHandler,
    KeyExpirySweeper,
    KeyWebhookSources,
    KeysBootstrapService,
    { provide: APP_GUARD, useClass: ApiKeyGuard },
    // Realtime's authentication port, implemented here: handshakes and key invalidation.
    { provide: REALTIME_AUTHENTICATOR, useClass: ApiKeyRealtimeAccess },
  ],
  exports: [ApiKeyAuthenticator, REALTIME_AUTHENTICATOR],
})
export class KeysModule {}
