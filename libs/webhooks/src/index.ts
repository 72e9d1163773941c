export { WebhooksModule } from './webhooks.module';
export * from './contracts/webhook-sources';
export * from './contracts/webhook-signing';
export * from './contracts/webhook.events';
