import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs, promisify } from 'node:util';
import { loadConfig } from '@cave/config';
import { writeTinyGguf } from '@cave/testing';
import { createApp } from '../apps/cave-daemon/src/bootstrap/create-app';
import { renderPrompt } from '../libs/llm/src/domain/prompt';
import { startBenchServer } from './support/bench-server';
import { Benchmark, positiveInt, reportResult } from './support/benchmark';
import { environmentLines } from './support/environment';
import { machineFacts } from './support/machine';
import { markdownTable } from './support/markdown-table';
import { median, percentile } from './support/stats';

const TARGETS = { tokensRatio: 0.9, firstTokenOverheadMs: 5 };
const BLOCKS = 4;
const CLIENT_WARMUPS = 2;
const MESSAGES = [{ role: 'user' as const, content: 'Tell me a story about the sea.' }];

// node-llama-cpp directly, in a plain node process (it is ESM-only): the same model, prompt, context size and
// thread count as the daemon, greedy, one context reused across runs, timed around generateCompletion.
const DIRECT = `
import { getLlama, LlamaCompletion } from 'node-llama-cpp';
const [path, prompt, maxTokens, runs, contextSize] = JSON.parse(process.argv[2]);
const llama = await getLlama({ gpu: false, build: 'never', logLevel: 'error', progressLogs: false });
const model = await llama.loadModel({ modelPath: path });
const ctx = await model.createContext({ contextSize, threads: 1 });
const seq = ctx.getSequence();
const out = [];
for (let i = 0; i < runs + 2; i++) {
  await seq.clearHistory();
  const completion = new LlamaCompletion({ contextSequence: seq });
  let first;
  let tokens = 0;
  const t0 = performance.now();
  await completion.generateCompletion(prompt, { maxTokens, temperature: 0, repeatPenalty: false, onToken: (t) => { first ??= performance.now() - t0; tokens += t.length; } });
  if (i >= 2) out.push({ firstMs: first, totalMs: performance.now() - t0, tokens });
}
process.stdout.write(JSON.stringify(out));
`;

// The HTTP client in its own node process, like the direct runs: its parsing does not share the daemon's thread.
// `http`: node:http over one keep-alive connection, the lean client the overhead is measured with; `fetch`: undici,
// what the openai package uses, for reference (its own request and stream machinery costs about a millisecond here).
const CLIENT = `
import http from 'node:http';
const [url, key, body, runs, kind] = JSON.parse(process.argv[2]);
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
const firstText = /"content":"[^"]/;
const usageOf = (tail) => Number(/"completion_tokens":(\\d+)/.exec(tail)?.[1] ?? 0);
function viaHttp() {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const headers = { authorization: 'Bearer ' + key, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) };
    const req = http.request(url, { method: 'POST', agent, headers }, (res) => {
      if (res.statusCode !== 200) return reject(new Error('chat answered ' + res.statusCode));
      res.setEncoding('utf8');
      let first, tail = '';
      res.on('data', (chunk) => {
        tail = (tail + chunk).slice(-2048);
        if (first === undefined && firstText.test(tail)) first = performance.now() - t0;
      });
      res.on('end', () => resolve({ firstMs: first, totalMs: performance.now() - t0, tokens: usageOf(tail) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}
async function viaFetch() {
  const t0 = performance.now();
  const res = await fetch(url, { method: 'POST', headers: { authorization: 'Bearer ' + key, 'content-type': 'application/json' }, body });
  if (res.status !== 200) throw new Error('chat answered ' + res.status + ': ' + (await res.text()));
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  let first, tail = '';
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    tail = (tail + decoder.decode(value, { stream: true })).slice(-2048);
    if (first === undefined && firstText.test(tail)) first = performance.now() - t0;
  }
  return { firstMs: first, totalMs: performance.now() - t0, tokens: usageOf(tail) };
}
const out = [];
// The first requests of a process pay for the connection and cold code: untimed, like the direct warm-ups.
for (let i = -${CLIENT_WARMUPS}; i < runs; i++) {
  const r = kind === 'fetch' ? await viaFetch() : await viaHttp();
  if (i >= 0) out.push(r);
}
process.stdout.write(JSON.stringify(out));
`;

interface Run {
  firstMs: number;
  totalMs: number;
  tokens: number;
}

