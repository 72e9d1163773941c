import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy, Optional } from '@nestjs/common';
import { CAVE_CONFIG, CaveConfig, LlmProviderConfig } from '@cave/config';
import { ACTIVE_MODELS, ActiveModels } from '@cave/models';
import { ModelNotFoundError } from '../domain/llm.errors';
import { LlamaHost } from './local/llama-host';
import { LocalProvider } from './local/local.provider';
import { OpenAiCompatibleProvider } from './openai-compatible/openai-compatible.provider';
import type { LlmProvider } from './provider';

export interface ModelRoute {
  model: string;
  providers: LlmProvider[];
}

/**
 * Which providers serve a model name in a namespace: an alias of the configuration (`CAVE_LLM_MODELS`,
 * `CAVE_LLM_MODEL_FILE`) when it names one the namespace may use, otherwise a model the registry activated for
 * the namespace (the `ACTIVE_MODELS` port, when the models context is present). Anything else is 404.
 */
@Injectable()
export class ModelRouter implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('Llm');
  private readonly aliases = new Map<string, { providers: LlmProvider[]; namespaces?: Set<string> }>();
  private readonly registered = new Map<string, LocalProvider>();

  constructor(
    @Inject(CAVE_CONFIG) private readonly config: CaveConfig,
    readonly host: LlamaHost,
    @Optional() @Inject(ACTIVE_MODELS) private readonly active?: ActiveModels,
  ) {
    for (const [alias, entry] of Object.entries(config.llm.models)) {
      this.aliases.set(alias, {
        providers: entry.providers.map((p) => this.provider(p)),
        ...(entry.namespaces && { namespaces: new Set(entry.namespaces) }),
      });
    }
  }

  async resolve(namespace: string, model: string): Promise<ModelRoute> {
    const alias = this.aliases.get(model);
    if (alias && (!alias.namespaces || alias.namespaces.has(namespace))) return { model, providers: alias.providers };
    const found = await this.active?.resolve(namespace, model);
    if (!found) throw new ModelNotFoundError(model);
    // One provider per verified file: the worker keeps the loaded model by path.
    let p = this.registered.get(found.localPath);
    if (!p) {
      p = new LocalProvider(this.host, found.localPath, `local:${found.manifest.name}@${found.manifest.version}`);
      this.registered.set(found.localPath, p);
    }
    return { model, providers: [p] };
  }

  /**
   * Loads the configured local models in the background (the worker thread starts, the files are mapped, one
   * context is created), so the first request does not pay for it, and a file that cannot be loaded is reported at
   * start, not at first use.
   */
  onApplicationBootstrap(): void {
    const paths = new Set(Object.values(this.config.llm.models).flatMap((m) => m.providers.flatMap((p) => (p.kind === 'local' ? [p.path] : []))));
    for (const path of paths) {
      this.host.warm(path).then(
        () => this.logger.log({ path }, 'local model loaded'),
        (e: Error) => this.logger.warn({ path, err: e.message }, 'local model could not be loaded; requests for it fall back or fail'),
      );
    }
  }

  async onModuleDestroy(): Promise<void> {
    await this.host.close();
  }

  private provider(p: LlmProviderConfig): LlmProvider {
    switch (p.kind) {
      case 'local':
        return new LocalProvider(this.host, p.path, p.label);
      case 'openai-compatible':
        return new OpenAiCompatibleProvider(p);
      default: {
        const never: never = p;
        return never;
      }
    }
  }
}
