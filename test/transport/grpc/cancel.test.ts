/**
 * A client that cancels its call (grpc-js `call.cancel()`: RST_STREAM) stops the work answering it:
 * the connector's signal in-process, the Lambda Invoke with the Lambda backend (`serve --backend lambda`).
 */
import { once } from "node:events";
import { createServer, type ServerResponse } from "node:http";
import type { ServiceError } from "@grpc/grpc-js";
import { afterAll, afterEach, beforeAll, describe, expect, test, vi } from "vitest";
import { createLambdaDispatch } from "../../../lib/client/lambda-transport.js";
import { AsyncConnectorBase, SyncConnectorBase, type CallContext } from "../../../lib/connector/connector.js";
import { ConnectorError, Status } from "../../../lib/connector/errors.js";
import { ConnectorRegistry } from "../../../lib/connector/registry.js";
import type { Resource } from "../../../lib/connector/resource.js";
import { defineResourceMeta, field } from "../../../lib/connector/resource-meta.js";
import { flyteidl } from "../../../lib/idl/index.js";
import { operations, type Dispatch, type MessageType, type Operation } from "../../../lib/service/operations.js";
import { ConnectorService } from "../../../lib/service/service.js";
import { startGrpcServer, type GrpcServer } from "../../../lib/transport/grpc/index.js";
import { RawClient } from "./raw-client.js";

const { admin } = flyteidl;

const JobMeta = defineResourceMeta("JobMeta", { id: field.string() });
type JobMeta = InstanceType<typeof JobMeta>;

/** What one call did at the connector: reached it, then saw its signal abort. */
interface Watch {
  readonly entered: Promise<void>;
  readonly aborted: Promise<void>;
}

/** Holds every call until its signal aborts; `next()` watches the next one. */
class Blocker {
  #waiting: { entered: () => void; aborted: () => void }[] = [];

  next(): Watch {
    const entered = deferred();
    const aborted = deferred();
    this.#waiting.push({ entered: entered.resolve, aborted: aborted.resolve });
    return { entered: entered.promise, aborted: aborted.promise };
  }

  block<T>({ signal }: CallContext): Promise<T> {
    const watch = this.#waiting.shift();
    watch?.entered();
    return new Promise<T>((_, reject) =>
      signal.addEventListener("abort", () => {
        watch?.aborted();
        reject(new Error("stopped"));
      }),
    );
  }
}

const blocker = new Blocker();

class BlockingJobConnector extends AsyncConnectorBase<JobMeta> {
  constructor() {
    super({ name: "Blocking Job Connector", taskTypeName: "blocking-job", metadataType: JobMeta });
  }
  create(params: CallContext) {
    return blocker.block<JobMeta>(params);
  }
  get(_meta: JobMeta, params: CallContext) {
    return blocker.block<Resource>(params);
  }
  delete() {}
  override getLogs(_meta: JobMeta, params: CallContext) {
    return blocker.block<{ results: string[] }>(params);
  }
}

class BlockingSyncConnector extends SyncConnectorBase {
  constructor() {
    super({ name: "Blocking Sync Connector", taskTypeName: "blocking-sync" });
  }
  do(params: CallContext) {
    return blocker.block<Resource>(params);
  }
}

const serialize = <T extends object>(type: MessageType<T>) => (message: T) => Buffer.from(type.encode(message).finish());
const deserialize = <T extends object>(type: MessageType<T>) => (bytes: Buffer) => type.decode(bytes);

interface Deferred<T> {
  readonly promise: Promise<T>;
  resolve(value: T): void;
}

/** Promise.withResolvers, which Node 20 lacks. */
function deferred<T = void>(): Deferred<T> {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((done) => (resolve = done));
  return { promise, resolve };
}

