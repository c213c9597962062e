import { describe, expect, test } from "vitest";
import { registry as functionsRegistry } from "../../functions/registry.js";
import { AsyncConnectorBase, SyncConnectorBase, type Connector } from "../../lib/connector/connector.js";
import { ConnectorNotFoundError, Status } from "../../lib/connector/errors.js";
import { knownSecrets } from "../../lib/connector/redact.js";
import { ConnectorRegistry, type LazyConnector } from "../../lib/connector/registry.js";
import { defineResourceMeta, field } from "../../lib/connector/resource-meta.js";
import { flyteidl } from "../../lib/idl/index.js";
import { rejection } from "../support/rejection.js";

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
  test("finds a registered connector by task type name and version", async () => {
    const echo = new TestSyncConnector("echo");
    const sleepV2 = new TestAsyncConnector("sleep", 2);
    const registry = new ConnectorRegistry().register(echo).register(sleepV2);
    await expect(registry.getConnector("echo")).resolves.toBe(echo);
    await expect(registry.getConnector("echo", 0)).resolves.toBe(echo);
    await expect(registry.getConnector("sleep", 2)).resolves.toBe(sleepV2);
  });

  test("refuses a second connector for a category without override, keeping the first", async () => {
    const first = new TestSyncConnector("echo");
    const registry = new ConnectorRegistry().register(first);
    expect(() => registry.register(new TestSyncConnector("echo"))).toThrow(
      new Error("Duplicate connector for task type: echo_v0"),
    );
    expect(() => registry.register(new TestAsyncConnector("echo", 0, "Other"), false)).toThrow(
      "Duplicate connector for task type: echo_v0",
    );
    await expect(registry.getConnector("echo")).resolves.toBe(first);
    // Another version of the same name is another category.
    expect(() => registry.register(new TestSyncConnector("echo", 1))).not.toThrow();
  });

  test("replaces the connector of a category with override", async () => {
    const replacement = new TestSyncConnector("echo");
    const registry = new ConnectorRegistry().register(new TestSyncConnector("echo")).register(replacement, true);
    await expect(registry.getConnector("echo")).resolves.toBe(replacement);
  });

  test("throws ConnectorNotFoundError (NOT_FOUND) for an unknown category", async () => {
    const registry = new ConnectorRegistry().register(new TestSyncConnector("echo"));
    const error = await rejection(registry.getConnector("echo", 1));
    expect(error).toBeInstanceOf(ConnectorNotFoundError);
    expect((error as ConnectorNotFoundError).code).toBe(Status.NOT_FOUND);
    expect((error as Error).message).toBe("Cannot find connector for task category: echo_v1. Task categories served: echo_v0.");
    await expect(registry.getConnector("missing")).rejects.toThrow("Cannot find connector for task category: missing_v0.");
  });

  test("NOT_FOUND says when no connector is registered at all", async () => {
    await expect(new ConnectorRegistry().getConnector("echo")).rejects.toThrow(
      new ConnectorNotFoundError("Cannot find connector for task category: echo_v0. No connector is registered."),
    );
  });

  test("getAgent is getConnector under flytekit's old name", async () => {
    const echo = new TestSyncConnector("echo", 3);
    const registry = new ConnectorRegistry().register(echo);
    await expect(registry.getAgent("echo", 3)).resolves.toBe(echo);
    await expect(registry.getAgent("echo")).rejects.toThrow(
      new ConnectorNotFoundError("Cannot find connector for task category: echo_v0. Task categories served: echo_v3."),
    );
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

  test("names a connector without a name as flytekit does, by its kind (base_connector.py: Base Sync / Base Async Connector)", () => {
    class UnnamedSync extends SyncConnectorBase {
      constructor() {
        super({ taskTypeName: "unnamed_sync" });
      }
      do(): never {
        throw new Error("not called");
      }
    }
    class UnnamedAsync extends AsyncConnectorBase<InstanceType<typeof JobMeta>> {
      constructor() {
        super({ taskTypeName: "unnamed_async", metadataType: JobMeta });
      }
      create(): never {
        throw new Error("not called");
      }
      get(): never {
        throw new Error("not called");
      }
      delete(): void {}
    }
    const registry = new ConnectorRegistry().register(new UnnamedSync()).register(new UnnamedAsync());
    // Not one agent whose isSync the first decides: each kind its own, so callers pick the right calls.
    expect(registry.listConnectors().map(({ name, isSync }) => ({ name, isSync }))).toEqual([
      { name: "Base Sync Connector", isSync: true },
      { name: "Base Async Connector", isSync: false },
    ]);
  });

  test("keeps registries independent of each other", async () => {
    const one = new ConnectorRegistry().register(new TestSyncConnector("echo"));
    const two = new ConnectorRegistry();
    await expect(two.getConnector("echo")).rejects.toThrow(ConnectorNotFoundError);
    expect(two.listConnectors()).toEqual([]);
    const otherEcho = new TestSyncConnector("echo");
    two.register(otherEcho);
    await expect(two.getConnector("echo")).resolves.toBe(otherEcho);
    await expect(one.getConnector("echo")).resolves.not.toBe(otherEcho);
  });

  test("gives callers their own metadata objects to change", () => {
    const registry = new ConnectorRegistry().register(new TestSyncConnector("echo"));
    registry.getConnectorMetadata("Sync Connector").supportedTaskCategories.push(
      new flyteidl.admin.TaskCategory({ name: "injected" }),
    );
    expect(categories(registry.getConnectorMetadata("Sync Connector"))).toEqual(["echo_v0"]);
  });
});

