import { plainToInstance } from 'class-transformer';
import { IsInt, IsOptional, validateSync } from 'class-validator';
import { QueryInt } from './query-int';

class Q {
  @IsOptional()
  @QueryInt()
  @IsInt()
  limit?: number;
}

const check = (limit: unknown) => {
  const q = plainToInstance(Q, { limit });
  return { value: q.limit, valid: validateSync(q).length === 0 };
};

describe('QueryInt', () => {
  it.each(['0', '7', '100', '-3'])('takes the decimal integer %p', (v) => {
    expect(check(v)).toEqual({ value: Number(v), valid: true });
  });

  it.each(['0x10', '1e3', ' 7', '7 ', '1.5', '', 'NaN', '+1', '99999999999999999999'])('rejects %p', (v) => {
    expect(check(v).valid).toBe(false);
  });

  it('rejects a repeated parameter (an array)', () => {
    expect(check(['1', '2']).valid).toBe(false);
  });
});