/**
 * First-token latency and tokens/s of `POST /api/v1/llm/chat` streamed as SSE, next to node-llama-cpp called
 * directly in the same run (same tiny GGUF, prompt, context, threads); and the p99 of another route idle and
 * while generations run.
 */
export const benchmark: Benchmark = {
  description: 'llm chat over HTTP SSE vs node-llama-cpp directly: first token, tokens/s; other routes during generation',
  async run(argv) {
    const { values } = parseArgs({
      args: argv,
      options: {
        runs: { type: 'string', default: '20' },
        tokens: { type: 'string', default: '256' },
        probes: { type: 'string', default: '300' },
        // The daemon's CAVE_LLM_STREAM_COALESCE_MS (its default when absent): 0 sends every token as its own event.
        'coalesce-ms': { type: 'string' },
        'no-write': { type: 'boolean', default: false },
      },
    });
    const runs = positiveInt(values, 'runs');
    const maxTokens = positiveInt(values, 'tokens');
    const probes = positiveInt(values, 'probes');
    const coalesce = values['coalesce-ms'];
    if (coalesce !== undefined && !/^\d+$/.test(coalesce)) throw new Error('--coalesce-ms must be a whole number of ms');
    const machine = machineFacts();
    const server = await startBenchServer();
    const dataDir = mkdtempSync(join(tmpdir(), 'cave-bench-llm-'));
    const modelPath = writeTinyGguf({ contextLength: 2048 });
    const db = await server.createDatabase('cave_bench_llm');
    const adminKey = `cave_sk_${randomBytes(32).toString('base64url')}`;
    const config = loadConfig({
      LOG_LEVEL: 'silent',
      DATABASE_URL: db.ownerUrl,
      CAVE_DATA_DIR: dataDir,
      CAVE_AUDIT_LOG_PATH: join(dataDir, 'audit.jsonl'),
      CAVE_BOOTSTRAP_ADMIN_KEY: adminKey,
      CAVE_LLM_MODEL_FILE: modelPath,
      CAVE_LLM_MODEL_NAME: 'tiny',
      CAVE_LLM_THREADS: '1',
      CAVE_LLM_CONTEXT_SIZE: '2048',
      CAVE_LLM_MAX_TOKENS: String(maxTokens),
      ...(coalesce !== undefined && { CAVE_LLM_STREAM_COALESCE_MS: coalesce }),
    });
    const app = await createApp(config, { appUrl: db.appUrl, adminUrl: db.adminUrl }, { silent: true });
    try {
      await app.listen({ port: 0, host: '127.0.0.1' });
      const address = app.getHttpServer().address();
      const base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
      const key = await issueMemberKey(base, adminKey);
      const sse = () => streamChat(base, key, maxTokens);

      process.stdout.write('warming up\n');
      for (let i = 0; i < 3; i++) await sse();
      // Alternating blocks, so a change of the machine's load during the run hits both paths alike.
      const blocks = Math.min(BLOCKS, runs);
      process.stdout.write(`HTTP SSE (node:http and fetch clients), a bare SSE server and node-llama-cpp directly: ${runs} runs of ${maxTokens} tokens each, in ${blocks} alternating blocks\n`);
      const chat = `${base}/api/v1/llm/chat`;
      const bare = await startBareSse();
      const http: Run[] = [];
      const fetched: Run[] = [];
      const floor: Run[] = [];
      const direct: Run[] = [];
      try {
        for (let b = 0; b < blocks; b++) {
          const n = Math.floor((runs * (b + 1)) / blocks) - Math.floor((runs * b) / blocks);
          http.push(...(await clientRuns(chat, key, maxTokens, n, 'http')));
          fetched.push(...(await clientRuns(chat, key, maxTokens, n, 'fetch')));
          floor.push(...(await clientRuns(bare.url, key, maxTokens, n, 'http')));
          direct.push(...(await directRuns(modelPath, renderPrompt(MESSAGES), maxTokens, n, 2048)));
        }
      } finally {
        await bare.close();
      }
      // Every request of the blocks, the untimed first ones of each client process included (the daemon is warm for them).
      const serverFirst = await serverFirstTokens(base, key, 2 * (runs + blocks * CLIENT_WARMUPS));

      process.stdout.write(`GET /api/v1/llm/usage: ${probes} requests idle, then ${probes} while generations run\n`);
      const idle = await probe(base, key, probes);
      let generating = true;
      const background = (async () => {
        while (generating) await sse();
      })();
      const during = await probe(base, key, probes);
      generating = false;
      await background;

      const tps = (r: Run[]) => median(r.map((x) => (x.tokens / x.totalMs) * 1000));
      const ratio = tps(http) / tps(direct);
      const first = (r: Run[]) => median(r.map((x) => x.firstMs));
      const firstP99 = (r: Run[]) => percentile(r.map((x) => x.firstMs), 99);
      const firstHttp = first(http);
      const firstDirect = first(direct);
      const overhead = firstHttp - firstDirect;
      const f = (n: number) => n.toFixed(2);
      const rows = [
        ['HTTP SSE (POST /api/v1/llm/chat, stream: true), node:http client', `${runs}`, f(firstHttp), f(firstP99(http)), f(tps(http))],
        ['  of which in the daemon (handler start to first text, chat_completed.firstTokenMs, both clients)', `${serverFirst.length}`, f(median(serverFirst)), f(percentile(serverFirst, 99)), ''],
        ['HTTP SSE, fetch client (undici, as the openai package uses)', `${runs}`, f(first(fetched)), f(firstP99(fetched)), f(tps(fetched))],
        ['transport floor: a bare node:http SSE server sending one text chunk at once, node:http client', `${runs}`, f(first(floor)), f(firstP99(floor)), ''],
        ['node-llama-cpp directly (LlamaCompletion, same process kind)', `${runs}`, f(firstDirect), f(firstP99(direct)), f(tps(direct))],
      ];
      const table = [
        markdownTable(['path', 'runs', 'first token p50 ms', 'first token p99 ms', 'tokens/s p50'], rows),
        '',
        markdownTable(
          ['other route (GET /api/v1/llm/usage)', 'requests', 'p50 ms', 'p99 ms'],
          [
            ['idle', `${probes}`, f(median(idle)), f(percentile(idle, 99))],
            ['while generations stream', `${probes}`, f(median(during)), f(percentile(during, 99))],
          ],
        ),
      ].join('\n');
      const ok = (b: boolean) => (b ? 'met' : 'MISSED');
      const verdict =
        `**tokens/s ${ratio.toFixed(2)}x direct (target >= ${TARGETS.tokensRatio}x): ${ok(ratio >= TARGETS.tokensRatio)}; ` +
        `first-token overhead ${f(overhead)} ms (target < ${TARGETS.firstTokenOverheadMs} ms): ${ok(overhead < TARGETS.firstTokenOverheadMs)}; ` +
        `other route p99 ${f(percentile(idle, 99))} ms idle, ${f(percentile(during, 99))} ms during generation.**`;
      await reportResult('llm', {
        description: [
          ...environmentLines(machine, { postgresVersion: server.postgresVersion, settings: server.settings }, Number(loadavg()[0].toFixed(2))),
          `- Model: the tiny test GGUF (\`libs/testing/src/tiny-gguf.ts\`: llama, 2 blocks of width 64, F32), context 2048, 1 thread, greedy, ${maxTokens} completion tokens per run.`,
          `- HTTP: a client in its own node process, ${CLIENT_WARMUPS} untimed requests first; first token = request sent to the first SSE chunk with text (includes key lookup, quota check and routing); tokens/s over the whole request. ` +
            'The overhead is measured with node:http over a keep-alive connection; the fetch row shows what undici adds on the client side, the transport floor what loopback HTTP and the client cost with no server work at all. ' +
            'Every request appends `chat_completed` (a durable commit) after its last token and before `[DONE]`. ' +
            `Tokens closer together than ${config.llm.streamCoalesceMs} ms after the first share an SSE event (CAVE_LLM_STREAM_COALESCE_MS; the first is never held). ` +
            'Direct: node-llama-cpp in a separate node process, timed around `generateCompletion` ' +
            '(same GGUF, prompt, context size, 1 thread, greedy, no repeat penalty: the daemon samples the same way in its worker thread). ' +
            `The paths alternate in ${BLOCKS} blocks; the daemon row is measured inside it (from the chat handler's start, after the key lookup).`,
          '- The machine is shared with other helpers (2 cores): the load average is recorded above.',
        ],
        table,
        verdict,
        write: values['no-write'] !== true,
      });
    } finally {
      await app.close();
      await server.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  },
};

/** The same client against a server that does nothing but answer one SSE text chunk: loopback HTTP's own cost. */
async function startBareSse(): Promise<{ url: string; close: () => Promise<void> }> {
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.end('data: {"choices":[{"index":0,"delta":{"content":"x"}}]}\n\ndata: [DONE]\n\n');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return {
    url: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

async function streamChat(base: string, key: string, maxTokens: number): Promise<Run> {
  const t0 = performance.now();
  const res = await fetch(`${base}/api/v1/llm/chat`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'tiny', messages: MESSAGES, max_tokens: maxTokens, temperature: 0, stream: true, stream_options: { include_usage: true } }),
  });
  if (res.status !== 200 || !res.body) throw new Error(`chat answered ${res.status}: ${await res.text()}`);
  const decoder = new TextDecoder();
  let first: number | undefined;
  let buffer = '';
  let tokens = 0;
  const reader = res.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true });
    if (first === undefined && /"content":"[^"]/.test(buffer)) first = performance.now() - t0;
    const usage = /"completion_tokens":(\d+)/.exec(buffer);
    if (usage) tokens = Number(usage[1]);
    if (buffer.length > 4096) buffer = buffer.slice(-1024);
  }
  return { firstMs: first ?? Number.NaN, totalMs: performance.now() - t0, tokens };
}

