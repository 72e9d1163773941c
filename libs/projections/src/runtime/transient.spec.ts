import { CheckpointMovedError } from './checkpoint.store';
import { isTransient } from './transient';

const pgError = (code: string) => Object.assign(new Error('db'), { code });

describe('isTransient', () => {
  it('retries infrastructure failures', () => {
    for (const code of ['08006', '57P01', '40001', '40P01', '55P03', '53300']) expect(isTransient(pgError(code))).toBe(true);
    expect(isTransient(new Error('Connection terminated unexpectedly'))).toBe(true);
    expect(isTransient(new CheckpointMovedError('x'))).toBe(true);
  });

  it('treats everything else as a poison event', () => {
    for (const code of ['23505', '22P02', '42P01', 'CV409']) expect(isTransient(pgError(code))).toBe(false);
    expect(isTransient(new TypeError('cannot read properties of undefined'))).toBe(false);
    expect(isTransient('boom')).toBe(false);
  });
});
