import { DynamicModule, Module, ModuleMetadata } from '@nestjs/common';
import { DenyCertificateHandler } from './commands/deny-certificate/deny-certificate.handler';
import { UndenyCertificateHandler } from './commands/undeny-certificate/undeny-certificate.handler';
import { DenyListController } from './http/deny-list.controller';
import { PeersController } from './http/peers.controller';
import { PeerWriter } from './commands/peer-writer';
import { RegisterPeerHandler } from './commands/register-peer/register-peer.handler';
import { RemovePeerHandler } from './commands/remove-peer/remove-peer.handler';
import { RequestReplicationHandler } from './commands/request-replication/request-replication.handler';
import { PeerHealthPoller } from './health/peer-health.poller';
import { Replicator } from './replication/replicator';
import { ReplicationWriter } from './replication/replication-writer';
import { PeerClient } from './tls/peer-client';
import { DenyList, DenyListReloader } from './tls/deny-list';
import { PeerListener } from './tls/peer-listener';
import { PeerNodeService } from './tls/peer-node.service';
import { PeerRoutes } from './tls/peer-routes';

export interface PeersModuleOptions {
  /** Modules that export `MODEL_ARTIFACTS` (the models context). Without one the node holds and receives no models. */
  imports?: ModuleMetadata['imports'];
}

/**
 * Peers: the operator-CA mutual-TLS listener (`/peer/v1`), registered peers with health, the certificate deny
 * list, and model replication between nodes. Needs EventStoreModule, ConfigModule and CqrsModule from the root.
 */
@Module({})
export class PeersModule {
  static forRoot(options: PeersModuleOptions = {}): DynamicModule {
    return {
      module: PeersModule,
      imports: options.imports ?? [],
      controllers: [DenyListController, PeersController],
      providers: [
        PeerNodeService,
        PeerRoutes,
        PeerListener,
        DenyList,
        DenyListReloader,
        DenyCertificateHandler,
        UndenyCertificateHandler,
        PeerClient,
        PeerWriter,
        PeerHealthPoller,
        RegisterPeerHandler,
        RemovePeerHandler,
        ReplicationWriter,
        Replicator,
        RequestReplicationHandler,
      ],
      exports: [PeerListener, Replicator],
    };
  }
}
