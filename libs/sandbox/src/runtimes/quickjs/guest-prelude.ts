/**
 * Runs once in every fresh context. `console` writes through one host function that the prelude
 * captures in a closure and removes from the global object, so guest code cannot reach it by name.
 * The host function is the first host reference of the context: a restored memory image refers to
 * it by that id, and a restore re-creates it first so the id matches (see quickjs-instance.ts).
 */
export const WRITE_FUNCTION = '__cave_write';

export const GUEST_PRELUDE = `(() => {
  const write = globalThis.${WRITE_FUNCTION};
  delete globalThis.${WRITE_FUNCTION};
  const show = (v) => {
    if (typeof v === 'string') return v;
    try { const j = JSON.stringify(v); return j === undefined ? String(v) : j; } catch (e) { try { return String(v); } catch (e2) { return '[unprintable]'; } }
  };
  const line = (fd) => (...args) => { write(fd, args.map(show).join(' ') + '\\n'); };
  globalThis.console = { log: line(1), info: line(1), debug: line(1), warn: line(2), error: line(2) };
})();`;
