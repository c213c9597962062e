/**
 * `--connector <module>`: connectors a user brings without touching functions/registry.ts. A
 * module contributes every export (default or named) that is a connector instance, or a
 * connector class constructible with no arguments.
 */
import { existsSync } from "node:fs";
import { isAbsolute, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import type { Connector } from "../connector/connector.js";
import { errorMessage } from "../connector/errors.js";
import { ConnectorRegistry } from "../connector/registry.js";
import { UsageError } from "./command.js";

export async function loadConnectorModule(specifier: string, cwd: string): Promise<Connector[]> {
  let exports: Record<string, unknown>;
  try {
    exports = (await import(moduleUrl(specifier, cwd))) as Record<string, unknown>;
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError(`Cannot load connector module '${specifier}': ${errorMessage(error)}`);
  }
  const found = new Set<Connector>();
  const classes = new Set<unknown>();
  // The default export first, so that its connectors come first in ListAgents.
  for (const [name, value] of Object.entries(exports).sort(([a], [b]) => Number(b === "default") - Number(a === "default"))) {
    if (isConnector(value)) found.add(value);
    else if (isConnectorClass(value) && !classes.has(value)) {
      classes.add(value);
      try {
        const instance: unknown = new value();
        if (isConnector(instance)) found.add(instance);
      } catch (error) {
        throw new UsageError(`Cannot construct connector ${name} of '${specifier}' with no arguments: ${errorMessage(error)}`);
      }
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

/** A path (relative to `cwd`) when it looks like one, else a package name. */
function moduleUrl(specifier: string, cwd: string): string {
  const isPath = specifier.startsWith(".") || isAbsolute(specifier) || /\.[cm]?[jt]s$/.test(specifier);
  if (!isPath) return specifier;
  const path = resolve(cwd, specifier);
  if (!existsSync(path)) throw new UsageError(`Connector module '${specifier}' not found (looked for ${path}).`);
  return pathToFileURL(path).href;
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

/** A class whose prototype implements `do` or `create`: the abstract base classes themselves do not. */
function isConnectorClass(value: unknown): value is new () => unknown {
  if (typeof value !== "function" || typeof value.prototype !== "object") return false;
  const prototype = value.prototype as Record<string, unknown>;
  return typeof prototype.do === "function" || typeof prototype.create === "function";
}
