import { RolesAndEventStore1732500000000 } from './1732500000000-roles-and-event-store';
import { RealtimePublication1732900000000 } from './1732900000000-realtime-publication';

/**
 * Every migration in order. Listed explicitly (no glob) so the same list works from ts-jest,
 * ts-node and the compiled daemon, and /healthz can tell whether all of them ran.
 */
export const MIGRATIONS = [RolesAndEventStore1732500000000, RealtimePublication1732900000000];
