import { upsertSection } from './benchmarks-doc';

describe('upsertSection', () => {
  const intro = '# Benchmarks\n\nHand-written intro.\n';

  it('appends a new section after the existing text', () => {
    const doc = upsertSection(intro, 'append', '## append\nresult 1');
    expect(doc.startsWith('# Benchmarks\n\nHand-written intro.\n\n<!-- bench:append begin')).toBe(true);
    expect(doc).toContain('## append\nresult 1\n<!-- bench:append end -->\n');
  });

  it('replaces only its own section and keeps the others and the text around them', () => {
    let doc = upsertSection(intro, 'append', 'old append');
    doc = upsertSection(doc, 'http', 'http result');
    doc += '\nTrailing note.\n';
    const updated = upsertSection(doc, 'append', 'new append');
    expect(updated).toContain('new append');
    expect(updated).not.toContain('old append');
    expect(updated).toContain('http result');
    expect(updated.startsWith(intro)).toBe(true);
    expect(updated.endsWith('\nTrailing note.\n')).toBe(true);
    expect(updated.indexOf('new append')).toBeLessThan(updated.indexOf('http result'));
    // Idempotent: writing the same body again changes nothing.
    expect(upsertSection(updated, 'append', 'new append')).toBe(updated);
  });

  it('does not confuse a name with another that starts the same', () => {
    const doc = upsertSection(upsertSection(intro, 'append-batch', 'batch'), 'append', 'single');
    expect(upsertSection(doc, 'append', 'single 2')).toContain('batch');
    expect(upsertSection(doc, 'append', 'single 2')).not.toContain('single\n');
  });

  it('refuses damaged markers instead of clobbering text', () => {
    const doc = upsertSection(intro, 'append', 'x');
    const withoutEnd = doc.replace('<!-- bench:append end -->', '');
    expect(() => upsertSection(withoutEnd, 'append', 'y')).toThrow(/damaged/);
    expect(() => upsertSection(doc + doc, 'append', 'y')).toThrow(/damaged/);
  });

  it('rejects names that could break the markers', () => {
    expect(() => upsertSection(intro, 'a -->', 'x')).toThrow(/invalid benchmark name/);
  });
});
