import { userInfo } from 'node:os';
import { CommandRunner, Option, SubCommand } from 'nest-commander';
import { CliContext } from '../cli-context';
import { describeProjection } from './projections-list.command';

/**
 * Asks for a rebuild; the daemon instance leading the projection performs it (it has the code),
 * and this command follows the progress until the swap or a failure.
 */
@SubCommand({ name: 'rebuild', arguments: '<name>', description: 'Rebuild a read model with zero downtime (shadow tables, atomic swap) and follow its progress' })
export class ProjectionsRebuildCommand extends CommandRunner {
  constructor(private readonly ctx: CliContext) {
    super();
  }

  async run([name]: string[], opts: { wait?: boolean }): Promise<void> {
    const { projections } = await this.ctx.connect();
    let view = await projections.rebuild(name, `cli:${userInfo().username}`);
    process.stderr.write(`rebuild of ${name} requested\n`);
    if (!view.leaderAlive) process.stderr.write(`warning: no daemon leads ${name} right now; the rebuild starts when one does\n`);
    if (opts.wait === false) return;
    let last = '';
    while (view.rebuild && (view.rebuild.status === 'requested' || view.rebuild.status === 'running')) {
      await new Promise((r) => setTimeout(r, 500));
      view = await projections.get(name);
      const line = describeProjection(view);
      if (line !== last) process.stderr.write(`${line}\n`);
      last = line;
    }
    if (view.rebuild?.status !== 'done') throw new Error(`rebuild of ${name} ${view.rebuild?.status ?? 'vanished'}: ${view.rebuild?.error ?? ''}`);
    process.stderr.write(`rebuild of ${name} done: ${view.rebuild.eventsProcessed} events, swapped in at position ${view.position}\n`);
  }

  @Option({ flags: '--no-wait', description: 'Return once requested instead of following the progress' })
  parseWait(): boolean {
    return false;
  }
}