/** A lazy entry whose loads are counted and answered by `make` (default: the connector it describes). */
function counted(entry: Omit<LazyConnector, "load">, make?: (attempt: number) => Promise<Connector>) {
  const loads = { count: 0 };
  const lazy: LazyConnector = {
    ...entry,
    load: () => {
      loads.count += 1;
      if (make) return make(loads.count);
      const { name, taskTypeName, taskTypeVersion } = entry;
      return Promise.resolve(entry.isSync ? new TestSyncConnector(taskTypeName, taskTypeVersion, name) : new TestAsyncConnector(taskTypeName, taskTypeVersion, name));
    },
  };
  return { lazy, loads };
}

describe("ConnectorRegistry, lazy connectors", () => {
  test("lists and describes lazy connectors beside eager ones without loading any", () => {
    const query = counted({ name: "Warehouse", taskTypeName: "query", taskTypeVersion: 1, isSync: false });
    const hook = counted({ name: "Hook", taskTypeName: "hook", isSync: true });
    const registry = new ConnectorRegistry()
      .registerLazy(query.lazy)
      .register(new TestSyncConnector("echo"))
      .registerLazy(hook.lazy)
      .register(new TestAsyncConnector("export", 0, "Warehouse"));
    expect(registry.listConnectors().map((agent) => [agent.name, agent.isSync, categories(agent)])).toEqual([
      ["Warehouse", false, ["query_v1", "export_v0"]],
      ["Sync Connector", true, ["echo_v0"]],
      ["Hook", true, ["hook_v0"]],
    ]);
    expect(registry.getConnectorMetadata("Hook").supportedTaskTypes).toEqual(["hook"]);
    expect(() => registry.getConnectorMetadata("Nope")).toThrow(ConnectorNotFoundError);
    expect([query.loads.count, hook.loads.count]).toEqual([0, 0]);
  });

  test("loads a connector on first use, once, sharing one load between concurrent first calls", async () => {
    const { lazy, loads } = counted({ name: "Warehouse", taskTypeName: "query", isSync: false });
    const other = counted({ name: "Other", taskTypeName: "other", isSync: true });
    const registry = new ConnectorRegistry().registerLazy(lazy).registerLazy(other.lazy);
    const [first, second] = await Promise.all([registry.getConnector("query"), registry.getConnector("query", 0)]);
    expect(first).toBeInstanceOf(TestAsyncConnector);
    expect(second).toBe(first);
    await expect(registry.getConnector("query")).resolves.toBe(first);
    await expect(registry.getAgent("query")).resolves.toBe(first);
    expect(loads.count).toBe(1);
    // Only the connector asked for is loaded.
    expect(other.loads.count).toBe(0);
  });

  test("answers NOT_FOUND for a category no entry has, without loading anything", async () => {
    const { lazy, loads } = counted({ name: "Warehouse", taskTypeName: "query", isSync: false });
    const registry = new ConnectorRegistry().registerLazy(lazy);
    const error = await rejection(registry.getConnector("query", 1));
    expect(error).toBeInstanceOf(ConnectorNotFoundError);
    expect(error.message).toBe("Cannot find connector for task category: query_v1. Task categories served: query_v0.");
    expect(loads.count).toBe(0);
  });

  test.each([
    ["name", new TestAsyncConnector("query", 0, "Renamed"), 'but its module made the async connector "Renamed" for task category query_v0.'],
    ["kind", new TestSyncConnector("query", 0, "Warehouse"), 'but its module made the sync connector "Warehouse" for task category query_v0.'],
    ["task type", new TestAsyncConnector("other", 0, "Warehouse"), 'but its module made the async connector "Warehouse" for task category other_v0.'],
    ["version", new TestAsyncConnector("query", 2, "Warehouse"), 'but its module made the async connector "Warehouse" for task category query_v2.'],
  ])("refuses a loaded connector whose %s is not its entry's (INTERNAL, both named)", async (_, loaded, made) => {
    const { lazy } = counted({ name: "Warehouse", taskTypeName: "query", isSync: false }, () => Promise.resolve(loaded));
    const registry = new ConnectorRegistry().registerLazy(lazy);
    const error = await rejection(registry.getConnector("query"));
    expect(error.code).toBe(Status.INTERNAL);
    expect(error.message).toBe(`The async connector "Warehouse" for task category query_v0 was registered, ${made}`);
    // The metadata stays what the entry says.
    expect(registry.getConnectorMetadata("Warehouse").isSync).toBe(false);
  });

  // A JavaScript registry's slips, which TypeScript refuses: no `new`, no `.then`, no return.
  test.each([
    ["the class", TestAsyncConnector, "the function or class TestAsyncConnector (a connector is an instance: new TestAsyncConnector())"],
    ["the module", import("../client/fixtures/test-connectors.js"), "the module itself"],
    ["nothing", undefined, "undefined"],
    ["a plain object", { name: "Warehouse" }, "an object"],
  ])("refuses a load() that gives %s, saying what it gave and what to write (INTERNAL, not a TypeError)", async (_, given, what) => {
    const { lazy } = counted({ name: "Warehouse", taskTypeName: "query", isSync: false }, async () => (await given) as never);
    const error = await rejection(new ConnectorRegistry().registerLazy(lazy).getConnector("query"));
    expect(error.code).toBe(Status.INTERNAL);
    expect(error.message).toBe(
      `The async connector "Warehouse" for task category query_v0 was registered, but its load() gave ${what}, not a connector: ` +
        "it must resolve to an instance, as import(...).then((m) => new m.MyConnector()) does.",
    );
  });

  test.each([
    ["rejects", () => Promise.reject(new Error("Cannot find module 'warehouse-sdk'"))],
    [
      "throws",
      () => {
        throw new Error("Cannot find module 'warehouse-sdk'");
      },
    ],
  ])("answers INTERNAL when a load %s, and loads again on the next call", async (_, fail) => {
    const { lazy, loads } = counted({ name: "Warehouse", taskTypeName: "query", isSync: false }, (attempt) =>
      attempt === 1 ? fail() : Promise.resolve(new TestAsyncConnector("query", 0, "Warehouse")),
    );
    const registry = new ConnectorRegistry().registerLazy(lazy);
    const [one, two] = await Promise.all([rejection(registry.getConnector("query")), rejection(registry.getConnector("query"))]);
    expect(one).toBe(two);
    expect(one.code).toBe(Status.INTERNAL);
    expect(one.message).toBe(`Cannot load the async connector "Warehouse" for task category query_v0: Cannot find module 'warehouse-sdk'`);
    expect(loads.count).toBe(1);
    const connector = await registry.getConnector("query");
    expect(connector.name).toBe("Warehouse");
    await expect(registry.getConnector("query")).resolves.toBe(connector);
    expect(loads.count).toBe(2);
  });

  test("a load error that quotes a secret read so far answers it redacted", async () => {
    const secret = "warehouse-key-8c1f";
    knownSecrets.addPassing(secret);
    const { lazy } = counted({ name: "Warehouse", taskTypeName: "query", isSync: false }, () =>
      Promise.reject(new Error(`login refused for key ${secret}`)),
    );
    const error = await rejection(new ConnectorRegistry().registerLazy(lazy).getConnector("query"));
    expect(error.message).toBe(`Cannot load the async connector "Warehouse" for task category query_v0: login refused for key [redacted]`);
  });

  test("refuses a duplicate category across eager and lazy registrations, and overrides either way", async () => {
    const { lazy, loads } = counted({ name: "Echo", taskTypeName: "echo", isSync: true });
    const registry = new ConnectorRegistry().registerLazy(lazy);
    expect(() => registry.register(new TestSyncConnector("echo"))).toThrow("Duplicate connector for task type: echo_v0");
    expect(() => registry.registerLazy(lazy)).toThrow("Duplicate connector for task type: echo_v0");
    // The CLI's --connector modules override the functions' entries with instances.
    const mine = new TestSyncConnector("echo", 0, "Mine");
    registry.register(mine, true);
    await expect(registry.getConnector("echo")).resolves.toBe(mine);
    expect(registry.listConnectors().map((agent) => agent.name)).toEqual(["Mine"]);
    registry.registerLazy(lazy, true);
    await expect(registry.getConnector("echo")).resolves.not.toBe(mine);
    expect(loads.count).toBe(1);
  });
});

describe("the functions' static registry", () => {
  test("loads, for every category it lists, the connector its entry describes", async () => {
    const agents = functionsRegistry.listConnectors();
    expect(agents.map((agent) => agent.name)).toEqual(expect.arrayContaining(["Echo Connector", "Sleep Connector", "Webhook Connector"]));
    for (const agent of agents) {
      for (const category of agent.supportedTaskCategories) {
        const connector = await functionsRegistry.getConnector(category.name ?? "", category.version ?? 0);
        expect([connector.name, connector.isSync, connector.taskCategory.toString()]).toEqual([agent.name, agent.isSync, `${category.name}_v${category.version}`]);
      }
    }
  });
});
