import { DynamicModule, Module, ModuleMetadata, Provider } from '@nestjs/common';
import { DenyCertificateHandler } from './commands/deny-certificate/deny-certificate.handler';
import { UndenyCertificateHandler } from './commands/undeny-certificate/undeny-certificate.handler';
import { DenyListController } from './http/deny-list.controller';
import { DenyList, DenyListReloader } from './tls/deny-list';
import { PeerListener } from './tls/peer-listener';
import { PeerNodeService } from './tls/peer-node.service';
import { PeerRoutes } from './tls/peer-routes';

export interface PeersModuleOptions {
  /** Modules that export `MODEL_ARTIFACTS` (the models context). */
  imports?: ModuleMetadata['imports'];
  /** Or the provider itself (tests, before a registry exists). Without either the node holds and receives no models. */
  artifacts?: Provider;
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
      controllers: [DenyListController],
      providers: [
        ...(options.artifacts ? [options.artifacts] : []),
        PeerNodeService,
        PeerRoutes,
        PeerListener,
        DenyList,
        DenyListReloader,
        DenyCertificateHandler,
        UndenyCertificateHandler,
      ],
      exports: [PeerListener],
    };
  }
}
