import type { ModelManifest } from './model-package';

/** A registered, verified model activated for a namespace, materialised as a local file the runtime can map. */
export interface ActiveModel {
  manifest: ModelManifest;
  /** Absolute path of a verified local copy of the artifact. */
  localPath: string;
}

/**
 * What the llm edge asks the registry: the model `name` as `namespace` may use it, or undefined when it is not
 * registered, not verified or not activated for that namespace (the edge answers 404 then).
 */
export interface ActiveModels {
  resolve(namespace: string, name: string): Promise<ActiveModel | undefined>;
}

export const ACTIVE_MODELS = Symbol('cave.models.ActiveModels');
