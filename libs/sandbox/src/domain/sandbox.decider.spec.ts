import { fold } from '@cave/kernel';
import { SandboxCommand } from './sandbox.commands';
import { sandboxDecider } from './sandbox.decider';
import { InvalidSandboxTransitionError, SandboxNotFoundError } from './sandbox.errors';
import { SandboxCreatedData, SandboxEvent } from '../contracts/sandbox.events';

const id = '7d3f6a62-1c7e-4c55-9a57-0c1b0e3f2a10';
const created: SandboxCreatedData = {
  sandboxId: id,
  name: 'demo',
  runtime: 'javascript',
  mode: 'quick',
  limits: { memoryMb: 64, timeoutMs: 5000, maxOutputBytes: 65536 },
  labels: { team: 'a' },
};
const ev = {
  created: { type: 'sandbox_created', data: created } as SandboxEvent,
  started: { type: 'sandbox_started', data: { sandboxId: id } } as SandboxEvent,
  stopped: { type: 'sandbox_stopped', data: { sandboxId: id } } as SandboxEvent,
  deleted: { type: 'sandbox_deleted', data: { sandboxId: id } } as SandboxEvent,
};
const cmd: Record<SandboxCommand['type'], SandboxCommand> = {
  create: { type: 'create', data: created },
  start: { type: 'start', sandboxId: id },
  stop: { type: 'stop', sandboxId: id },
  delete: { type: 'delete', sandboxId: id },
};

/** given events, when command, then new events (or an error). */
function given(...history: SandboxEvent[]) {
  return {
    when: (command: SandboxCommand) => () => sandboxDecider.decide(command, fold(sandboxDecider, history)),
  };
}

describe('sandbox decider', () => {
  describe('valid lifecycle', () => {
    it('create on a new stream -> sandbox_created with the full policy', () => {
      expect(given().when(cmd.create)()).toEqual([ev.created]);
    });
    it('start a created sandbox -> sandbox_started', () => {
      expect(given(ev.created).when(cmd.start)()).toEqual([ev.started]);
    });
    it('stop a running sandbox -> sandbox_stopped', () => {
      expect(given(ev.created, ev.started).when(cmd.stop)()).toEqual([ev.stopped]);
    });
    it('start again after a stop -> sandbox_started', () => {
      expect(given(ev.created, ev.started, ev.stopped).when(cmd.start)()).toEqual([ev.started]);
    });
    it('delete a stopped sandbox -> sandbox_deleted', () => {
      expect(given(ev.created, ev.started, ev.stopped).when(cmd.delete)()).toEqual([ev.deleted]);
    });
    it('delete a never-started sandbox -> sandbox_deleted', () => {
      expect(given(ev.created).when(cmd.delete)()).toEqual([ev.deleted]);
    });
  });

  describe('unknown sandbox', () => {
    it.each(['start', 'stop', 'delete'] as const)('%s on an empty stream -> SANDBOX.NOT_FOUND', (action) => {
      const run = given().when(cmd[action]);
      expect(run).toThrow(SandboxNotFoundError);
      expect(run).toThrow(expect.objectContaining({ code: 'SANDBOX.NOT_FOUND', kind: 'not_found' }));
    });
  });

  describe('every invalid transition -> SANDBOX.INVALID_TRANSITION (conflict)', () => {
    const states: Record<string, SandboxEvent[]> = {
      created: [ev.created],
      running: [ev.created, ev.started],
      stopped: [ev.created, ev.started, ev.stopped],
      deleted: [ev.created, ev.deleted],
      'deleted after a stop': [ev.created, ev.started, ev.stopped, ev.deleted],
    };
    const invalid: [string, SandboxCommand['type']][] = [
      ['created', 'create'],
      ['created', 'stop'],
      ['running', 'create'],
      ['running', 'start'],
      ['running', 'delete'],
      ['stopped', 'create'],
      ['stopped', 'stop'],
      ['deleted', 'create'],
      ['deleted', 'start'],
      ['deleted', 'stop'],
      ['deleted', 'delete'],
      ['deleted after a stop', 'start'],
    ];
    it.each(invalid)('given %s, when %s', (state, action) => {
      const run = given(...states[state]).when(cmd[action]);
      expect(run).toThrow(InvalidSandboxTransitionError);
      expect(run).toThrow(expect.objectContaining({ code: 'SANDBOX.INVALID_TRANSITION', kind: 'conflict' }));
    });

    it('covers every (state, command) pair that is not a valid transition', () => {
      const valid = new Set(['absent:create', 'created:start', 'created:delete', 'running:stop', 'stopped:start', 'stopped:delete']);
      const all = ['created', 'running', 'stopped', 'deleted'].flatMap((s) => Object.keys(cmd).map((c) => `${s}:${c}`));
      const expected = all.filter((p) => !valid.has(p)).sort();
      const tested = [...new Set(invalid.map(([s, c]) => `${s.startsWith('deleted') ? 'deleted' : s}:${c}`))].sort();
      expect(tested).toEqual(expected);
    });

    it('names the current state and the attempted action', () => {
      expect(given(ev.created, ev.started).when(cmd.start)).toThrow(expect.objectContaining({ details: { state: 'running', action: 'start' } }));
    });
  });

  describe('evolve', () => {
    it('folds the full history into the latest status and keeps the policy', () => {
      const state = fold(sandboxDecider, [ev.created, ev.started, ev.stopped, ev.started]);
      expect(state).toEqual({ status: 'running', ...created });
    });
  });
});

describe('sandbox decider owns the spec rules', () => {
  it('refuses a create whose spec breaks a rule, whichever edge sent it', () => {
    const bad: SandboxCommand = { type: 'create', data: { ...created, limits: { ...created.limits, memoryMb: 4096 } } };
    expect(() => sandboxDecider.decide(bad, sandboxDecider.initialState)).toThrow(expect.objectContaining({ code: 'HTTP.VALIDATION', kind: 'invalid' }));
  });
});
