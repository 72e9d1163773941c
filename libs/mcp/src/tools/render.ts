import type { SandboxDto } from '@cave/sandbox';

/** The one-line text rendering of a sandbox that accompanies its structured content. */
export function renderSandbox(s: SandboxDto): string {
  return `sandbox "${s.name}" (${s.id}): ${s.state}, ${s.runtime}/${s.mode}, version ${s.version}`;
}
