import { SnapshotIncompatibleDomainError } from '../../domain/runtime/sandbox-runtime.errors';
import { QUICKJS_VARIANT } from '../../runtimes/quickjs/quickjs-variant';
import type { SnapshotRow } from '../../runtime-host/sandbox-runtime.repository';

/** A memory image only loads into the exact build that wrote it: refuse others with a clear 409. */
export function assertLoadable(s: Pick<SnapshotRow, 'variant' | 'variantVersion'>): void {
  if (s.variant !== QUICKJS_VARIANT.name || s.variantVersion !== QUICKJS_VARIANT.version) {
    throw new SnapshotIncompatibleDomainError(
      `snapshot was taken with ${s.variant}@${s.variantVersion}; this daemon runs ${QUICKJS_VARIANT.name}@${QUICKJS_VARIANT.version} and cannot load it`,
    );
  }
}
