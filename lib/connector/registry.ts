/**
 * flytekit's ConnectorRegistry as a value: the functions build one static registry, tests and
 * the local stack build their own. Lookup by task category; metadata by connector name.
 */
import { flyteidl } from "../idl/index.js";
import type { Connector } from "./connector.js";
import { ConnectorNotFoundError } from "./errors.js";
import { TaskCategory } from "./task-category.js";

export class ConnectorRegistry {
  readonly #connectors = new Map<string, Connector>();

  /** Registers a connector; a second one for the same category needs `override`. */
  register(connector: Connector, override = false): this {
    const key = connector.taskCategory.toString();
    if (this.#connectors.has(key) && !override) {
      throw new Error(`Duplicate connector for task type: ${key}`);
    }
    this.#connectors.set(key, connector);
    return this;
  }

  getConnector(taskTypeName: string, taskTypeVersion = 0): Connector {
    const category = new TaskCategory(taskTypeName, taskTypeVersion);
    const connector = this.#connectors.get(category.toString());
    if (!connector) throw new ConnectorNotFoundError(`Cannot find connector for task category: ${category}.`);
    return connector;
  }

  /** flytekit's deprecated name for getConnector. */
  getAgent(taskTypeName: string, taskTypeVersion = 0): Connector {
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

  // Derived from the connectors on every call rather than kept beside them, so an override
  // can never leave a stale or duplicated category behind (flytekit's metadata drifts).
  #byName(): Map<string, flyteidl.admin.Agent> {
    const agents = new Map<string, flyteidl.admin.Agent>();
    for (const connector of this.#connectors.values()) {
      let agent = agents.get(connector.name);
      if (!agent) {
        // Like flytekit, the first connector registered under a name decides is_sync.
        agent = new flyteidl.admin.Agent({ name: connector.name, isSync: connector.isSync });
        agents.set(connector.name, agent);
      }
      const { name, version } = connector.taskCategory;
      agent.supportedTaskCategories.push(new flyteidl.admin.TaskCategory({ name, version }));
      agent.supportedTaskTypes.push(name);
    }
    return agents;
  }
}
