export { RealtimeModule } from './realtime.module';
export type { RealtimeModuleOptions } from './realtime.module';
export { REALTIME_OPTIONS } from './realtime.options';
export type { RealtimeOptions } from './realtime.options';
export { RealtimeService } from './realtime.service';
export { REALTIME_AUTHENTICATOR } from './gateway/realtime-authenticator';
export type { RealtimeAuthenticator } from './gateway/realtime-authenticator';
export type { RealtimeEventPayload } from './delivery/realtime-event';
export { slotNameFor, slotNameForUrl, PUBLICATION } from './wal/replication-slot';
