import { status } from "@grpc/grpc-js";
import { afterAll, beforeAll, expect, test } from "vitest";
import { grpc } from "../../../lib/idl/index.js";
import { ConnectorService } from "../../../lib/service/service.js";
import { startGrpcServer, type GrpcServer } from "../../../lib/transport/grpc/index.js";
import { testRegistry } from "./connectors.js";
import { grpcError, RawClient } from "./raw-client.js";

const { HealthCheckRequest, HealthCheckResponse } = grpc.health.v1;
const { SERVING, NOT_SERVING, SERVICE_UNKNOWN } = HealthCheckResponse.ServingStatus;
const check = { path: "/grpc.health.v1.Health/Check", requestType: HealthCheckRequest, responseType: HealthCheckResponse };
const watchPath = "/grpc.health.v1.Health/Watch";

let server: GrpcServer;
let client: RawClient;

beforeAll(async () => {
  server = await startGrpcServer({ dispatch: new ConnectorService(testRegistry()).dispatch, host: "127.0.0.1", port: 0 });
  client = new RawClient(server.address);
});

afterAll(async () => {
  client.close();
  await server.close();
});

test.each([
  "",
  "flyteidl.service.AsyncAgentService",
  "flyteidl.service.SyncAgentService",
  "flyteidl.service.AgentMetadataService",
])("Check(%j) is SERVING", async (service) => {
  const response = await client.unary(check, new HealthCheckRequest({ service }));
  expect(response.status).toBe(SERVING);
});

test("Check of an unknown service is NOT_FOUND", async () => {
  const error = await grpcError(client.unary(check, new HealthCheckRequest({ service: "flyteidl.service.Nope" })));
  expect(error.code).toBe(status.NOT_FOUND);
  expect(error.details).toBe("Unknown service: flyteidl.service.Nope.");
});

test("Check with bytes that do not decode is INVALID_ARGUMENT", async () => {
  // `service` announces 7 bytes, 1 follows: protobufjs's Buffer reader would accept "a".
  const error = await grpcError(client.unaryBytes(check.path, Uint8Array.of(0x0a, 0x07, 0x61), HealthCheckResponse));
  expect(error.code).toBe(status.INVALID_ARGUMENT);
  expect(error.details).toMatch(/^Cannot decode grpc\.health\.v1\.HealthCheckRequest: /);
});

/** Opens a Watch and hands back every status received so far, and a promise of the stream's end. */
function watch(on: RawClient, service: string) {
  const statuses: number[] = [];
  const call = on.client.makeServerStreamRequest(
    watchPath,
    (request: grpc.health.v1.IHealthCheckRequest) => Buffer.from(HealthCheckRequest.encode(request).finish()),
    (bytes: Buffer) => HealthCheckResponse.decode(bytes),
    { service },
  );
  call.on("data", (response: grpc.health.v1.HealthCheckResponse) => statuses.push(response.status));
  const ended = new Promise<void>((resolve, reject) => {
    call.on("end", resolve);
    call.on("error", reject);
  });
  const cancel = () => {
    ended.catch(() => undefined); // a cancelled call ends in CANCELLED, which is the point
    call.cancel();
  };
  return { statuses, ended, cancel };
}

async function until(condition: () => boolean): Promise<void> {
  const giveUpAt = Date.now() + 2000;
  while (!condition()) {
    if (Date.now() > giveUpAt) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

test("Watch sends the status, then each change; an unknown service is SERVICE_UNKNOWN, not an error", async () => {
  const watched = watch(client, "flyteidl.service.SyncAgentService");
  const unknown = watch(client, "flyteidl.service.Nope");
  await until(() => watched.statuses.length === 1 && unknown.statuses.length === 1);
  expect(watched.statuses).toEqual([SERVING]);
  expect(unknown.statuses).toEqual([SERVICE_UNKNOWN]);

  server.health.setStatus("flyteidl.service.SyncAgentService", NOT_SERVING);
  server.health.setStatus("flyteidl.service.SyncAgentService", NOT_SERVING); // no change, no message
  server.health.setStatus("flyteidl.service.SyncAgentService", SERVING);
  await until(() => watched.statuses.length === 3);
  expect(watched.statuses).toEqual([SERVING, NOT_SERVING, SERVING]);
  expect(unknown.statuses).toEqual([SERVICE_UNKNOWN]);
  watched.cancel();
  unknown.cancel();
});

test("shutting down tells the watchers NOT_SERVING and ends their streams", async () => {
  const own = await startGrpcServer({ dispatch: new ConnectorService(testRegistry()).dispatch, host: "127.0.0.1", port: 0 });
  const ownClient = new RawClient(own.address);
  try {
    const watched = watch(ownClient, "");
    await until(() => watched.statuses.length === 1);
    // Ended streams let the server drain: waiting out its 10 s shutdown timeout would outlast this test's own.
    await own.close();
    await watched.ended;
    expect(watched.statuses).toEqual([SERVING, NOT_SERVING]);
  } finally {
    ownClient.close();
  }
});