describe("in-process", () => {
  /** The code each dispatch rejected with, as the front's metrics would count it. */
  const outcomes: (number | undefined)[] = [];
  let outcome: Deferred<void>;
  let server: GrpcServer;
  let client: RawClient;

  beforeAll(async () => {
    const registry = new ConnectorRegistry().register(new BlockingJobConnector()).register(new BlockingSyncConnector());
    const service = new ConnectorService(registry);
    const dispatch: Dispatch = (name, requests, options) =>
      service.dispatch(name, requests, options).catch((error: unknown) => {
        outcomes.push(error instanceof ConnectorError ? error.code : undefined);
        outcome.resolve();
        throw error;
      });
    server = await startGrpcServer({ dispatch, host: "127.0.0.1", port: 0, logger: { error: () => undefined } });
    client = new RawClient(server.address);
  });

  afterAll(async () => {
    client.close();
    await server.close();
  });

  afterEach(() => {
    outcomes.length = 0;
  });

  /** Cancels `call` once the connector holds it: the connector's signal aborts, and both ends see CANCELLED. */
  async function expectCancelled(call: { cancel(): void }, watch: Watch, status: Promise<unknown>): Promise<void> {
    await watch.entered;
    call.cancel();
    await watch.aborted;
    await outcome.promise;
    expect(outcomes).toEqual([Status.CANCELLED]);
    expect(await status).toBe(Status.CANCELLED);
  }

  test("a unary CreateTask the client cancels aborts the connector's create, which answers CANCELLED", async () => {
    outcome = deferred();
    const watch = blocker.next();
    const { createTask } = operations;
    const request = new admin.CreateTaskRequest({ template: { type: "blocking-job" } });
    const status = deferred<number | undefined>();
    const call = client.client.makeUnaryRequest(createTask.path, serialize(createTask.requestType), deserialize(createTask.responseType), request, (error) =>
      status.resolve(error?.code),
    );
    await expectCancelled(call, watch, status.promise);
  });

  test("a GetTaskLogs stream the client cancels aborts the connector's getLogs", async () => {
    outcome = deferred();
    const watch = blocker.next();
    const { getTaskLogs } = operations;
    const request = new admin.GetTaskLogsRequest({ taskCategory: { name: "blocking-job" }, resourceMeta: new JobMeta({ id: "j" }).encode() });
    const call = client.client.makeServerStreamRequest(getTaskLogs.path, serialize(getTaskLogs.requestType), deserialize(getTaskLogs.responseType), request);
    const status = new Promise((resolve) => call.on("error", (error: ServiceError) => resolve(error.code)));
    await expectCancelled(call, watch, status);
  });

  test("an ExecuteTaskSync the client cancels after half-closing aborts the connector's do", async () => {
    outcome = deferred();
    const watch = blocker.next();
    const { executeTaskSync } = operations;
    const call = client.client.makeBidiStreamRequest(executeTaskSync.path, serialize(executeTaskSync.requestType), deserialize(executeTaskSync.responseType));
    const status = new Promise((resolve) => call.on("error", (error: ServiceError) => resolve(error.code)));
    call.write(new admin.ExecuteTaskSyncRequest({ header: { template: { type: "blocking-sync" } } }));
    call.write(new admin.ExecuteTaskSyncRequest({ inputs: { literals: {} } }));
    call.end();
    await expectCancelled(call, watch, status);
  });
});

describe("with the Lambda backend", () => {
  test.each<[string, Operation, object]>([
    ["CreateTask", operations.createTask, new admin.CreateTaskRequest({ template: { type: "anything" } })],
    // Idempotent: retried on UNAVAILABLE, never on a cancel.
    ["GetTask", operations.getTask, new admin.GetTaskRequest({ taskCategory: { name: "anything" } })],
  ])("a %s the client cancels closes the Invoke request in flight, and is not retried", async (_method, operation, request) => {
    // The SDK signs even for a local endpoint: any credentials do.
    vi.stubEnv("AWS_ACCESS_KEY_ID", "test");
    vi.stubEnv("AWS_SECRET_ACCESS_KEY", "test");
    const invoked: string[] = [];
    const arrived = deferred();
    const closed = deferred<boolean>();
    // A Lambda Invoke endpoint that never answers: only the caller can end the request.
    const lambda = createServer((request, response: ServerResponse) => {
      invoked.push(request.url ?? "");
      response.once("close", () => closed.resolve(response.writableFinished));
      arrived.resolve();
    });
    lambda.listen(0, "127.0.0.1");
    await once(lambda, "listening");
    const endpoint = `http://127.0.0.1:${(lambda.address() as { port: number }).port}`;
    // As `serve --backend lambda --endpoint` wires it, with the dispatch's outcome recorded.
    const lambdaDispatch = createLambdaDispatch({ endpoint, region: "us-east-1" });
    const outcome = deferred<unknown>();
    const dispatch: Dispatch = (name, requests, options) =>
      lambdaDispatch(name, requests, options).catch((error: unknown) => {
        outcome.resolve(error);
        throw error;
      });
    const server = await startGrpcServer({ dispatch, host: "127.0.0.1", port: 0, logger: { error: () => undefined } });
    const client = new RawClient(server.address);
    try {
      const call = client.client.makeUnaryRequest(
        operation.path,
        serialize(operation.requestType),
        deserialize(operation.responseType),
        request,
        { deadline: Date.now() + 60_000 },
        () => undefined,
      );
      await arrived.promise;
      call.cancel();
      // Closed before any answer was written: the Invoke was aborted, not answered.
      expect(await closed.promise).toBe(false);
      expect(await outcome.promise).toMatchObject({ code: Status.CANCELLED });
      expect(invoked).toEqual([`/2015-03-31/functions/flyte-connectors-dev-${operation.name}/invocations`]);
    } finally {
      client.close();
      await server.close();
      lambda.closeAllConnections();
      lambda.close();
      vi.unstubAllEnvs();
    }
  });
});
