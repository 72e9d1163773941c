import { markdownTable } from './markdown-table';

describe('markdownTable', () => {
  it('pads columns and escapes pipes', () => {
    expect(markdownTable(['what', 'n'], [['a|b', '1'], ['longer name', '22']])).toBe(
      ['| what        | n   |', '| ----------- | --- |', '| a\\|b        | 1   |', '| longer name | 22  |'].join('\n'),
    );
  });

  it('rejects ragged rows', () => {
    expect(() => markdownTable(['a', 'b'], [['only one']])).toThrow(/one cell per header/);
  });
});
