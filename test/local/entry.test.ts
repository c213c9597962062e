/** `flyte-connector serve`, what `npm start` runs, as a process: flags, environment, the demo registry, signals. */
import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, expect, test } from "vitest";
import { createGrpcDispatch } from "../../lib/client/grpc-transport.js";
import type { flyteidl } from "../../lib/idl/index.js";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "../..");
const running: ChildProcess[] = [];

afterEach(() => {
  for (const child of running.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
});

function start(args: string[], env: Record<string, string> = {}) {
  const child = spawn(process.execPath, ["bin/flyte-connector.js", "serve", ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  running.push(child);
  let output = "";
  child.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = once(child, "exit") as Promise<[number | null, NodeJS.Signals | null]>;
  /** Resolves with the output once it matches, rejects if the process exits first. */
  const waitFor = async (pattern: RegExp, timeoutMs = 30_000): Promise<RegExpMatchArray> => {
    const giveUpAt = Date.now() + timeoutMs;
    for (;;) {
      const match = output.match(pattern);
      if (match) return match;
      if (child.exitCode !== null) throw new Error(`exited ${child.exitCode}:\n${output}`);
      if (Date.now() > giveUpAt) throw new Error(`no ${pattern} in:\n${output}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };
  return { child, exited, waitFor, output: () => output };
}

test("serves the demo registry on the ports given, and shuts down cleanly on SIGTERM", async () => {
  const stack = start(["--grpc-port", "0"], { FLYTE_HTTP_PORT: "0" });
  const [, grpcAddress] = await stack.waitFor(/gRPC front on (\S+) \(plaintext\)/);
  const [, httpUrl] = await stack.waitFor(/HTTP routes on (\S+)/);
  expect(stack.output()).toMatch(/Echo Connector\s+echo_v0\s+sync/);
  expect(stack.output()).toMatch(/Sleep Connector\s+sleep_v0\s+async/);

  const dispatch = createGrpcDispatch({ address: grpcAddress!, deadlineMs: 5000 });
  try {
    const [agents] = (await dispatch("listAgents", [{}])) as flyteidl.admin.ListAgentsResponse[];
    expect(agents?.agents.map((agent) => agent.name)).toContain("Sleep Connector");
  } finally {
    dispatch.close();
  }
  expect((await fetch(`${httpUrl}/api/v1/agents`)).status).toBe(200);

  stack.child.kill("SIGTERM");
  const [code] = await stack.exited;
  expect(code).toBe(0);
  expect(stack.output()).toContain("SIGTERM: shutting down");
});

test.each([
  [["--grpc-port", "eighty"], "--grpc-port must be a whole number from 0 to 65535, got 'eighty'."],
  [["--tls-cert", "cert.pem"], "TLS needs both --tls-cert and --tls-key."],
  [["--tls-cert", "missing.pem", "--tls-key", "missing.pem"], "--tls-cert: cannot read missing.pem: ENOENT."],
  [["--backend", "lambda", "--connector", "x.ts"], "--connector applies to --backend in-process, not lambda."],
  [["--backend", "docker"], "--backend must be one of in-process, lambda, offline, got 'docker'."],
  [["--colour"], "Unknown option '--colour'"],
])("%j exits 2 with the reason", async (args, reason) => {
  const stack = start(args);
  const [code] = await stack.exited;
  expect(code).toBe(2);
  expect(stack.output()).toContain(reason);
});
