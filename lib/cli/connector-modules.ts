/**
 * The modules a user brings without touching functions/registry.ts: `--registry <module>`, a
 * module exporting `registry` (a ConnectorRegistry, as functions/registry.ts does), and
 * `--connector <module>`, which contributes every export (default or named) that is a connector
 * instance, or a connector class constructible with no arguments whose instance the module does
 * not export already.
 */
import type { Connector } from "../connector/connector.js";
import { errorMessage } from "../connector/errors.js";
import type { ConnectorRegistry } from "../connector/registry.js";
import { UsageError } from "./command.js";
import { importUserModule } from "./user-modules.js";

export async function loadConnectorModule(specifier: string, cwd: string): Promise<Connector[]> {
  const exports = await importUserModule(specifier, cwd, "Connector module");
  // The default export first, so that its connectors come first in ListAgents.
  const entries = Object.entries(exports).sort(([a], [b]) => Number(b === "default") - Number(a === "default"));
  // An exported instance is the module's configured connector (`export default new
  // GreeterConnector("bonjour")`): its class, exported beside it, is not built again with no
  // arguments, and nothing built from a class takes its task category (registration overrides).
  const instances = entries.map(([, value]) => value).filter(isConnector);
  const instanceClasses = new Set<unknown>(instances.map((instance) => instance.constructor));
  const instanceCategories = new Set(instances.map((instance) => String(instance.taskCategory)));
  const found = new Set<Connector>();
  const classes = new Set<unknown>();
  for (const [name, value] of entries) {
    if (isConnector(value)) found.add(value);
    else if (isConnectorClass(value) && !classes.has(value) && !instanceClasses.has(value)) {
      classes.add(value);
      let instance: unknown;
      try {
        instance = new value();
      } catch (error) {
        throw new UsageError(`Cannot construct connector ${name} of '${specifier}' with no arguments: ${errorMessage(error)}`);
      }
      if (isConnector(instance) && !instanceCategories.has(String(instance.taskCategory))) found.add(instance);
    }
  }
  if (found.size === 0) {
    throw new UsageError(
      `Connector module '${specifier}' exports no connector (expected instances or classes of SyncConnectorBase or AsyncConnectorBase).`,
    );
  }
  return [...found];
}

/** Registers the connectors of every module; they replace built-in ones of the same task category. */
export async function registerConnectorModules(
  registry: ConnectorRegistry,
  specifiers: readonly string[],
  cwd: string,
): Promise<ConnectorRegistry> {
  for (const specifier of specifiers) {
    for (const connector of await loadConnectorModule(specifier, cwd)) registry.register(connector, true);
  }
  return registry;
}

/** The `registry` a module exports: named, or a CommonJS module's `exports.registry`. */
export async function loadRegistryModule(specifier: string, cwd: string): Promise<ConnectorRegistry> {
  const exports = await importUserModule(specifier, cwd, "Registry module");
  const registry = "registry" in exports ? exports.registry : (exports.default as Record<string, unknown> | undefined)?.registry;
  if (registry === undefined) {
    const names = Object.keys(exports).filter((name) => name !== "default");
    throw new UsageError(
      `Registry module '${specifier}' has no 'registry' export (it exports ${names.length ? names.join(", ") : "nothing by name"}); ` +
        "export one: export const registry = new ConnectorRegistry().registerLazy({ ... }).",
    );
  }
  if (!isRegistry(registry)) {
    throw new UsageError(`The 'registry' export of '${specifier}' is not a ConnectorRegistry (it is ${describeValue(registry)}).`);
  }
  return registry;
}

/**
 * Shape, not instanceof: a module may reach lib/connector through another path (a package name,
 * a copy in node_modules), which loads a second copy of the base classes.
 */
function isConnector(value: unknown): value is Connector {
  if (typeof value !== "object" || value === null) return false;
  const candidate = value as Partial<Record<"isSync" | "taskCategory" | "do" | "create", unknown>>;
  const category = candidate.taskCategory as { name?: unknown } | undefined;
  return (
    typeof candidate.isSync === "boolean" &&
    typeof category?.name === "string" &&
    (typeof candidate.do === "function" || typeof candidate.create === "function")
  );
}


/** Shape, as for connectors: the module's copy of ConnectorRegistry may not be this one. */
function isRegistry(value: unknown): value is ConnectorRegistry {
  if (typeof value !== "object" || value === null) return false;
  const candidate = value as Record<string, unknown>;
  return ["getConnector", "listConnectors", "getConnectorMetadata", "register"].every((method) => typeof candidate[method] === "function");
}

function describeValue(value: unknown): string {
  if (value === null) return "null";
  if (typeof value === "function") return `a function${value.name ? ` (${value.name})` : ""}`;
  if (typeof value === "object") return `an object of class ${value.constructor?.name ?? "none"}`;
  return `a ${typeof value}`;
}

/** A class whose prototype implements `do` or `create`: the abstract base classes themselves do not. */
function isConnectorClass(value: unknown): value is new () => unknown {
  if (typeof value !== "function" || typeof value.prototype !== "object") return false;
  const prototype = value.prototype as Record<string, unknown>;
  return typeof prototype.do === "function" || typeof prototype.create === "function";
}
