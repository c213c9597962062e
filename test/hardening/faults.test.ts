/**
 * Faults, answered with docs/CONTRACT.md §5's status and message where FlytePropeller sees them: at a
 * plain gRPC client of the front.
 *
 * - Connectors that throw, hang, return no phase, return from `do` a phase that does not end the task, or
 *   outputs that do not match the declared types: through the front with both backends
 *   (in-process, and Lambda running the real function handlers).
 * - A hang answers DEADLINE_EXCEEDED before the function's own deadline: the real Lambda handler
 *   on a fake clock, so "before" is exact rather than a wall-clock race.
 * - A Lambda backend that throttles, crashes, times out or cannot be reached: UNAVAILABLE,
 *   INTERNAL or DEADLINE_EXCEEDED, retried a bounded number of times for idempotent operations
 *   only — never createTask or executeTaskSync, which could start a task twice.
 */
import { once } from "node:events";
import { createServer, type Server, type Socket } from "node:net";
import { inspect } from "node:util";
import { InvokeCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { status, type CallOptions } from "@grpc/grpc-js";
import { mockClient } from "aws-sdk-client-mock";
import { afterAll, afterEach, beforeAll, describe, expect, test, vi } from "vitest";
import { createLambdaDispatch } from "../../lib/client/lambda-transport.js";
import { AsyncConnectorBase, SyncConnectorBase, type TaskParams } from "../../lib/connector/connector.js";
import { Phase } from "../../lib/connector/phase.js";
import { ConnectorRegistry } from "../../lib/connector/registry.js";
import { Resource } from "../../lib/connector/resource.js";
import { defineResourceMeta, field } from "../../lib/connector/resource-meta.js";
import { flyteidl } from "../../lib/idl/index.js";
import { structFromJson, structToJson } from "../../lib/literals/index.js";
import { operationNames, operations, type Operation, type OperationName } from "../../lib/service/operations.js";
import { ConnectorService } from "../../lib/service/service.js";
import { createLambdaHandler } from "../../lib/transport/lambda/handler.js";
import { invokeOutput, lambdaContext, mockedLambda, TEST_CREDENTIALS } from "../client/support/mocked-lambda.js";
import { freePort } from "../support/serverless-offline.js";
import { startFront, startLambdaFront, type FrontUnderTest } from "../transport/grpc/front-scenarios.js";
import { grpcError, RawClient } from "../transport/grpc/raw-client.js";

const { admin, core } = flyteidl;

// --- Connectors that misbehave on purpose -------------------------------------------------------

/** What each fault makes a connector do instead of its work. */
const faults = {
  throws: () => {
    throw new Error("the platform said no");
  },
  "throws a string": () => {
    throw "a plain string";
  },
  // Ignores its abort signal too: only the service's own deadline can end the call.
  hangs: () => new Promise<never>(() => undefined),
  "no phase": () => ({ message: "forgot the phase" }),
  "the UNDEFINED phase": () => new Resource({ phase: Phase.UNDEFINED }),
  nothing: () => undefined,
  RUNNING: () => new Resource({ phase: Phase.RUNNING }),
  "an output of the wrong type": () => new Resource({ phase: Phase.SUCCEEDED, outputs: { n: "seven" } }),
  "an undeclared output": () => new Resource({ phase: Phase.SUCCEEDED, outputs: { n: 7, extra: 1 } }),
} satisfies Record<string, () => unknown>;
type Fault = keyof typeof faults;
type Stage = "create" | "get" | "delete" | "do";

const FaultMeta = defineResourceMeta("FaultMeta", { fault: field.string(), at: field.string() });
type FaultMeta = InstanceType<typeof FaultMeta>;

const faultOf = (template: flyteidl.core.ITaskTemplate) => structToJson(template.custom!) as { fault: Fault; at: Stage };

/** Async: the fault of `custom.fault` strikes at `custom.at`; the meta carries both to get and delete. */
class FaultyConnector extends AsyncConnectorBase<FaultMeta> {
  constructor() {
    super({ name: "Faulty Connector", taskTypeName: "faulty", metadataType: FaultMeta });
  }
  create({ taskTemplate }: TaskParams) {
    const { fault, at } = faultOf(taskTemplate);
    return at === "create" ? (faults[fault]() as unknown as FaultMeta) : new FaultMeta({ fault, at });
  }
  get(meta: FaultMeta) {
    return meta.at === "get" ? (faults[meta.fault as Fault]() as Resource) : new Resource({ phase: Phase.SUCCEEDED });
  }
  async delete(meta: FaultMeta) {
    if (meta.at === "delete") await faults[meta.fault as Fault]();
  }
}

/** Sync: `do` answers the fault of `custom.fault`; its one declared output is the integer `n`. */
class FaultySyncConnector extends SyncConnectorBase {
  constructor() {
    super({ name: "Faulty Sync Connector", taskTypeName: "faulty_sync" });
  }
  do({ taskTemplate }: TaskParams) {
    return faults[faultOf(taskTemplate).fault]() as Resource;
  }
}

const faultyRegistry = () => new ConnectorRegistry().register(new FaultyConnector()).register(new FaultySyncConnector());

const faultyTemplate = (fault: Fault, at: Stage): flyteidl.core.ITaskTemplate => ({
  id: { resourceType: core.ResourceType.TASK, project: "p", domain: "d", name: `${fault} at ${at}`, version: "1" },
  type: at === "do" ? "faulty_sync" : "faulty",
  custom: structFromJson({ fault, at }),
  interface: { outputs: { variables: { n: { type: { simple: core.SimpleType.INTEGER } } } } },
});

/** Runs the task up to the stage where its fault strikes, as FlytePropeller would. */
async function provoke(client: RawClient, fault: Fault, at: Stage, callTimeoutMs: number): Promise<unknown> {
  const options = () => ({ deadline: Date.now() + callTimeoutMs });
  const template = faultyTemplate(fault, at);
  if (at === "do") {
    return client.bidi(operations.executeTaskSync, [new admin.ExecuteTaskSyncRequest({ header: { template } })], options());
  }
  const { resourceMeta } = await client.unary(operations.createTask, new admin.CreateTaskRequest({ template }), options());
  const task = { taskCategory: { name: "faulty", version: 0 }, resourceMeta };
  if (at === "get") return client.unary(operations.getTask, new admin.GetTaskRequest(task), options());
  return client.unary(operations.deleteTask, new admin.DeleteTaskRequest(task), options());
}

const noPhase = (got: string) =>
  `the connector returned no phase: a Resource needs a TaskExecution phase other than UNDEFINED (got ${got})`;

const connectorFaults: readonly [Fault, Stage, status, string | RegExp][] = [
  ["throws", "create", status.INTERNAL, "failed to create faulty task with error: the platform said no"],
  ["throws", "get", status.INTERNAL, "failed to get faulty task with error: the platform said no"],
  ["throws", "delete", status.INTERNAL, "failed to delete faulty task with error: the platform said no"],
  ["throws", "do", status.INTERNAL, "failed to do faulty_sync task with error: the platform said no"],
  ["throws a string", "get", status.INTERNAL, "failed to get faulty task with error: a plain string"],
  ["hangs", "get", status.DEADLINE_EXCEEDED, /^get faulty task: no answer within \d+ ms$/],
  ["hangs", "do", status.DEADLINE_EXCEEDED, /^do faulty_sync task: no answer within \d+ ms$/],
  ["no phase", "get", status.INTERNAL, `failed to get faulty task with error: ${noPhase("none")}`],
  ["the UNDEFINED phase", "get", status.INTERNAL, `failed to get faulty task with error: ${noPhase("UNDEFINED")}`],
  ["nothing", "get", status.INTERNAL, "failed to get faulty task with error: expected a Resource, got undefined"],
  ["no phase", "do", status.INTERNAL, `failed to do faulty_sync task with error: ${noPhase("none")}`],
  ["RUNNING", "do", status.INTERNAL, "failed to do faulty_sync task with error: do returned the phase RUNNING, which does not end the task"],
  [
    "an output of the wrong type",
    "do",
    status.INTERNAL,
    'failed to do faulty_sync task with error: cannot convert output "n" to integer: got string "seven"',
  ],
  [
    "an undeclared output",
    "do",
    status.INTERNAL,
    `failed to do faulty_sync task with error: output "extra" is not declared in the task's interface (declared: "n")`,
  ],
];

/** How long a hanging connector is given: the caller's deadline in-process, the function's timeout on Lambda. */
const HANG_BUDGET_MS = 1000;

interface FaultBackend {
  readonly name: string;
  /** The deadline of each gRPC call. */
  readonly callTimeoutMs: number;
  /** The front over the faulty connectors, and what the service logged so far. */
  start(): Promise<FrontUnderTest & { logged(): string }>;
}

const faultBackends: FaultBackend[] = [
  {
    name: "in-process",
    callTimeoutMs: HANG_BUDGET_MS,
    async start() {
      const logged: string[] = [];
      const service = new ConnectorService(faultyRegistry(), { logger: { error: (...args) => logged.push(inspect(args)) } });
      return { ...(await startFront(service.dispatch)), logged: () => logged.join("\n") };
    },
  },
  {
    name: `Lambda (the function handlers, with a ${HANG_BUDGET_MS} ms timeout)`,
    callTimeoutMs: 10_000,
    async start() {
      // The functions log one JSON line per error on stdout: kept, not printed.
      const logged: string[] = [];
      const write = vi.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => {
        logged.push(String(chunk));
        return true;
      });
      const { client } = mockedLambda(faultyRegistry(), { timeoutMs: HANG_BUDGET_MS });
      const front = await startFront(createLambdaDispatch({ client }));
      return {
        ...front,
        logged: () => logged.join(""),
        close: async () => {
          await front.close();
          write.mockRestore();
        },
      };
    },
  },
];

