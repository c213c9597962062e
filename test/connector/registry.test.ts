import { describe, expect, test } from "vitest";
import { AsyncConnectorBase, SyncConnectorBase } from "../../lib/connector/connector.js";
import { ConnectorNotFoundError, Status } from "../../lib/connector/errors.js";
import { ConnectorRegistry } from "../../lib/connector/registry.js";
import { defineResourceMeta, field } from "../../lib/connector/resource-meta.js";
import { flyteidl } from "../../lib/idl/index.js";

const JobMeta = defineResourceMeta("JobMeta", { job_id: field.string() });
type JobMeta = InstanceType<typeof JobMeta>;

// The registry never calls do/create/get/delete, so these connectors only need to exist.
class TestSyncConnector extends SyncConnectorBase {
  constructor(taskTypeName: string, taskTypeVersion = 0, name = "Sync Connector") {
    super({ name, taskTypeName, taskTypeVersion });
  }
  do(): never {
    throw new Error("not called by the registry");
  }
}

class TestAsyncConnector extends AsyncConnectorBase<JobMeta> {
  constructor(taskTypeName: string, taskTypeVersion = 0, name = "Async Connector") {
    super({ name, taskTypeName, taskTypeVersion, metadataType: JobMeta });
  }
  create(): JobMeta {
    return new JobMeta({ job_id: "job" });
  }
  get(): never {
    throw new Error("not called by the registry");
  }
  delete(): void {}
}

function categories(agent: flyteidl.admin.IAgent): string[] {
  return (agent.supportedTaskCategories ?? []).map((category) => `${category.name}_v${category.version}`);
}

function thrownBy(call: () => unknown): unknown {
  try {
    call();
  } catch (error) {
    return error;
  }
  throw new Error("expected a throw");
}

