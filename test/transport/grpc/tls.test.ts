import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { credentials, status } from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { flyteidl } from "../../../lib/idl/index.js";
import { operations } from "../../../lib/service/operations.js";
import { ConnectorService } from "../../../lib/service/service.js";
import { readPem, startGrpcServer, type GrpcServer } from "../../../lib/transport/grpc/index.js";
import { testRegistry } from "./connectors.js";
import { grpcError, RawClient } from "./raw-client.js";
import { hasOpenssl, selfSignedCertificate } from "../../support/openssl.js";

const { admin } = flyteidl;

const dir = mkdtempSync(join(tmpdir(), "grpc-tls-"));
const certPath = join(dir, "cert.pem");
const keyPath = join(dir, "key.pem");

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("readPem", () => {
  test("takes PEM text, bytes, or the path of a PEM file", () => {
    const pem = "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n";
    const path = join(dir, "given.pem");
    writeFileSync(path, pem);
    expect(readPem(pem).toString()).toBe(pem);
    expect(readPem(new TextEncoder().encode(pem)).toString()).toBe(pem);
    expect(readPem(path).toString()).toBe(pem);
  });

  test("a path that does not exist fails with the path in the message", () => {
    expect(() => readPem(join(dir, "missing.pem"))).toThrow(/missing\.pem/);
  });
});

// The TLS server needs a certificate; openssl makes a throwaway self-signed one.
describe.skipIf(!hasOpenssl())("TLS (self-signed certificate made with openssl)", () => {
  let server: GrpcServer;

  beforeAll(async () => {
    selfSignedCertificate(keyPath, certPath);
    server = await startGrpcServer({
      dispatch: new ConnectorService(testRegistry()).dispatch,
      host: "127.0.0.1",
      port: 0,
      tls: { cert: certPath, key: readFileSync(keyPath, "utf8") },
    });
  });

  afterAll(async () => {
    await server?.close();
  });

  test("a client trusting the certificate is served", async () => {
    const client = new RawClient(`localhost:${server.port}`, credentials.createSsl(readFileSync(certPath)));
    try {
      const response = await client.unary(operations.listAgents, new admin.ListAgentsRequest());
      expect(response.agents?.map((agent) => agent.name)).toContain("Mirror Connector");
    } finally {
      client.close();
    }
  });

  test("a plaintext client is refused", async () => {
    const client = new RawClient(`localhost:${server.port}`);
    try {
      const error = await grpcError(client.unary(operations.listAgents, new admin.ListAgentsRequest(), { deadline: Date.now() + 2000 }));
      expect(error.code).toBe(status.UNAVAILABLE);
    } finally {
      client.close();
    }
  });
});