describe.each(faultBackends)("a faulty connector, $name backend", ({ callTimeoutMs, start }) => {
  let front: Awaited<ReturnType<FaultBackend["start"]>>;
  let client: RawClient;

  beforeAll(async () => {
    front = await start();
    client = new RawClient(front.address);
  });

  afterAll(async () => {
    client?.close();
    await front?.close();
  });

  test.each(connectorFaults)("%s at %s: status %i with the contract's message", async (fault, at, code, message) => {
    const error = await grpcError(provoke(client, fault, at, callTimeoutMs));
    expect(error.code).toBe(code);
    if (typeof message === "string") expect(error.details).toBe(message);
    else expect(error.details).toMatch(message);
  });

  test("the stack of what a connector threw goes to the log, never to the caller", async () => {
    const error = await grpcError(provoke(client, "throws", "get", callTimeoutMs));
    expect(error.details).not.toMatch(/\bat .*\.ts/);
    expect(front.logged()).toContain("the platform said no");
    expect(front.logged()).toMatch(/at FaultyConnector\.get/);
  });
});

test("a hang answers DEADLINE_EXCEEDED before the function's own deadline (the real handler, on a fake clock)", async () => {
  const write = vi.spyOn(process.stdout, "write").mockImplementation(() => true);
  vi.useFakeTimers();
  try {
    const registry = faultyRegistry();
    const invoke = async (operation: Operation, request: object, timeoutMs: number) => {
      const handler = createLambdaHandler(operation.name, registry);
      const body = Buffer.from(operation.requestType.encode(request).finish()).toString("base64");
      return (await handler({ body }, lambdaContext(operation.name, timeoutMs))) as { body?: string; error?: unknown };
    };
    const created = await invoke(operations.createTask, new admin.CreateTaskRequest({ template: faultyTemplate("hangs", "get") }), 3000);
    const { resourceMeta } = admin.CreateTaskResponse.decode(Buffer.from(created.body!, "base64"));

    const functionTimeoutMs = 3000;
    const functionDeadline = Date.now() + functionTimeoutMs;
    let answeredAt: number | undefined;
    const answer = invoke(operations.getTask, new admin.GetTaskRequest({ taskType: "faulty", resourceMeta }), functionTimeoutMs).then(
      (result) => {
        answeredAt = Date.now();
        return result;
      },
    );
    // Lambda would stop the function at its deadline: the answer must be in by then.
    await vi.advanceTimersByTimeAsync(functionTimeoutMs - 1);
    expect(answeredAt).toBeDefined();
    expect(answeredAt!).toBeLessThan(functionDeadline);
    // The service keeps its default 200 ms margin for the answer to reach the caller.
    expect(await answer).toEqual({
      error: { code: status.DEADLINE_EXCEEDED, status: "DEADLINE_EXCEEDED", message: `get faulty task: no answer within ${functionTimeoutMs - 200} ms` },
    });
  } finally {
    vi.useRealTimers();
    write.mockRestore();
  }
});

