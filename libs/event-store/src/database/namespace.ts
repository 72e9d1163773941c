const NAMESPACE_PATTERN = /^[a-z0-9][a-z0-9_-]{0,62}$/;

/** Namespaces are identifiers chosen by operators; this shape keeps them safe in every context. */
export function assertNamespace(namespace: string): void {
  if (typeof namespace !== 'string' || !NAMESPACE_PATTERN.test(namespace)) throw new Error(`invalid namespace: ${JSON.stringify(namespace)}`);
}
