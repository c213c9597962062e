/** What a new user trips over first: how task types are written, defaults that must be right, and errors that say what to do. */
import { once } from "node:events";
import { readFileSync } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, test, vi } from "vitest";
import { withGrpcPort } from "../../lib/cli/transport-flags.js";
import { ConnectorRegistry } from "../../lib/connector/registry.js";
import { EchoConnector } from "../../lib/connectors/echo.js";
import { startLambdaEndpoint, type LambdaEndpoint } from "../client/support/lambda-endpoint.js";
import { REPO_ROOT } from "../support/build.js";
import { cli } from "./support/fake-io.js";

describe("run --type takes a task category as list and errors print it", () => {
  test("name_vN is the type and its version", async () => {
    const { code, out, err } = await cli(["run", "--type", "echo_v0", "-i", "x=1"]);
    expect(code).toBe(0);
    expect(JSON.parse(out)).toEqual({ x: 1 });
    expect(err).toMatch(/^echo_v0: SUCCEEDED/m);
  });

  test("the version of name_vN is the one looked up", async () => {
    const { code, err } = await cli(["run", "--type", "echo_v3"]);
    expect(code).toBe(1);
    expect(err).toContain("NOT_FOUND: Cannot find connector for task category: echo_v3.");
  });

  test("with --version, --type is taken as is (a type whose own name ends in _vN)", async () => {
    const { code, err } = await cli(["run", "--type", "echo_v0", "--version", "0"]);
    expect(code).toBe(1);
    expect(err).toContain("Cannot find connector for task category: echo_v0_v0.");
  });

  test("NOT_FOUND names the task categories that are served", async () => {
    const { code, err } = await cli(["run", "--type", "ecko"]);
    expect(code).toBe(1);
    expect(err).toMatch(/Cannot find connector for task category: ecko_v0\. Task categories served: echo_v0, sleep_v0, [^\n]*\.\n$/);
  });
});

