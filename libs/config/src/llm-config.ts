import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import type { LlmConfig, LlmPolicy, LlmProviderConfig } from './cave-config';

type Str = (name: string) => string | undefined;
type Int = (name: string, def: number, min: number, max: number) => number;

const ALIAS = /^[A-Za-z0-9][A-Za-z0-9._:/-]{0,127}$/;
const NAMESPACE = /^[a-z0-9][a-z0-9_-]{0,62}$/;
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * `CAVE_LLM_MODELS` (JSON: alias -> ordered providers), `CAVE_LLM_MODEL_FILE` (the operator's GGUF as a local
 * model), policies and runtime knobs. Problems are collected like every other variable; values that may hold an
 * upstream API key are never echoed.
 */
export function loadLlmConfig(str: Str, int: Int, problems: string[]): LlmConfig {
  const models: LlmConfig['models'] = {};
  const raw = str('CAVE_LLM_MODELS');
  if (raw !== undefined) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch {
      problems.push('CAVE_LLM_MODELS must be JSON: {"alias": [{"kind": "local", "path": ...} | {"kind": "openai-compatible", "baseUrl": ..., "model": ...}]}');
    }
    if (parsed !== undefined && !isObject(parsed)) problems.push('CAVE_LLM_MODELS must be a JSON object of aliases');
    for (const [alias, value] of Object.entries(isObject(parsed) ? parsed : {})) {
      const entry = Array.isArray(value) ? { providers: value } : value;
      if (!ALIAS.test(alias) || !isObject(entry) || !Array.isArray(entry.providers) || entry.providers.length === 0) {
        problems.push(`CAVE_LLM_MODELS.${alias.slice(0, 64)} must be a non-empty list of providers (or {providers, namespaces})`);
        continue;
      }
      const providers = entry.providers.map((p, i) => provider(p, `CAVE_LLM_MODELS.${alias}[${i}]`, problems));
      const namespaces = entry.namespaces;
      if (namespaces !== undefined && (!Array.isArray(namespaces) || !namespaces.every((n) => typeof n === 'string' && NAMESPACE.test(n)))) {
        problems.push(`CAVE_LLM_MODELS.${alias}.namespaces must be a list of namespaces`);
      }
      models[alias] = { providers: providers.filter((p): p is LlmProviderConfig => p !== undefined), ...(Array.isArray(namespaces) && { namespaces: namespaces as string[] }) };
    }
  }
  const file = str('CAVE_LLM_MODEL_FILE');
  if (file !== undefined) {
    const name = str('CAVE_LLM_MODEL_NAME') ?? 'local';
    if (!ALIAS.test(name)) problems.push('CAVE_LLM_MODEL_NAME must be 1-128 of [A-Za-z0-9._:/-]');
    else if (models[name]) problems.push(`CAVE_LLM_MODEL_NAME ${name} is also an alias in CAVE_LLM_MODELS`);
    else models[name] = { providers: [{ kind: 'local', path: resolve(file) }] };
  }
  const policy: LlmPolicy = {
    maxTokens: int('CAVE_LLM_MAX_TOKENS', 1024, 1, 1_000_000),
    contextTokens: int('CAVE_LLM_CONTEXT_TOKENS', 4096, 16, 1_048_576),
    tokensPerDay: int('CAVE_LLM_TOKENS_PER_DAY', 0, 0, Number.MAX_SAFE_INTEGER),
    storeText: str('CAVE_LLM_STORE_TEXT') === 'true',
  };
  return {
    models,
    threads: int('CAVE_LLM_THREADS', Math.max(1, Math.floor(availableParallelism() / 2)), 1, 256),
    contextSize: int('CAVE_LLM_CONTEXT_SIZE', 4096, 64, 1_048_576),
    parallel: int('CAVE_LLM_PARALLEL', 2, 1, 64),
    firstTokenTimeoutMs: int('CAVE_LLM_FIRST_TOKEN_TIMEOUT_MS', 30_000, 10, 600_000),
    streamCoalesceMs: int('CAVE_LLM_STREAM_COALESCE_MS', 4, 0, 1_000),
    policy,
    namespacePolicies: namespacePolicies(str('CAVE_LLM_NAMESPACE_POLICIES'), problems),
  };
}

function provider(p: unknown, where: string, problems: string[]): LlmProviderConfig | undefined {
  const label = isObject(p) && typeof p.label === 'string' && p.label.length <= 64 ? p.label : undefined;
  if (isObject(p) && p.kind === 'local' && typeof p.path === 'string' && p.path.length > 0) return { kind: 'local', path: resolve(p.path), ...(label && { label }) };
  if (isObject(p) && p.kind === 'openai-compatible' && typeof p.baseUrl === 'string' && /^https?:\/\//.test(p.baseUrl) && typeof p.model === 'string' && p.model.length > 0) {
    if (p.apiKey !== undefined && typeof p.apiKey !== 'string') problems.push(`${where}.apiKey must be a string`);
    return { kind: 'openai-compatible', baseUrl: p.baseUrl, model: p.model, ...(typeof p.apiKey === 'string' && { apiKey: p.apiKey }), ...(label && { label }) };
  }
  problems.push(`${where} must be {"kind": "local", "path"} or {"kind": "openai-compatible", "baseUrl": "http(s)://...", "model"}`);
  return undefined;
}

function namespacePolicies(raw: string | undefined, problems: string[]): Record<string, Partial<LlmPolicy>> {
  if (raw === undefined) return {};
  const where = 'CAVE_LLM_NAMESPACE_POLICIES';
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    problems.push(`${where} must be JSON: {"<namespace>": {"maxTokens", "contextTokens", "tokensPerDay", "storeText"}}`);
    return {};
  }
  const out: Record<string, Partial<LlmPolicy>> = {};
  for (const [ns, v] of Object.entries(isObject(parsed) ? parsed : {})) {
    if (!NAMESPACE.test(ns) || !isObject(v)) {
      problems.push(`${where}.${ns.slice(0, 64)} must be an object for a valid namespace`);
      continue;
    }
    const p: Partial<LlmPolicy> = {};
    for (const key of ['maxTokens', 'contextTokens', 'tokensPerDay'] as const) {
      if (v[key] === undefined) continue;
      if (!Number.isSafeInteger(v[key]) || (v[key] as number) < 0) problems.push(`${where}.${ns}.${key} must be a non-negative integer`);
      else p[key] = v[key] as number;
    }
    if (v.storeText !== undefined) {
      if (typeof v.storeText !== 'boolean') problems.push(`${where}.${ns}.storeText must be a boolean`);
      else p.storeText = v.storeText;
    }
    out[ns] = p;
  }
  if (!isObject(parsed)) problems.push(`${where} must be a JSON object of namespaces`);
  return out;
}
