/** The serverless offline helper other suites rely on: port checks, readiness and a clean stop. */
import { once } from "node:events";
import { createConnection, createServer } from "node:net";
import { afterEach, describe, expect, it, vi } from "vitest";
import { buildFunctions } from "../support/build.js";
import { freePort, startServerlessOffline } from "../support/serverless-offline.js";

const accepts = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = createConnection({ port, host: "127.0.0.1" })
      .once("connect", () => {
        socket.destroy();
        resolve(true);
      })
      .once("error", () => resolve(false));
  });

afterEach(() => {
  vi.unstubAllEnvs();
});

describe("startServerlessOffline", () => {
  it("refuses a port something else listens on, before starting anything", async () => {
    await buildFunctions();
    const squatter = createServer().listen(0, "127.0.0.1");
    await once(squatter, "listening");
    const { port } = squatter.address() as { port: number };
    try {
      await expect(startServerlessOffline({ httpPort: port, lambdaPort: await freePort() })).rejects.toThrow(
        `Port ${port} is already in use; serverless offline needs it.`,
      );
    } finally {
      squatter.close();
    }
  }, 120_000);

  it("refuses a port variable that is not a TCP port", async () => {
    vi.stubEnv("FLYTE_OFFLINE_HTTP_PORT", "http");
    await expect(startServerlessOffline()).rejects.toThrow("FLYTE_OFFLINE_HTTP_PORT is not a TCP port: http");
  });

  it("serves on the ports the environment names, and stop() closes them", async () => {
    await buildFunctions();
    const [httpPort, lambdaPort] = [await freePort(), await freePort()];
    vi.stubEnv("FLYTE_OFFLINE_HTTP_PORT", String(httpPort));
    vi.stubEnv("FLYTE_OFFLINE_LAMBDA_PORT", String(lambdaPort));
    const offline = await startServerlessOffline();
    try {
      expect(offline).toMatchObject({ httpUrl: `http://127.0.0.1:${httpPort}`, lambdaEndpoint: `http://127.0.0.1:${lambdaPort}` });
      expect(offline.functionName("listAgents")).toBe("flyte-connectors-dev-listAgents");
      expect(await accepts(httpPort)).toBe(true);
      expect(await accepts(lambdaPort)).toBe(true);
    } finally {
      await offline.stop();
    }
    expect(await accepts(httpPort)).toBe(false);
    expect(await accepts(lambdaPort)).toBe(false);
    await offline.stop();
  }, 120_000);
});