// --- A Lambda backend that misbehaves -----------------------------------------------------------

/** Safe to repeat (docs/CONTRACT.md §5 and FlytePropeller's use of them); written out, not read from lib. */
const IDEMPOTENT: readonly OperationName[] = ["getTask", "deleteTask", "getTaskMetrics", "getTaskLogs", "getAgent", "listAgents"];
/** What the Lambda dispatch does by default: three attempts in all. */
const ATTEMPTS = 3;
const expectedAttempts = (name: OperationName) => (IDEMPOTENT.includes(name) ? ATTEMPTS : 1);

/** A call of any operation with a request the front decodes; its answer is beside the point. */
function callOp(client: RawClient, name: OperationName, options: CallOptions = {}): Promise<unknown> {
  const operation = operations[name] as Operation;
  if (operation.requestStream) return client.bidi(operation, [new admin.ExecuteTaskSyncRequest({ header: {} })], options);
  const request = new operation.requestType({});
  return operation.responseStream ? client.serverStream(operation, request, options) : client.unary(operation, request, options);
}

const awsError = (name: string, message: string) =>
  Object.assign(new Error(message), { name, $fault: "client", $metadata: { httpStatusCode: 429 } });

describe("the Lambda backend failing, as a gRPC client of the front sees it (aws-sdk-client-mock)", () => {
  let answer: () => unknown;
  const lambda = new LambdaClient({ region: "us-east-1", credentials: TEST_CREDENTIALS });
  const mock = mockClient(lambda);
  const invocations = () => mock.commandCalls(InvokeCommand).length;
  let front: FrontUnderTest;
  let client: RawClient;

  beforeAll(async () => {
    mock.on(InvokeCommand).callsFake(async () => {
      const result = answer();
      if (result instanceof Error) throw result;
      return result;
    });
    front = await startFront(createLambdaDispatch({ client: lambda, retry: { baseDelayMs: 1, maxDelayMs: 2 } }));
    client = new RawClient(front.address);
  });

  afterAll(async () => {
    client?.close();
    await front?.close();
    mock.restore();
  });

  afterEach(() => mock.resetHistory());

  test.each(operationNames.map((name) => [name, expectedAttempts(name)] as const))(
    "throttling (TooManyRequestsException) of %s is UNAVAILABLE after %i invocation(s)",
    async (name, attempts) => {
      answer = () => awsError("TooManyRequestsException", "Rate exceeded");
      const error = await grpcError(callOp(client, name));
      expect({ code: error.code, details: error.details }).toEqual({
        code: status.UNAVAILABLE,
        details: `Cannot invoke Lambda function flyte-connectors-dev-${name}: Rate exceeded`,
      });
      expect(invocations()).toBe(attempts);
    },
  );

  test("throttling that passes is invisible to an idempotent call", async () => {
    const listed = admin.ListAgentsResponse.encode({ agents: [{ name: "after the storm" }] }).finish();
    answer = () =>
      invocations() < 3
        ? awsError("TooManyRequestsException", "Rate exceeded")
        : invokeOutput(JSON.stringify({ body: Buffer.from(listed).toString("base64") }));
    const response = await client.unary(operations.listAgents, new admin.ListAgentsRequest());
    expect(response.agents?.map((agent) => agent.name)).toEqual(["after the storm"]);
    expect(invocations()).toBe(3);
  });

  test.each([
    [
      "a crash (FunctionError)",
      { errorType: "TypeError", errorMessage: "x is undefined", trace: ["at handler (/var/task/index.mjs:1:1)"] },
      status.INTERNAL,
      "Lambda function flyte-connectors-dev-getTask failed: TypeError: x is undefined",
    ],
    [
      "the function stopped at its timeout (a crash, docs/CONTRACT.md §2)",
      { errorType: "Sandbox.Timedout", errorMessage: "RequestId: 1 Error: Task timed out after 3.00 seconds" },
      status.INTERNAL,
      "Lambda function flyte-connectors-dev-getTask failed: Sandbox.Timedout: RequestId: 1 Error: Task timed out after 3.00 seconds",
    ],
  ])("%s is answered once, not retried", async (_case, report, code, details) => {
    answer = () => invokeOutput(JSON.stringify(report), "Unhandled");
    const error = await grpcError(callOp(client, "getTask"));
    expect({ code: error.code, details: error.details }).toEqual({ code, details });
    expect(invocations()).toBe(1);
  });
});