describe("ConnectorRegistry", () => {
  test("finds a registered connector by task type name and version", () => {
    const echo = new TestSyncConnector("echo");
    const sleepV2 = new TestAsyncConnector("sleep", 2);
    const registry = new ConnectorRegistry().register(echo).register(sleepV2);
    expect(registry.getConnector("echo")).toBe(echo);
    expect(registry.getConnector("echo", 0)).toBe(echo);
    expect(registry.getConnector("sleep", 2)).toBe(sleepV2);
  });

  test("refuses a second connector for a category without override, keeping the first", () => {
    const first = new TestSyncConnector("echo");
    const registry = new ConnectorRegistry().register(first);
    expect(() => registry.register(new TestSyncConnector("echo"))).toThrow(
      new Error("Duplicate connector for task type: echo_v0"),
    );
    expect(() => registry.register(new TestAsyncConnector("echo", 0, "Other"), false)).toThrow(
      "Duplicate connector for task type: echo_v0",
    );
    expect(registry.getConnector("echo")).toBe(first);
    // Another version of the same name is another category.
    expect(() => registry.register(new TestSyncConnector("echo", 1))).not.toThrow();
  });

  test("replaces the connector of a category with override", () => {
    const replacement = new TestSyncConnector("echo");
    const registry = new ConnectorRegistry().register(new TestSyncConnector("echo")).register(replacement, true);
    expect(registry.getConnector("echo")).toBe(replacement);
  });

  test("throws ConnectorNotFoundError (NOT_FOUND) for an unknown category", () => {
    const registry = new ConnectorRegistry().register(new TestSyncConnector("echo"));
    const error = thrownBy(() => registry.getConnector("echo", 1));
    expect(error).toBeInstanceOf(ConnectorNotFoundError);
    expect((error as ConnectorNotFoundError).code).toBe(Status.NOT_FOUND);
    expect((error as Error).message).toBe("Cannot find connector for task category: echo_v1.");
    expect(() => registry.getConnector("missing")).toThrow("Cannot find connector for task category: missing_v0.");
  });

  test("getAgent is getConnector under flytekit's old name", () => {
    const echo = new TestSyncConnector("echo", 3);
    const registry = new ConnectorRegistry().register(echo);
    expect(registry.getAgent("echo", 3)).toBe(echo);
    expect(() => registry.getAgent("echo")).toThrow(new ConnectorNotFoundError("Cannot find connector for task category: echo_v0."));
  });

  test("gathers every category of one connector name, in registration order, with isSync and task types", () => {
    const registry = new ConnectorRegistry()
      .register(new TestAsyncConnector("query", 0, "Warehouse"))
      .register(new TestSyncConnector("echo"))
      .register(new TestAsyncConnector("query", 1, "Warehouse"))
      .register(new TestAsyncConnector("export", 0, "Warehouse"));
    const agent = registry.getConnectorMetadata("Warehouse");
    expect(agent).toBeInstanceOf(flyteidl.admin.Agent);
    expect(agent.name).toBe("Warehouse");
    expect(agent.isSync).toBe(false);
    expect(categories(agent)).toEqual(["query_v0", "query_v1", "export_v0"]);
    expect(agent.supportedTaskTypes).toEqual(["query", "query", "export"]);
    expect(agent.supportedTaskCategories[0]).toBeInstanceOf(flyteidl.admin.TaskCategory);

    const sync = registry.getConnectorMetadata("Sync Connector");
    expect(sync.isSync).toBe(true);
    expect(categories(sync)).toEqual(["echo_v0"]);
    expect(flyteidl.admin.Agent.decode(flyteidl.admin.Agent.encode(agent).finish()).toJSON()).toEqual(agent.toJSON());
  });

  test("takes isSync from the first connector registered under a name, as flytekit does", () => {
    const registry = new ConnectorRegistry()
      .register(new TestSyncConnector("a", 0, "Mixed"))
      .register(new TestAsyncConnector("b", 0, "Mixed"));
    expect(registry.getConnectorMetadata("Mixed").isSync).toBe(true);
  });

  test("does not repeat a category after an override", () => {
    const registry = new ConnectorRegistry()
      .register(new TestSyncConnector("echo"))
      .register(new TestSyncConnector("other"))
      .register(new TestSyncConnector("echo"), true);
    const agent = registry.getConnectorMetadata("Sync Connector");
    expect(categories(agent)).toEqual(["echo_v0", "other_v0"]);
    expect(agent.supportedTaskTypes).toEqual(["echo", "other"]);
  });

  test("moves a category to the new connector's name when an override renames it", () => {
    const registry = new ConnectorRegistry()
      .register(new TestSyncConnector("echo", 0, "Old"))
      .register(new TestSyncConnector("echo", 0, "New"), true);
    expect(categories(registry.getConnectorMetadata("New"))).toEqual(["echo_v0"]);
    expect(() => registry.getConnectorMetadata("Old")).toThrow("Cannot find connector for name: Old.");
  });

  test("throws ConnectorNotFoundError for an unknown connector name", () => {
    const registry = new ConnectorRegistry().register(new TestSyncConnector("echo"));
    const error = thrownBy(() => registry.getConnectorMetadata("Nope"));
    expect(error).toBeInstanceOf(ConnectorNotFoundError);
    expect((error as Error).message).toBe("Cannot find connector for name: Nope.");
  });

  test("lists one agent per connector name, in registration order", () => {
    const registry = new ConnectorRegistry()
      .register(new TestSyncConnector("echo", 0, "Echo"))
      .register(new TestAsyncConnector("sleep", 0, "Sleep"))
      .register(new TestSyncConnector("echo", 1, "Echo"));
    const agents = registry.listConnectors();
    expect(agents.map((agent) => [agent.name, agent.isSync, categories(agent)])).toEqual([
      ["Echo", true, ["echo_v0", "echo_v1"]],
      ["Sleep", false, ["sleep_v0"]],
    ]);
    expect(new ConnectorRegistry().listConnectors()).toEqual([]);
  });

  test("names a connector without a name 'Base Connector'", () => {
    class Unnamed extends SyncConnectorBase {
      constructor() {
        super({ taskTypeName: "unnamed" });
      }
      do(): never {
        throw new Error("not called");
      }
    }
    const registry = new ConnectorRegistry().register(new Unnamed());
    expect(registry.listConnectors().map((agent) => agent.name)).toEqual(["Base Connector"]);
  });

  test("keeps registries independent of each other", () => {
    const one = new ConnectorRegistry().register(new TestSyncConnector("echo"));
    const two = new ConnectorRegistry();
    expect(() => two.getConnector("echo")).toThrow(ConnectorNotFoundError);
    expect(two.listConnectors()).toEqual([]);
    const otherEcho = new TestSyncConnector("echo");
    two.register(otherEcho);
    expect(two.getConnector("echo")).toBe(otherEcho);
    expect(one.getConnector("echo")).not.toBe(otherEcho);
  });

  test("gives callers their own metadata objects to change", () => {
    const registry = new ConnectorRegistry().register(new TestSyncConnector("echo"));
    registry.getConnectorMetadata("Sync Connector").supportedTaskCategories.push(
      new flyteidl.admin.TaskCategory({ name: "injected" }),
    );
    expect(categories(registry.getConnectorMetadata("Sync Connector"))).toEqual(["echo_v0"]);
  });
});