async function clientRuns(url: string, key: string, maxTokens: number, runs: number, kind: 'http' | 'fetch'): Promise<Run[]> {
  const body = JSON.stringify({ model: 'tiny', messages: MESSAGES, max_tokens: maxTokens, temperature: 0, stream: true, stream_options: { include_usage: true } });
  const file = join(tmpdir(), `cave-llm-bench-client-${process.pid}.mjs`);
  writeFileSync(file, CLIENT);
  try {
    const { stdout } = await promisify(execFile)(process.execPath, [file, JSON.stringify([url, key, body, runs, kind])], { maxBuffer: 16 * 1024 * 1024 });
    return JSON.parse(stdout) as Run[];
  } finally {
    rmSync(file, { force: true });
  }
}

async function directRuns(modelPath: string, prompt: string, maxTokens: number, runs: number, contextSize: number): Promise<Run[]> {
  // Inside the checkout: an ES module resolves node-llama-cpp from its own location (NODE_PATH does not apply).
  const cache = join(process.cwd(), 'node_modules', '.cache');
  mkdirSync(cache, { recursive: true });
  const file = join(cache, 'cave-llm-bench-direct.mjs');
  writeFileSync(file, DIRECT);
  const { stdout } = await promisify(execFile)(process.execPath, [file, JSON.stringify([modelPath, prompt, maxTokens, runs, contextSize])], {
    cwd: process.cwd(),
    maxBuffer: 16 * 1024 * 1024,
  });
  return JSON.parse(stdout) as Run[];
}