describe("in a project init made, NOT_FOUND from the built-in connectors points at --registry", () => {
  const HINT = "This project's connectors load with --registry ./src/registry.ts.";
  let project: string;
  beforeAll(async () => {
    project = await mkdtemp(join(tmpdir(), "flyte-connector-hint-"));
    await mkdir(join(project, "src"));
    await writeFile(join(project, "src/registry.ts"), "export {};\n");
  });
  afterAll(() => rm(project, { recursive: true, force: true }));

  test("run --type without --registry", async () => {
    const { code, err } = await cli(["run", "--type", "job"], undefined, project);
    expect(code).toBe(1);
    expect(err).toMatch(/Cannot find connector for task category: job_v0\. Task categories served: echo_v0, [^\n]*\. This project's connectors load with --registry \.\/src\/registry\.ts\.\n$/);
  });

  test("call without --registry", async () => {
    const { code, err } = await cli(["call", "createTask", "--body", '{"template": {"type": "job"}}'], undefined, project);
    expect(code).toBe(1);
    expect(err).toMatch(/^flyte-connector call: NOT_FOUND: Cannot find connector for task category: job_v0\. .*\. This project's/);
  });

  test("none with --registry, or outside such a project", async () => {
    const registry = join(REPO_ROOT, "test/cli/fixtures/registries.ts");
    expect((await cli(["run", "--type", "job", "--registry", registry], undefined, project)).err).not.toContain(HINT);
    const outside = await cli(["run", "--type", "job"]);
    expect(outside.err).toContain("Cannot find connector for task category: job_v0.");
    expect(outside.err).not.toContain(HINT);
  });
});

describe("--address without a port dials serve's port, not grpc-js's 443", () => {
  test.each([
    ["localhost", "localhost:8000"],
    ["127.0.0.1", "127.0.0.1:8000"],
    ["[::1]", "[::1]:8000"],
    ["connectors.internal", "connectors.internal:8000"],
    ["localhost:9000", "localhost:9000"],
    ["[::1]:9000", "[::1]:9000"],
    ["unix:/tmp/front.sock", "unix:/tmp/front.sock"],
    ["dns:///front:9000", "dns:///front:9000"],
  ])("%s -> %s", (given, dialled) => {
    expect(withGrpcPort(given)).toBe(dialled);
  });
});

test.each([["--version"], ["-V"]])("%s prints the package's version", async (flag) => {
  const { version } = JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8")) as { version: string };
  expect(await cli([flag])).toEqual({ code: 0, out: `${version}\n`, err: "" });
});

describe("a port that is taken: one line naming the flag that moves it", () => {
  let holder: Server;
  let port: number;
  beforeAll(async () => {
    holder = createServer().listen(0, "127.0.0.1");
    await once(holder, "listening");
    port = (holder.address() as { port: number }).port;
  });
  afterAll(() => new Promise<void>((resolve) => holder.close(() => resolve())));
  afterEach(() => vi.restoreAllMocks());

  test.each([
    ["grpc-port", "gRPC", ["--http-port", "0"]],
    ["http-port", "HTTP", ["--grpc-port", "0"]],
    ["metrics-port", "Metrics", ["--grpc-port", "0", "--http-port", "0"]],
  ])("--%s", async (flag, server, others) => {
    const consoleError = vi.spyOn(console, "error");
    const { code, err } = await cli(["serve", `--${flag}`, String(port), ...others]);
    expect(code).toBe(1);
    expect(err).toBe(
      `flyte-connector serve: ${server} port ${port} on 127.0.0.1 is already in use. Give another with --${flag} (0 picks a free one), or stop what holds it.\n`,
    );
    // grpc-js's own log line of the failed bind is not printed beside it.
    expect(consoleError).not.toHaveBeenCalled();
  });
});

describe("the Lambda transport on a loopback endpoint needs no AWS settings", () => {
  let lambda: LambdaEndpoint;
  beforeAll(async () => {
    lambda = await startLambdaEndpoint(new ConnectorRegistry().register(new EchoConnector()));
  });
  afterAll(() => lambda.close());
  afterEach(() => vi.unstubAllEnvs());

  /** An environment with no region and no credentials anywhere the SDK looks. */
  function noAwsSettings() {
    for (const name of ["AWS_REGION", "AWS_DEFAULT_REGION", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"]) {
      vi.stubEnv(name, undefined);
    }
    vi.stubEnv("AWS_CONFIG_FILE", join(REPO_ROOT, "no-such-aws-config"));
    vi.stubEnv("AWS_SHARED_CREDENTIALS_FILE", join(REPO_ROOT, "no-such-aws-credentials"));
    vi.stubEnv("AWS_EC2_METADATA_DISABLED", "true");
  }

  test("a region and dummy credentials are supplied", async () => {
    noAwsSettings();
    const { code, out, err } = await cli(["run", "--type", "echo", "-i", "x=2", "-t", "lambda", "--endpoint", lambda.endpoint]);
    expect(code).toBe(0);
    expect(err).toMatch(/^echo_v0: starting\necho_v0: SUCCEEDED \(\d+\.\ds\)\n$/);
    expect(JSON.parse(out)).toEqual({ x: 2 });
  });

  test("in a project, the functions are those its serverless.yml names (<service>-dev-, as serve --backend offline runs them)", async () => {
    noAwsSettings();
    const project = await mkdtemp(join(tmpdir(), "flyte-connector-prefix-"));
    const theirs = await startLambdaEndpoint(new ConnectorRegistry().register(new EchoConnector()), "my-connectors-dev-");
    try {
      await writeFile(join(project, "serverless.yml"), "service: my-connectors\nprovider:\n  name: aws\n");
      const { code, out, err } = await cli(["run", "--type", "echo", "-i", "x=3", "-t", "lambda", "--endpoint", theirs.endpoint], undefined, project);
      expect(err).toMatch(/^echo_v0: starting\necho_v0: SUCCEEDED/);
      expect(code).toBe(0);
      expect(JSON.parse(out)).toEqual({ x: 3 });
    } finally {
      await theirs.close();
      await rm(project, { recursive: true, force: true });
    }
  });

  test("another endpoint gets none: the SDK's own error says what is missing", async () => {
    noAwsSettings();
    // TEST-NET-1 (RFC 5737): the SDK fails for want of a region before it would connect.
    const { code, err } = await cli(["list", "-t", "lambda", "--endpoint", "http://192.0.2.1:3002"]);
    expect(code).toBe(1);
    expect(err).toMatch(/region/i);
  });
});
