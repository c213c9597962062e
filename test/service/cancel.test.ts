/**
 * A caller that goes away (DispatchOptions.signal): the connector's own signal is aborted and the
 * call answers CANCELLED, on every operation that runs connector work and in both protocols.
 */
import { describe, expect, test } from "vitest";
import { AsyncConnectorBase, SyncConnectorBase, type CallContext } from "../../lib/connector/connector.js";
import { Status } from "../../lib/connector/errors.js";
import { ConnectorRegistry } from "../../lib/connector/registry.js";
import type { Resource } from "../../lib/connector/resource.js";
import { defineResourceMeta, field } from "../../lib/connector/resource-meta.js";
import { flyteidl } from "../../lib/idl/index.js";
import { flyteidl2 } from "../../lib/idl/flyteidl2.js";
import type { DispatchOptions, OperationName } from "../../lib/service/operations.js";
import { ConnectorService } from "../../lib/service/service.js";
import { rejection } from "../support/rejection.js";

const { admin } = flyteidl;

const JobMeta = defineResourceMeta("JobMeta", { id: field.string() });
type JobMeta = InstanceType<typeof JobMeta>;

/** Records each call it is given, then waits until its signal aborts. */
class Waiting {
  readonly calls: { verb: string; signal: AbortSignal }[] = [];
  #entered: (() => void)[] = [];

  /** Resolves once a call has reached the connector. */
  entered(): Promise<void> {
    return new Promise((resolve) => this.#entered.push(resolve));
  }

  wait<T>(verb: string, { signal }: CallContext): Promise<T> {
    this.calls.push({ verb, signal });
    for (const resolve of this.#entered.splice(0)) resolve();
    return new Promise<T>((_, reject) => signal.addEventListener("abort", () => reject(new Error(`${verb} stopped`))));
  }
}

class WaitingJobConnector extends AsyncConnectorBase<JobMeta> {
  constructor(readonly waiting: Waiting) {
    super({ name: "Waiting Job Connector", taskTypeName: "waiting-job", metadataType: JobMeta });
  }
  create(params: CallContext) {
    return this.waiting.wait<JobMeta>("create", params);
  }
  get(_meta: JobMeta, params: CallContext) {
    return this.waiting.wait<Resource>("get", params);
  }
  delete(_meta: JobMeta, params: CallContext) {
    return this.waiting.wait<void>("delete", params);
  }
}

class WaitingSyncConnector extends SyncConnectorBase {
  constructor(readonly waiting: Waiting) {
    super({ name: "Waiting Sync Connector", taskTypeName: "waiting-sync" });
  }
  do(params: CallContext) {
    return this.waiting.wait<Resource>("do", params);
  }
}

function setup() {
  const waiting = new Waiting();
  const registry = new ConnectorRegistry().register(new WaitingJobConnector(waiting)).register(new WaitingSyncConnector(waiting));
  return { waiting, dispatch: new ConnectorService(registry).dispatch };
}

const meta = new JobMeta({ id: "j-1" }).encode();
const jobCategory = { name: "waiting-job", version: 0 };

const cases: { verb: string; name: OperationName; request: object; protocol: DispatchOptions["protocol"] }[] = [
  { verb: "create", name: "createTask", request: new admin.CreateTaskRequest({ template: { type: "waiting-job" } }), protocol: "flyteidl" },
  { verb: "get", name: "getTask", request: new admin.GetTaskRequest({ taskCategory: jobCategory, resourceMeta: meta }), protocol: "flyteidl" },
  { verb: "delete", name: "deleteTask", request: new admin.DeleteTaskRequest({ taskCategory: jobCategory, resourceMeta: meta }), protocol: "flyteidl" },
  { verb: "do", name: "executeTaskSync", request: new admin.ExecuteTaskSyncRequest({ header: { template: { type: "waiting-sync" } } }), protocol: "flyteidl" },
  { verb: "create", name: "createTask", request: new flyteidl2.connector.CreateTaskRequest({ template: { type: "waiting-job" } }), protocol: "flyteidl2" },
  // Flyte 2 serves a sync connector's `do` through CreateTask.
  { verb: "do", name: "createTask", request: new flyteidl2.connector.CreateTaskRequest({ template: { type: "waiting-sync" } }), protocol: "flyteidl2" },
];

describe("a caller that goes away", () => {
  test.each(cases)("aborts the connector's $verb and answers CANCELLED ($protocol $name)", async ({ verb, name, request, protocol }) => {
    const { waiting, dispatch } = setup();
    const caller = new AbortController();
    const entered = waiting.entered();
    const answer = rejection(dispatch(name, [request], { signal: caller.signal, deadline: Date.now() + 60_000, protocol }));
    await entered;
    expect(waiting.calls.map((call) => [call.verb, call.signal.aborted])).toEqual([[verb, false]]);
    caller.abort();
    const error = await answer;
    expect(error.code).toBe(Status.CANCELLED);
    expect(error.message).toMatch(new RegExp(`^${verb} waiting-(job|sync) task: the caller cancelled the call$`));
    expect(waiting.calls[0]?.signal.aborted).toBe(true);
  });

  test.each(cases)("already gone, never reaches the connector's $verb ($protocol $name)", async ({ name, request, protocol }) => {
    const { waiting, dispatch } = setup();
    const error = await rejection(dispatch(name, [request], { signal: AbortSignal.abort(), protocol }));
    expect(error.code).toBe(Status.CANCELLED);
    expect(waiting.calls).toEqual([]);
  });
});