/** `firstTokenMs` of the last `n` chat_completed events: from the handler's start to the first text. */
async function serverFirstTokens(base: string, key: string, n: number): Promise<number[]> {
  const out: number[] = [];
  let after = '0';
  for (;;) {
    const r = await fetch(`${base}/api/v1/events?type=chat_completed&limit=500&after=${after}`, { headers: { authorization: `Bearer ${key}` } });
    const page = (await r.json()) as { items: { data: { firstTokenMs: number } }[]; nextCursor: string };
    out.push(...page.items.map((e) => e.data.firstTokenMs));
    if (page.items.length < 500) break;
    after = page.nextCursor;
  }
  return out.slice(-n);
}

async function probe(base: string, key: string, n: number): Promise<number[]> {
  const ms: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    const r = await fetch(`${base}/api/v1/llm/usage`, { headers: { authorization: `Bearer ${key}` } });
    await r.arrayBuffer();
    ms.push(performance.now() - t0);
  }
  return ms;
}

async function issueMemberKey(base: string, adminKey: string): Promise<string> {
  const res = await fetch(`${base}/api/v1/auth/keys`, {
    method: 'POST',
    headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ namespace: 'bench', name: 'llm benchmark', role: 'member' }),
  });
  if (res.status !== 201) throw new Error(`key issue failed: ${res.status}`);
  return ((await res.json()) as { key: string }).key;
}
