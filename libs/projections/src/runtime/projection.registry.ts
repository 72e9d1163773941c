import { assertProjectionName, Projection } from './projection';

/** The projections of this process. Contexts register theirs in `onModuleInit`; the runtime leads them. */
export class ProjectionRegistry {
  private readonly byName = new Map<string, Projection>();

  register(projection: Projection): this {
    assertProjectionName(projection.name);
    if (this.byName.has(projection.name)) throw new Error(`projection ${projection.name} is already registered`);
    if (!Number.isInteger(projection.version) || projection.version < 1) throw new Error(`projection ${projection.name}: version must be a positive integer`);
    this.byName.set(projection.name, projection);
    return this;
  }

  get(name: string): Projection | undefined {
    return this.byName.get(name);
  }

  all(): Projection[] {
    return [...this.byName.values()];
  }
}
