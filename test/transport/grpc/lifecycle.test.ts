import { status } from "@grpc/grpc-js";
import { expect, test } from "vitest";
import { flyteidl } from "../../../lib/idl/index.js";
import { operations, type Dispatch } from "../../../lib/service/operations.js";
import { startGrpcServer } from "../../../lib/transport/grpc/index.js";
import { grpcError, RawClient } from "./raw-client.js";

const { admin } = flyteidl;

test("close() lets a running call finish, then refuses new ones", async () => {
  const dispatch: Dispatch = async () => {
    await new Promise((resolve) => setTimeout(resolve, 200));
    return [new admin.ListAgentsResponse({ agents: [{ name: "late" }] })];
  };
  const server = await startGrpcServer({ dispatch, host: "127.0.0.1", port: 0 });
  const client = new RawClient(server.address);
  try {
    const running = client.unary(operations.listAgents, new admin.ListAgentsRequest());
    await new Promise((resolve) => setTimeout(resolve, 50));
    await server.close();
    expect((await running).agents?.[0]?.name).toBe("late");

    const error = await grpcError(client.unary(operations.listAgents, new admin.ListAgentsRequest()));
    expect(error.code).toBe(status.UNAVAILABLE);
  } finally {
    client.close();
  }
});

test("close() cuts calls still running after the shutdown timeout", async () => {
  const dispatch: Dispatch = () => new Promise(() => undefined);
  const server = await startGrpcServer({ dispatch, host: "127.0.0.1", port: 0, shutdownTimeoutMs: 100 });
  const client = new RawClient(server.address);
  try {
    const running = grpcError(client.unary(operations.listAgents, new admin.ListAgentsRequest()));
    await new Promise((resolve) => setTimeout(resolve, 50));
    // The dispatch never answers: close() returning at all means it cut the call.
    await server.close();
    expect([status.CANCELLED, status.UNAVAILABLE, status.INTERNAL]).toContain((await running).code);
  } finally {
    client.close();
  }
});

test("a port already in use fails the start", async () => {
  const dispatch: Dispatch = async () => [];
  const first = await startGrpcServer({ dispatch, host: "127.0.0.1", port: 0 });
  try {
    await expect(startGrpcServer({ dispatch, host: "127.0.0.1", port: first.port })).rejects.toThrow(/EADDRINUSE|address/i);
  } finally {
    await first.close();
  }
});
