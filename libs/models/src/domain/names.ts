import { InvalidInputError } from '@cave/kernel';

/** Same rule as the keys context's namespaces (a namespace an API key could have). */
const NAMESPACE = /^[a-z0-9][a-z0-9_-]{0,62}$/;
const HEX64 = /^[0-9a-f]{64}$/;

export function assertNamespaceName(namespace: string, field = 'namespace'): void {
  if (!NAMESPACE.test(namespace)) throw new InvalidInputError([{ field, message: 'must match [a-z0-9][a-z0-9_-]{0,62}' }]);
}

/** Model ids are artifact sha256s, publisher ids key sha256s: 64 lower-case hex digits. */
export function assertHexId(id: string, field: string): void {
  if (!HEX64.test(id)) throw new InvalidInputError([{ field, message: 'must be 64 lower-case hex digits' }]);
}
