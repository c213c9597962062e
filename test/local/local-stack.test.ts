import { createServer } from "node:net";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createGrpcDispatch } from "../../lib/client/grpc-transport.js";
import { ConnectorError, Status } from "../../lib/connector/errors.js";
import { flyteidl } from "../../lib/idl/index.js";
import { startLocalStack, type LocalStack, type LocalStackLogger } from "../../lib/local/local-stack.js";
import type { Dispatch } from "../../lib/service/operations.js";
import { testRegistry } from "../transport/grpc/connectors.js";

const { admin } = flyteidl;

function recordingLogger(): LocalStackLogger & { lines: string[]; errors: unknown[][] } {
  const lines: string[] = [];
  const errors: unknown[][] = [];
  return { lines, errors, info: (message) => lines.push(message), error: (...args) => errors.push(args) };
}

/** A TCP port that nothing listens on at the moment. */
function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer().listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

/** Whether the port can be bound now, i.e. nothing kept it. */
function bindable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(false));
    server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
  });
}

describe("in-process backend over a registry", () => {
  let stack: LocalStack;
  const logger = recordingLogger();

  beforeAll(async () => {
    stack = await startLocalStack({ registry: testRegistry(), grpcPort: 0, httpPort: 0, logger });
  });

  afterAll(async () => {
    await stack.close();
  });

  test("prints the connectors served, then where it listens", () => {
    expect(logger.lines[0]).toMatch(/Mirror Connector\s+mirror_v0\s+sync/);
    expect(logger.lines[0]).toMatch(/Countdown Connector\s+countdown_v0\s+async/);
    expect(logger.lines[1]).toBe(`gRPC front on ${stack.grpcAddress} (plaintext)`);
    expect(logger.lines[2]).toBe(`HTTP routes on ${stack.httpUrl}`);
    expect(stack.grpcAddress).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(stack.agents.map((agent) => agent.name)).toEqual(["Mirror Connector", "Countdown Connector", "Hanging Connector"]);
  });

  test("the gRPC front serves the registry", async () => {
    const dispatch = createGrpcDispatch({ address: stack.grpcAddress });
    try {
      const [response] = (await dispatch("listAgents", [{}])) as flyteidl.admin.ListAgentsResponse[];
      expect(response?.agents.map((agent) => agent.name)).toContain("Countdown Connector");
    } finally {
      dispatch.close();
    }
  });

  test("GET /api/v1/agents answers ListAgents as JSON", async () => {
    const response = await fetch(`${stack.httpUrl}/api/v1/agents`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^application\/json/);
    const body = (await response.json()) as { agents: { name: string; isSync?: boolean }[] };
    expect(body.agents.map((agent) => [agent.name, agent.isSync ?? false])).toEqual([
      ["Mirror Connector", true],
      ["Countdown Connector", false],
      ["Hanging Connector", false],
    ]);
  });

  test("POST /api/v1/agent/task/stream runs a sync task: header and inputs in, one header out", async () => {
    const response = await fetch(`${stack.httpUrl}/api/v1/agent/task/stream`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify([
        { header: { template: { type: "mirror", id: { name: "mirror-task" } } } },
        { inputs: { literals: { greeting: { scalar: { primitive: { stringValue: "hello" } } } } } },
      ]),
    });
    expect(response.status).toBe(200);
    const answers = (await response.json()) as { header: { resource: { phase: string; outputs: unknown } } }[];
    expect(answers).toHaveLength(1);
    expect(answers[0]?.header.resource.phase).toBe("SUCCEEDED");
    expect(answers[0]?.header.resource.outputs).toEqual({ literals: { greeting: { scalar: { primitive: { stringValue: "hello" } } } } });
  });

  test("an unknown route is 404 with the contract's error body", async () => {
    const response = await fetch(`${stack.httpUrl}/api/v1/nothing`);
    expect(response.status).toBe(404);
    expect(((await response.json()) as { code: number }).code).toBe(Status.NOT_FOUND);
  });
});

test("a given dispatch backs both the gRPC front and the HTTP routes", async () => {
  const names: string[] = [];
  const dispatch: Dispatch = async (name) => {
    names.push(name);
    return [new admin.ListAgentsResponse({ agents: [{ name: "Remote Connector", supportedTaskCategories: [{ name: "remote" }] }] })];
  };
  const stack = await startLocalStack({ dispatch, grpcPort: 0, httpPort: 0, logger: recordingLogger() });
  const client = createGrpcDispatch({ address: stack.grpcAddress });
  try {
    const [viaGrpc] = (await client("listAgents", [{}])) as flyteidl.admin.ListAgentsResponse[];
    expect(viaGrpc?.agents[0]?.name).toBe("Remote Connector");
    const viaHttp = (await (await fetch(`${stack.httpUrl}/api/v1/agents`)).json()) as { agents: { name: string }[] };
    expect(viaHttp.agents[0]?.name).toBe("Remote Connector");
    // One at start (the table), one per front.
    expect(names).toEqual(["listAgents", "listAgents", "listAgents"]);
  } finally {
    client.close();
    await stack.close();
  }
});

test("httpPort false serves gRPC only", async () => {
  const stack = await startLocalStack({ registry: testRegistry(), grpcPort: 0, httpPort: false, logger: recordingLogger() });
  try {
    expect(stack.httpUrl).toBeUndefined();
  } finally {
    await stack.close();
  }
});

test("a backend that does not answer ListAgents fails the start, and nothing is left listening", async () => {
  const grpcPort = await freePort();
  const dispatch: Dispatch = async () => {
    throw new ConnectorError(Status.UNAVAILABLE, "No backend.");
  };
  await expect(startLocalStack({ dispatch, grpcPort, httpPort: 0, logger: recordingLogger() })).rejects.toThrow("No backend.");
  expect(await bindable(grpcPort)).toBe(true);
});

test("an HTTP port in use fails the start and releases the gRPC port", async () => {
  const grpcPort = await freePort();
  const taken = createServer().listen(0, "127.0.0.1");
  await new Promise((resolve) => taken.once("listening", resolve));
  try {
    const httpPort = (taken.address() as { port: number }).port;
    await expect(startLocalStack({ registry: testRegistry(), grpcPort, httpPort, logger: recordingLogger() })).rejects.toThrow(`HTTP port ${httpPort} on 127.0.0.1 is already in use.`);
    expect(await bindable(grpcPort)).toBe(true);
  } finally {
    taken.close();
  }
});

test("close() stops both servers", async () => {
  const stack = await startLocalStack({ registry: testRegistry(), grpcPort: 0, httpPort: 0, logger: recordingLogger() });
  await stack.close();
  await expect(fetch(`${stack.httpUrl}/api/v1/agents`)).rejects.toThrow();
  const client = createGrpcDispatch({ address: stack.grpcAddress });
  try {
    await expect(client("listAgents", [{}])).rejects.toMatchObject({ code: Status.UNAVAILABLE });
  } finally {
    client.close();
  }
});
