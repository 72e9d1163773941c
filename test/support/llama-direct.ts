import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

// node-llama-cpp is ESM-only (top-level await): jest's CommonJS runtime cannot load it, a plain node process can.
const SCRIPT = `
import { getLlama, LlamaCompletion } from 'node-llama-cpp';
const [path, prompt, maxTokens, contextSize] = JSON.parse(process.argv[2]);
const llama = await getLlama({ gpu: false, build: 'never', logLevel: 'error', progressLogs: false });
const model = await llama.loadModel({ modelPath: path });
const ctx = await model.createContext({ contextSize, threads: 1 });
const completion = new LlamaCompletion({ contextSequence: ctx.getSequence() });
const text = await completion.generateCompletion(prompt, { maxTokens, temperature: 0, repeatPenalty: false });
const emb = await model.createEmbeddingContext({ contextSize, threads: 1 });
const vector = [...(await emb.getEmbeddingFor(prompt)).vector];
process.stdout.write(JSON.stringify({ text, embeddingLength: vector.length, vector }));
`;

/** node-llama-cpp called directly (its own completion API, greedy), in a separate node process. */
export async function directCompletion(modelPath: string, prompt: string, maxTokens: number, contextSize = 512): Promise<{ text: string; embeddingLength: number; vector: number[] }> {
  // A file, not `-e`: node-llama-cpp tests its binary in a child started with this process's execArgv.
  // Inside node_modules so the script resolves node-llama-cpp; `.cache` does not exist on a fresh clone.
  const dir = join(process.cwd(), 'node_modules', '.cache');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'cave-llama-direct.mjs');
  writeFileSync(file, SCRIPT);
  const { stdout } = await run(process.execPath, [file, JSON.stringify([modelPath, prompt, maxTokens, contextSize])], {
    cwd: process.cwd(),
    maxBuffer: 16 * 1024 * 1024,
  });
  return JSON.parse(stdout);
}
