/**
 * Hand-assembled WASI preview1 command modules for tests (no toolchain on the machine). Each
 * exports `memory` (one page, maximum `maxPages`) and `_start`.
 */
const SECTION = { type: 1, import: 2, function: 3, memory: 5, export: 7, code: 10, data: 11 } as const;
const I32 = 0x7f;

function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return out;
}
function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const b = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (b & 0x40) === 0) || (n === -1 && (b & 0x40) !== 0)) return [...out, b];
    out.push(b | 0x80);
  }
}
const str = (s: string) => [...uleb(Buffer.byteLength(s)), ...Buffer.from(s)];
const vec = (items: number[][]) => [...uleb(items.length), ...items.flat()];
const section = (id: number, body: number[]) => [id, ...uleb(body.length), ...body];

export type WasiBody = 'hello' | 'spin' | 'echo-stdin' | 'exit-3' | 'flood' | 'grow';

/**
 * - hello: writes `hello from wasi\n` (plus argv count as a digit) to stdout, exits 0
 * - spin: `loop br 0` forever
 * - echo-stdin: copies up to 1000 bytes of stdin to stdout
 * - exit-3: proc_exit(3)
 * - flood: writes 64 KiB of `x` to stdout 1000 times
 * - grow: grows memory one page at a time until it cannot
 */
export function wasiModule(body: WasiBody, maxPages = 16): Uint8Array {
  // Imports: 0 fd_write(i32 i32 i32 i32)->i32, 1 fd_read(same), 2 proc_exit(i32).
  const types = vec([
    [0x60, ...vec([[I32], [I32], [I32], [I32]]), ...vec([[I32]])],
    [0x60, ...vec([[I32]]), 0x00],
    [0x60, 0x00, 0x00],
  ]);
  const imports = vec([
    [...str('wasi_snapshot_preview1'), ...str('fd_write'), 0x00, 0],
    [...str('wasi_snapshot_preview1'), ...str('fd_read'), 0x00, 0],
    [...str('wasi_snapshot_preview1'), ...str('proc_exit'), 0x00, 1],
  ]);
  const FD_WRITE = 0;
  const FD_READ = 1;
  const PROC_EXIT = 2;
  const c = (n: number) => [0x41, ...sleb(n)];
  const store = (addr: number, v: number) => [...c(addr), ...c(v), 0x36, 0x02, 0x00];
  const write = (fd: number, ptr: number, len: number) => [...store(0, ptr), ...store(4, len), ...c(fd), ...c(0), ...c(1), ...c(8), 0x10, FD_WRITE, 0x1a];
  const text = 'hello from wasi\n';
  let code: number[];
  let data: number[][] = [];
  switch (body) {
    case 'hello':
      code = write(1, 64, Buffer.byteLength(text));
      data = [[0x00, ...c(64), 0x0b, ...str(text)]];
      break;
    case 'spin':
      code = [0x03, 0x40, 0x0c, 0x00, 0x0b];
      break;
    case 'echo-stdin':
      // iovec {ptr 64, len 1000}; fd_read(0, 0, 1, 8); then write(1, 64, *8)
      code = [...store(0, 64), ...store(4, 1000), ...c(0), ...c(0), ...c(1), ...c(8), 0x10, FD_READ, 0x1a,
        ...store(0, 64), ...c(4), ...c(8), 0x28, 0x02, 0x00, 0x36, 0x02, 0x00, ...c(1), ...c(0), ...c(1), ...c(16), 0x10, FD_WRITE, 0x1a];
      break;
    case 'exit-3':
      code = [...c(3), 0x10, PROC_EXIT];
      break;
    case 'flood':
      // local 0 = counter; loop { write(1, 64, 65536); counter++; br_if counter < 1000 }
      code = [0x03, 0x40, ...write(1, 64, 65536), 0x20, 0x00, ...c(1), 0x6a, 0x22, 0x00, ...c(1000), 0x48, 0x0d, 0x00, 0x0b];
      data = [[0x00, ...c(64), 0x0b, ...uleb(65536), ...Buffer.alloc(65536, 'x')]];
      break;
    case 'grow':
      code = [0x03, 0x40, ...c(1), 0x40, 0x00, ...c(-1), 0x47, 0x0d, 0x00, 0x0b];
      break;
  }
  const locals = body === 'flood' ? vec([[1, I32]]) : vec([]);
  const fnBody = [...locals, ...code, 0x0b];
  const pages = body === 'flood' ? 2 : 1;
  return Uint8Array.from([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(SECTION.type, types),
    ...section(SECTION.import, imports),
    ...section(SECTION.function, vec([[2]])),
    ...section(SECTION.memory, vec([[0x01, ...uleb(pages), ...uleb(Math.max(maxPages, pages))]])),
    ...section(SECTION.export, vec([[...str('memory'), 0x02, 0], [...str('_start'), 0x00, 3]])),
    ...section(SECTION.code, vec([[...uleb(fnBody.length), ...fnBody]])),
    ...(data.length > 0 ? section(SECTION.data, vec(data)) : []),
  ]);
}
