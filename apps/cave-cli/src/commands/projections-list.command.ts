import { CommandRunner, Option, SubCommand } from 'nest-commander';
import { ProjectionView } from '@cave/projections';
import { CliContext } from '../cli-context';

export function describeProjection(p: ProjectionView): string {
  const rb = p.rebuild;
  const rebuild = rb ? `${rb.status}${rb.position !== null ? ` @${rb.position}` : ''}${rb.eventsPerSecond ? ` ${rb.eventsPerSecond}/s` : ''}${rb.etaSeconds !== null ? ` eta ${rb.etaSeconds}s` : ''}${rb.error ? ` (${rb.error})` : ''}` : '-';
  const failure = p.failure ? ` failed at ${p.failure.globalPosition}: ${p.failure.message}` : '';
  return `${p.name.padEnd(24)} ${p.status.padEnd(8)} pos ${String(p.position).padStart(10)} lag ${String(p.lagEvents).padStart(8)}  leader ${p.leader ?? '-'}${p.leaderAlive ? '' : ' (none alive)'}  rebuild ${rebuild}${failure}`;
}

@SubCommand({ name: 'list', description: 'Every projection with status, position, lag, leader and rebuild progress' })
export class ProjectionsListCommand extends CommandRunner {
  constructor(private readonly ctx: CliContext) {
    super();
  }

  async run(_args: string[], opts: { json?: boolean }): Promise<void> {
    const { projections } = await this.ctx.connect();
    const all = await projections.list();
    if (opts.json) process.stdout.write(JSON.stringify(all, null, 2) + '\n');
    else process.stdout.write(all.length === 0 ? 'no projections yet\n' : all.map(describeProjection).join('\n') + '\n');
  }

  @Option({ flags: '--json', description: 'Machine-readable output' })
  parseJson(): boolean {
    return true;
  }
}
