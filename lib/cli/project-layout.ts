/**
 * Where a project made by `flyte-connector init` keeps its registry module: the scaffold writes it
 * there, and the CLI points an author who left out --registry to it. Kept apart from the scaffold's
 * templates, which only `init` loads.
 */
export const REGISTRY_MODULE = "./src/registry.ts";
