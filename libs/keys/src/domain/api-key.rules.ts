/** Same shape the event store enforces for every namespace. */
export const NAMESPACE_PATTERN = /^[a-z0-9][a-z0-9_-]{0,62}$/;
export const NAME_MAX_LENGTH = 100;
/** Names are shown in lists and logs: no control characters, at least one visible character. */
export const NAME_PATTERN = /^(?=.*\S)[^\u0000-\u001f\u007f]+$/;
export const SHA256_HEX_PATTERN = /^[0-9a-f]{64}$/;
