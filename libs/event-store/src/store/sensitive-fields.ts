/**
 * Event data fields that the store must keep (a read model is rebuilt from them) but that must never
 * leave the server: e.g. the SHA-256 of an API key, which is the lookup credential in `api_keys`.
 * Contexts declare them next to their event contracts; every edge that shows events to a client
 * (history API, realtime, exports for members) passes data through `publicEventData`.
 *
 * A process-wide registry on purpose: it is filled at import time by the contexts' contract files,
 * so no edge can forget to inject it.
 */
const sensitive = new Map<string, readonly string[]>();
export const REDACTED = '[redacted]';

export function registerSensitiveFields(eventType: string, fields: readonly string[]): void {
  sensitive.set(eventType, [...new Set([...(sensitive.get(eventType) ?? []), ...fields])]);
}

export function publicEventData(eventType: string, data: unknown): unknown {
  const fields = sensitive.get(eventType);
  if (!fields || data === null || typeof data !== 'object' || Array.isArray(data)) return data;
  const copy: Record<string, unknown> = { ...(data as Record<string, unknown>) };
  for (const f of fields) if (f in copy) copy[f] = REDACTED;
  return copy;
}
