import { MachineFacts } from './machine';

export interface ServerFacts {
  postgresVersion: string;
  settings: Record<string, string>;
}

/** The lines every section starts with: where and on what the numbers were measured. */
export function environmentLines(m: MachineFacts, s: ServerFacts, loadAfter?: number): string[] {
  const settings = Object.entries(s.settings)
    .map(([k, v]) => `${k}=${v}`)
    .join(', ');
  const load = `load average ${m.loadAverage}` + (loadAfter === undefined ? '' : ` at start, ${loadAfter} at end`);
  return [
    `- Measured ${m.date} on ${m.cpuModel}, ${m.cores} cores, ${m.memoryGiB} GiB RAM (${load}).`,
    `- Node ${m.node}, PostgreSQL ${s.postgresVersion} (embedded, fresh cluster, default durable settings: ${settings}).`,
  ];
}
