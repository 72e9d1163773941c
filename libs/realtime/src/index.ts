export * from './realtime.module';
export * from './realtime.options';
export * from './realtime.service';
export * from './gateway/realtime-authenticator';
export type { RealtimeEventPayload } from './delivery/realtime-event';
export { slotNameFor, slotNameForUrl, PUBLICATION } from './wal/replication-slot';
export { RealtimeTransient } from './transient/realtime-transient';
export type { TransientTarget } from './transient/realtime-transient';
