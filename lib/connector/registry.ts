/**
 * flytekit's ConnectorRegistry as a value: the functions build one static registry, tests and
 * the local stack build their own. Lookup by task category; metadata by connector name.
 *
 * A connector is registered either as an instance or lazily, as what ListAgents shows of it plus
 * a `load` that imports its module: metadata is answered from the entries alone, so listAgents
 * and getAgent never load connector code, and a function loads a connector (and the libraries it
 * brings) only when a call needs it.
 */
import { flyteidl } from "../idl/index.js";
import type { Connector } from "./connector.js";
import { ConnectorNotFoundError, InternalError, errorMessage } from "./errors.js";
import { knownSecrets } from "./redact.js";
import { TaskCategory } from "./task-category.js";

/** A connector known by its metadata, whose module is imported on first use. */
export interface LazyConnector {
  /** The connector's name in ListAgents; it must be the name the loaded connector has. */
  readonly name: string;
  readonly taskTypeName: string;
  readonly taskTypeVersion?: number;
  readonly isSync: boolean;
  /**
   * Imports the connector's module and makes the connector, e.g.
   * `() => import("../lib/connectors/echo.js").then((m) => new m.EchoConnector())`: a literal
   * import() that bundlers follow and emit as a chunk of its own.
   */
  readonly load: () => Promise<Connector>;
}

interface Entry {
  readonly name: string;
  readonly category: TaskCategory;
  readonly isSync: boolean;
  /** Set from the start for an eager registration, after the first load for a lazy one. */
  connector?: Connector;
  readonly load?: () => Promise<Connector>;
  /** The load under way: concurrent first calls share it. */
  loading?: Promise<Connector>;
}

export class ConnectorRegistry {
  readonly #entries = new Map<string, Entry>();

  /** Registers a connector; a second one for the same category needs `override`. */
  register(connector: Connector, override = false): this {
    const { name, taskCategory: category, isSync } = connector;
    return this.#add({ name, category, isSync, connector }, override);
  }

  /** Registers a connector loaded on first use; a second one for the same category needs `override`. */
  registerLazy(lazy: LazyConnector, override = false): this {
    const { name, taskTypeName, taskTypeVersion = 0, isSync, load } = lazy;
    return this.#add({ name, category: new TaskCategory(taskTypeName, taskTypeVersion), isSync, load }, override);
  }

  /** The connector of a category, loaded first if it was registered lazily. */
  async getConnector(taskTypeName: string, taskTypeVersion = 0): Promise<Connector> {
    const category = new TaskCategory(taskTypeName, taskTypeVersion);
    const entry = this.#entries.get(category.toString());
    if (!entry) throw connectorNotFound(category, [...this.#entries.values()].map((known) => known.category));
    if (entry.connector) return entry.connector;
    // Forgotten once settled, success or not (a reaction runs after this assignment, always).
    return (entry.loading ??= loadEntry(entry).finally(() => (entry.loading = undefined)));
  }

  /** flytekit's deprecated name for getConnector. */
  getAgent(taskTypeName: string, taskTypeVersion = 0): Promise<Connector> {
    return this.getConnector(taskTypeName, taskTypeVersion);
  }

  /** One Agent per connector name, in registration order. */
  listConnectors(): flyteidl.admin.Agent[] {
    return [...this.#byName().values()];
  }

  getConnectorMetadata(name: string): flyteidl.admin.Agent {
    const agent = this.#byName().get(name);
    if (!agent) throw new ConnectorNotFoundError(`Cannot find connector for name: ${name}.`);
    return agent;
  }

  #add(entry: Entry, override: boolean): this {
    const key = entry.category.toString();
    if (this.#entries.has(key) && !override) {
      throw new Error(`Duplicate connector for task type: ${key}`);
    }
    this.#entries.set(key, entry);
    return this;
  }

  // Derived from the entries on every call rather than kept beside them, so an override
  // can never leave a stale or duplicated category behind (flytekit's metadata drifts).
  #byName(): Map<string, flyteidl.admin.Agent> {
    const agents = new Map<string, flyteidl.admin.Agent>();
    for (const { name: connectorName, category, isSync } of this.#entries.values()) {
      let agent = agents.get(connectorName);
      if (!agent) {
        // Like flytekit, the first connector registered under a name decides is_sync.
        agent = new flyteidl.admin.Agent({ name: connectorName, isSync });
        agents.set(connectorName, agent);
      }
      const { name, version } = category;
      agent.supportedTaskCategories.push(new flyteidl.admin.TaskCategory({ name, version }));
      agent.supportedTaskTypes.push(name);
    }
    return agents;
  }
}

/**
 * NOT_FOUND for a task category, naming the categories that are served: a misspelt type or a
 * wrong version (`sleep_v1` for `sleep_v0`) is then plain from the message, over any transport.
 */
export function connectorNotFound(category: TaskCategory, served: readonly TaskCategory[]): ConnectorNotFoundError {
  const known = served.length === 0 ? "No connector is registered." : `Task categories served: ${served.join(", ")}.`;
  return new ConnectorNotFoundError(`Cannot find connector for task category: ${category}. ${known}`);
}

/**
 * Loads a lazy entry's connector. A failed load is not kept (getConnector forgets it), so the
 * next call tries again: a module that failed to load for a passing reason does not disable the
 * connector for the life of the process. A connector that is not what its entry says fails like a failed load: its entry
 * has been answered to callers as metadata, and its calls would contradict it.
 */
async function loadEntry(entry: Entry): Promise<Connector> {
  const registered = describe(entry.name, entry.isSync, entry.category);
  let connector: Connector;
  try {
    connector = await entry.load!();
  } catch (error) {
    throw new InternalError(`Cannot load the ${registered}: ${knownSecrets.text(errorMessage(error))}`, { cause: error });
  }
  if (!isConnector(connector)) {
    throw new InternalError(
      `The ${registered} was registered, but its load() gave ${loadedValue(connector)}, not a connector: ` +
        "it must resolve to an instance, as import(...).then((m) => new m.MyConnector()) does.",
    );
  }
  const { name, isSync, taskCategory } = connector;
  if (name !== entry.name || isSync !== entry.isSync || !taskCategory.equals(entry.category)) {
    throw new InternalError(`The ${registered} was registered, but its module made the ${describe(name, isSync, taskCategory)}.`);
  }
  entry.connector = connector;
  return connector;
}

/** What a JavaScript registry's load() may give by mistake (TypeScript refuses each): nothing, the class, the module. */
function isConnector(value: unknown): value is Connector {
  const category = (value as Partial<Connector> | null | undefined)?.taskCategory;
  return typeof value === "object" && value !== null && typeof category?.equals === "function";
}

function loadedValue(value: unknown): string {
  if (value === undefined || value === null) return String(value);
  if (typeof value === "function") return `the function or class ${value.name || "(anonymous)"} (a connector is an instance: new ${value.name || "C"}())`;
  if (typeof value === "object") return Object.prototype.toString.call(value) === "[object Module]" ? "the module itself" : "an object";
  return `a ${typeof value}`;
}

function describe(name: string, isSync: boolean, category: TaskCategory): string {
  return `${isSync ? "sync" : "async"} connector "${name}" for task category ${category}`;
}
