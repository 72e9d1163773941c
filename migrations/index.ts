import { RolesAndEventStore1732500000000 } from './1732500000000-roles-and-event-store';
import { AppendFastPath1732550000000 } from './1732550000000-append-fast-path';
import { ApiKeys1732600000000 } from './1732600000000-api-keys';
import { SandboxesReadModel1732700000000 } from './1732700000000-sandboxes-read-model';
import { IdempotencyKeys1732700000001 } from './1732700000001-idempotency-keys';
import { ProjectionRuntime1732800000000 } from './1732800000000-projection-runtime';
import { SandboxesRebuildable1732800000001 } from './1732800000001-sandboxes-rebuildable';
import { RealtimePublication1732900000000 } from './1732900000000-realtime-publication';
import { AuditLog1733000000000 } from './1733000000000-audit-log';
import { ApiKeysColumnGrants1733500000000 } from './1733500000000-api-keys-column-grants';
import { RuntimeRoleTimeouts1733500000001 } from './1733500000001-runtime-role-timeouts';
import { ApiKeysIssuedByAdmin1733500000002 } from './1733500000002-api-keys-issued-by-admin';
import { SandboxRuntime1733600000000 } from './1733600000000-sandbox-runtime';
import { EventsRecordedAtBrin1733700000000 } from './1733700000000-events-recorded-at-brin';
import { StorageReadModels1734000000000 } from './1734000000000-storage-read-models';
import { Webhooks1734200000000 } from './1734200000000-webhooks';
import { KeyRotation1734200000001 } from './1734200000001-key-rotation';
import { Peers1734300000000 } from './1734300000000-peers';
import { LlmUsage1734400000000 } from './1734400000000-llm-usage';
import { Models1734500000000 } from './1734500000000-models';
import { ModelsRebuildable1734500000001 } from './1734500000001-models-rebuildable';

/**
 * Every migration in order. Listed explicitly (no glob) so the same list works from ts-jest,
 * ts-node and the compiled daemon, and /healthz can tell whether all of them ran.
 */
export const MIGRATIONS = [
  RolesAndEventStore1732500000000,
  AppendFastPath1732550000000,
  ApiKeys1732600000000,
  SandboxesReadModel1732700000000,
  IdempotencyKeys1732700000001,
  ProjectionRuntime1732800000000,
  SandboxesRebuildable1732800000001,
  RealtimePublication1732900000000,
  AuditLog1733000000000,
  ApiKeysColumnGrants1733500000000,
  RuntimeRoleTimeouts1733500000001,
  ApiKeysIssuedByAdmin1733500000002,
  SandboxRuntime1733600000000,
  EventsRecordedAtBrin1733700000000,
  StorageReadModels1734000000000,
  Webhooks1734200000000,
  KeyRotation1734200000001,
  Peers1734300000000,
  LlmUsage1734400000000,
  Models1734500000000,
  ModelsRebuildable1734500000001,
];