describe("the Lambda backend out of reach, over real sockets", () => {
  /** A local server whose every connection `onConnection` handles; counts connections. */
  async function endpoint(onConnection: (socket: Socket) => void) {
    const sockets = new Set<Socket>();
    const server: Server = createServer((socket) => {
      sockets.add(socket);
      socket.on("close", () => sockets.delete(socket));
      onConnection(socket);
    });
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    let connections = 0;
    server.on("connection", () => connections++);
    return {
      url: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
      connections: () => connections,
      close: async () => {
        for (const socket of sockets) socket.destroy();
        server.close();
        await once(server, "close");
      },
    };
  }

  async function withFront<T>(url: string, use: (client: RawClient) => Promise<T>): Promise<T> {
    const front = await startLambdaFront(url);
    const client = new RawClient(front.address);
    try {
      return await use(client);
    } finally {
      client.close();
      await front.close();
    }
  }

  test.each(["listAgents", "createTask"] as const)("a port nothing listens on is UNAVAILABLE for %s", async (name) => {
    const port = await freePort();
    const error = await withFront(`http://127.0.0.1:${port}`, (client) => grpcError(callOp(client, name)));
    expect({ code: error.code, details: error.details }).toEqual({
      code: status.UNAVAILABLE,
      details: `Cannot invoke Lambda function flyte-connectors-dev-${name}: connect ECONNREFUSED 127.0.0.1:${port}`,
    });
  });

  test.each(["getTask", "deleteTask", "createTask", "executeTaskSync"] as const)(
    "an endpoint that drops every connection is UNAVAILABLE for %s, tried only as often as is safe",
    async (name) => {
      const dropping = await endpoint((socket) => socket.destroy());
      try {
        const error = await withFront(dropping.url, (client) => grpcError(callOp(client, name)));
        expect(error.code).toBe(status.UNAVAILABLE);
        expect(error.details).toMatch(new RegExp(`^Cannot invoke Lambda function flyte-connectors-dev-${name}: `));
        expect(dropping.connections()).toBe(expectedAttempts(name));
      } finally {
        await dropping.close();
      }
    },
  );

  test("an endpoint that never answers is DEADLINE_EXCEEDED at the caller's deadline, and not tried again", async () => {
    const silent = await endpoint(() => undefined);
    try {
      const error = await withFront(silent.url, (client) => grpcError(callOp(client, "getTask", { deadline: Date.now() + 1000 })));
      expect(error.code).toBe(status.DEADLINE_EXCEEDED);
      expect(silent.connections()).toBe(1);
    } finally {
      await silent.close();
    }
  });
});
