import { InvalidEndpointError } from './webhook.errors';

export const URL_MAX_LENGTH = 2048;
export const EVENT_TYPES_MAX = 32;
export const SECRET_MIN_LENGTH = 16;
export const SECRET_MAX_LENGTH = 256;
const EVENT_TYPE = /^[a-z][a-z0-9_]{0,62}$/;
const SECRET = /^[\x21-\x7e]+$/;

/**
 * A webhook target: absolute http(s), no userinfo (credentials in a URL would end up in events and
 * listings; use the signing secret to authenticate instead), no fragment.
 */
export function parseEndpointUrl(raw: string): URL {
  if (typeof raw !== 'string' || raw.length === 0 || raw.length > URL_MAX_LENGTH) throw new InvalidEndpointError(`url must be 1..${URL_MAX_LENGTH} characters`);
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new InvalidEndpointError('url must be an absolute URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new InvalidEndpointError('url must be http or https');
  if (url.username !== '' || url.password !== '') throw new InvalidEndpointError('url must not carry credentials; the signing secret authenticates the sender');
  if (url.hash !== '') throw new InvalidEndpointError('url must not have a fragment');
  return url;
}

export function parseEventTypes(types: readonly string[], deliverable: readonly string[]): string[] {
  if (!Array.isArray(types) || types.length === 0 || types.length > EVENT_TYPES_MAX) throw new InvalidEndpointError(`eventTypes must list 1..${EVENT_TYPES_MAX} event types`);
  const unique = [...new Set(types)];
  for (const t of unique) {
    if (typeof t !== 'string' || !EVENT_TYPE.test(t)) throw new InvalidEndpointError('eventTypes must be event type names like key_rotated');
    if (!deliverable.includes(t)) throw new InvalidEndpointError(`event type ${t} cannot be delivered by webhook (deliverable: ${deliverable.join(', ')})`);
  }
  return unique.sort();
}

/** A caller-chosen secret: printable ASCII without spaces; `whsec_<base64>` also gets Standard Webhooks headers. */
export function parseSecret(secret: string): string {
  if (typeof secret !== 'string' || secret.length < SECRET_MIN_LENGTH || secret.length > SECRET_MAX_LENGTH || !SECRET.test(secret)) {
    throw new InvalidEndpointError(`secret must be ${SECRET_MIN_LENGTH}..${SECRET_MAX_LENGTH} printable ASCII characters without spaces`);
  }
  return secret;
}
