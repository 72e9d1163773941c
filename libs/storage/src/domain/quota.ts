import { QuotaExceededError } from './storage.errors';

export interface Usage {
  bytes: number;
  objects: number;
}

export interface Quota {
  /** 0 = unlimited. */
  bytes: number;
  objects: number;
}

/**
 * Would a write that adds `addBytes` and `addObjects` (negative when it replaces something larger) stay within
 * the quota? Shrinking writes always pass, so a namespace over its quota can still clean up.
 */
export function checkQuota(quota: Quota, usage: Usage, addBytes: number, addObjects: number): void {
  if (quota.bytes > 0 && addBytes > 0 && usage.bytes + addBytes > quota.bytes) throw new QuotaExceededError('bytes', quota.bytes, usage.bytes, addBytes);
  if (quota.objects > 0 && addObjects > 0 && usage.objects + addObjects > quota.objects) {
    throw new QuotaExceededError('objects', quota.objects, usage.objects, addObjects);
  }
}

/** The namespace's own quota, or the default one. */
export function quotaOf(config: { quotaBytes: number; quotaObjects: number; namespaceQuotas: Record<string, Quota> }, namespace: string): Quota {
  return config.namespaceQuotas[namespace] ?? { bytes: config.quotaBytes, objects: config.quotaObjects };
}
