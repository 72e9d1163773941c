export { KeysModule } from './keys.module';
export { ApiKeyAuthenticator } from './contracts/api-key-authenticator';
export {
  API_KEY_EVENT_TYPES,
  API_KEY_ROLES,
  API_KEY_STREAM_TYPE,
  apiKeyStreamId,
  KEY_ISSUED,
  KEY_REVOKED,
  KEY_ROTATED,
  SYSTEM_NAMESPACE,
} from './contracts/api-key.events';
export type { ApiKeyEvent, ApiKeyRole, KeyIssuedData, KeyRevokedData } from './contracts/api-key.events';
