export * from './contracts/api-key.events';
export { KeysModule } from './keys.module';
export { ApiKeyAuthenticator } from './auth/api-key.authenticator';
export { SYSTEM_NAMESPACE } from './bootstrap/keys-bootstrap.service';
