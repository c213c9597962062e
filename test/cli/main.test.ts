/** The CLI run in-process through main(), with its streams and signals in the test's hands. */
import { once } from "node:events";
import { writeFile } from "node:fs/promises";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test, vi } from "vitest";
import { commands, main } from "../../lib/cli/main.js";
import { ConnectorRegistry } from "../../lib/connector/registry.js";
import type { LocalStack } from "../../lib/local/local-stack.js";
import { CountdownConnector, deletedTasks, ShoutConnector } from "../client/fixtures/test-connectors.js";
import { startLambdaEndpoint, type LambdaEndpoint } from "../client/support/lambda-endpoint.js";
import { startTestStack } from "../client/support/local-stack.js";
import { cli, fakeIo } from "./support/fake-io.js";
import { hasOpenssl, selfSignedCertificate } from "../support/openssl.js";
import { scratchDir } from "../support/scratch-dir.js";

const FIXTURE = "test/client/fixtures/test-connectors.ts";

describe("help", () => {
  test("no command: the program's help on stderr, exit 2", async () => {
    const { code, err } = await cli([]);
    expect(code).toBe(2);
    expect(err).toMatch(/^Usage: flyte-connector <command> \[options\]/);
    for (const command of commands) expect(err).toContain(`  ${command.name} `);
  });

  test.each([["--help"], ["-h"], ["help"]])("%s: the program's help on stdout, exit 0", async (flag) => {
    const { code, out } = await cli([flag]);
    expect(code).toBe(0);
    expect(out).toContain("Commands:\n  serve");
  });

  test.each(commands.map((command) => [command.name]))("%s --help shows its usage and every option", async (name) => {
    const command = await commands.find((candidate) => candidate.name === name)!.load();
    for (const args of [[name, "--help"], [name, "-h"], ["help", name]]) {
      const { code, out, err } = await cli(args);
      expect(code).toBe(0);
      expect(err).toBe("");
      expect(out.startsWith(`Usage: flyte-connector ${name} `)).toBe(true);
      for (const option of Object.keys(command.options)) expect(out).toContain(`--${option}`);
      expect(out).toContain("-h, --help");
    }
  });

  test("--help wins over other flags and arguments", async () => {
    const { code, out } = await cli(["run", "a.json", "b.json", "--help"]);
    expect(code).toBe(0);
    expect(out).toContain("Usage: flyte-connector run [options] [template.json]");
  });
});

describe("command lines that cannot be used exit 2 with a clear message", () => {
  test.each([
    [["deploy"], "flyte-connector: unknown command 'deploy'. Commands: serve, list, run, call, init, build, package."],
    [["run", "--type", "x", "--nope"], "flyte-connector run: Unknown option '--nope'."],
    [
      ["package", "--registry", "r.ts", "--stage", "prod"],
      "flyte-connector package: Unknown option '--stage'. serverless's own options go after --: flyte-connector package --registry <module> -- --stage prod (through npm: npm run package -- -- --stage prod).",
    ],
    [["run", "--type"], "flyte-connector run: Option '--type <value>' argument missing"],
    [["run"], "flyte-connector run: Give a template file or --type."],
    [["run", "a.json", "b.json"], "flyte-connector run: Unexpected argument: 'b.json'."],
    [["run", "--type", "x", "--input", "novalue"], "flyte-connector run: --input takes name=value, got 'novalue'."],
    [["run", "--type", "x", "-i", "a=1", "-i", "a=2"], "flyte-connector run: --input a is given more than once."],
    [["run", "--type", "x", "--version", "1.5"], "flyte-connector run: --version must be a whole number from 0 to 2147483647, got '1.5'."],
    [["run", "--type", "x", "--custom", "[1]"], "flyte-connector run: --custom must be a JSON object, got '[1]'."],
    [["run", "--type", "x", "--custom", '{"a":1e400}'], 'flyte-connector run: Bad --custom: cannot convert --custom["a"] to JSON: got number Infinity'],
    [["run", "--type", "x", "--custom", '{"a":9007199254740993}'], 'flyte-connector run: Bad --custom: cannot convert --custom["a"] to JSON: got bigint 9007199254740993n'],
    [["run", "--type", "x", "--poll-interval", "0"], "flyte-connector run: --poll-interval must be a whole number from 10 to 3600000, got '0'."],
    [["run", "--type", "x", "--transport", "pigeon"], "flyte-connector run: --transport must be one of in-process, grpc, http, lambda, got 'pigeon'."],
    [["run", "--type", "x", "--address", "h:1"], "flyte-connector run: --address applies to --transport grpc, not in-process."],
    [["run", "--type", "x", "--protocol", "flyteidl3"], "flyte-connector run: --protocol must be one of flyteidl, flyteidl2, got 'flyteidl3'."],
    [["run", "--type", "x", "-t", "grpc", "--connector", "m.ts"], "flyte-connector run: --connector applies to --transport in-process, not grpc."],
    [["run", "--type", "x", "-t", "http", "--url", "not a url"], "flyte-connector run: --url must be an http:// or https:// URL, got 'not a url'."],
    [["list", "--timeout", "0"], "flyte-connector list: --timeout must be a whole number from 1 to 86400, got '0'."],
    [["list", "-t", "http", "--url", "localhost:3000"], "flyte-connector list: --url must be an http:// or https:// URL, got 'localhost:3000'."],
    [["list", "-t", "lambda", "--endpoint", "localhost:3002"], "flyte-connector list: --endpoint must be an http:// or https:// URL, got 'localhost:3002'."],
    [["serve", "-b", "lambda", "--endpoint", "localhost:3002"], "flyte-connector serve: --endpoint must be an http:// or https:// URL, got 'localhost:3002'."],
    [["list", "-t", "grpc", "--address", "http://localhost:8000"], "flyte-connector list: --address takes host[:port], not a URL: got 'http://localhost:8000'."],
    [["run", "--type", "x", "-t", "http", "--format", "xml"], "flyte-connector run: --format must be one of protobuf, json, got 'xml'."],
    [["run", "--type", "x", "-t", "http", "--region", "eu-west-1"], "flyte-connector run: --region applies to http only with --sign."],
    [["run", "--type", "x", "--connector", "./no/such/module.ts"], "flyte-connector run: Connector module './no/such/module.ts' not found"],
    [["run", "--type", "x", "--connector", "lib/cli/plain-json.ts"], "flyte-connector run: Connector module 'lib/cli/plain-json.ts' exports no connector"],
    [["run", "no-such-template.json"], "flyte-connector run: Cannot read template file 'no-such-template.json'"],
    [["serve", "--grpc-port", "70000"], "flyte-connector serve: --grpc-port must be a whole number from 0 to 65535, got '70000'."],
    [["list", "extra"], "flyte-connector list: Unexpected argument: 'extra'."],
    [["call"], "flyte-connector call: Name the operation to call: createTask, getTask"],
    [["call", "frob"], "flyte-connector call: Unknown operation 'frob': expected one of createTask"],
    [["call", "getAgent", "--body", "{"], "flyte-connector call: The request is not JSON"],
    [["call", "getAgent", "--body", '{"nme": "x"}'], 'flyte-connector call: The request is not a valid flyteidl.admin.GetAgentRequest: Invalid flyteidl.admin.GetAgentRequest: unknown field "nme".'],
    [["call", "executeTaskSync", "--body", "{}"], "flyte-connector call: executeTaskSync takes an array of request messages."],
    [["call", "listAgents", "--body", "{}", "--body-file", "x"], "flyte-connector call: Give --body or --body-file, not both."],
  ])("%j", async (args, message) => {
    const { code, out, err } = await cli(args);
    expect(code).toBe(2);
    expect(out).toBe("");
    expect(err.startsWith(message)).toBe(true);
    expect(err).toMatch(/Run 'flyte-connector( \w+)? --help' for usage\.\n$/);
  });

  test("--sign with no region anywhere says where to give one", async () => {
    const saved = [process.env.AWS_REGION, process.env.AWS_DEFAULT_REGION];
    delete process.env.AWS_REGION;
    delete process.env.AWS_DEFAULT_REGION;
    try {
      const { code, err } = await cli(["list", "-t", "http", "--sign"]);
      expect(code).toBe(2);
      expect(err).toContain("--sign needs a region: give --region or set AWS_REGION.");
    } finally {
      if (saved[0] !== undefined) process.env.AWS_REGION = saved[0];
      if (saved[1] !== undefined) process.env.AWS_DEFAULT_REGION = saved[1];
    }
  });
});

test.skipIf(!hasOpenssl())("serve: a TLS certificate or key that cannot be used names its flag, exit 2", async () => {
  const dir = await scratchDir("flyte-connector-tls-");
  const pair = (name: string) => {
    selfSignedCertificate(join(dir, `${name}.key`), join(dir, `${name}.crt`));
    return [join(dir, `${name}.crt`), join(dir, `${name}.key`)] as const;
  };
  const [cert, key] = pair("one");
  const [, otherKey] = pair("two");
  const serve = (tlsCert: string, tlsKey: string) => cli(["serve", "--grpc-port", "0", "--http-port", "0", "--tls-cert", tlsCert, "--tls-key", tlsKey]);

  const notCert = await serve(key, key);
  expect(notCert.code).toBe(2);
  expect(notCert.err).toMatch(new RegExp(`^flyte-connector serve: --tls-cert: ${key} is not a PEM certificate: `));
  const notKey = await serve(cert, cert);
  expect(notKey.code).toBe(2);
  expect(notKey.err).toMatch(new RegExp(`^flyte-connector serve: --tls-key: ${cert} is not a PEM private key: `));
  const mismatched = await serve(cert, otherKey);
  expect(mismatched.code).toBe(2);
  expect(mismatched.err).toMatch(/^flyte-connector serve: --tls-key is not the key of the --tls-cert certificate: /);
});

describe("in-process", () => {
  test("list shows the built-in connectors and those of --connector modules", async () => {
    const { code, out } = await cli(["list", "--connector", FIXTURE]);
    expect(code).toBe(0);
    expect(out).toMatch(/^Connector\s+Task categories\s+Kind\n/);
    expect(out).toMatch(/Sleep Connector\s+sleep_v0\s+async/);
    expect(out).toMatch(/Countdown Connector\s+countdown_v0\s+async/);
    expect(out).toMatch(/Shout Connector\s+shout_v0\s+sync/);
  });

  test("list --json prints the agents in proto3 JSON", async () => {
    const { code, out } = await cli(["list", "--json", "--connector", FIXTURE]);
    expect(code).toBe(0);
    const agents = JSON.parse(out) as { name: string }[];
    expect(agents.find((agent) => agent.name === "Shout Connector")).toMatchObject({
      supportedTaskTypes: ["shout"],
      isSync: true,
      supportedTaskCategories: [{ name: "shout" }],
    });
  });

  test("run prints the outputs as JSON on stdout and the progress on stderr", async () => {
    const { code, out, err } = await cli(["run", "--type", "shout", "-i", "text=hi", "--connector", FIXTURE]);
    expect(code).toBe(0);
    expect(JSON.parse(out)).toEqual({ text: "HI" });
    expect(err).toBe("shout_v0: starting\nshout_v0: SUCCEEDED (0.0s)\n");
  });

  test("run --protocol flyteidl2 runs a sync task as Flyte 2 does: CreateTask, then GetTask", async () => {
    const { code, out, err } = await cli(["run", "--type", "shout", "-i", "text=hi", "--protocol", "flyteidl2", "--connector", FIXTURE]);
    expect(code).toBe(0);
    expect(JSON.parse(out)).toEqual({ text: "HI" });
    expect(err).toMatch(/^shout_v0: starting\n(shout_v0: .*\n)*shout_v0: SUCCEEDED \(\d\.\ds\)\n$/);
  });

  test("run of an async task polls to the end and prints the log links", async () => {
    const { code, out, err } = await cli(["run", "--type", "countdown", "-i", "seconds=0.1", "--poll-interval", "20", "--connector", FIXTURE]);
    expect(code).toBe(0);
    expect(JSON.parse(out)).toMatchObject({ greeting: "hello" });
    expect(err).toMatch(/countdown_v0: RUNNING \(\d\.\ds\) \d+ ms left\n {2}Countdown log: https:\/\/logs\.example\.com\/countdown-/);
    expect(err).toMatch(/countdown_v0: SUCCEEDED \(\d\.\ds\)\n$/);
  });

  test("a failed task exits 1 with its message", async () => {
    const { code, out, err } = await cli(["run", "--type", "countdown", "-i", "seconds=0", "-i", "fail=true", "--connector", FIXTURE]);
    expect(code).toBe(1);
    expect(out).toBe("");
    expect(err).toContain("countdown_v0: FAILED (0.0s) the countdown exploded\n");
  });

  test("an error from the service exits 1 with its status and message", async () => {
    const { code, err } = await cli(["run", "--type", "nope", "--version", "4"]);
    expect(code).toBe(1);
    expect(err).toMatch(/✖ nope_v4 ERROR in \d\.\ds: NOT_FOUND: Cannot find connector for task category: nope_v4\. Task categories served: echo_v0, sleep_v0, .*\.\n$/);
  });

  test("Ctrl-C deletes the running task and exits 130", async () => {
    const fake = fakeIo();
    const before = deletedTasks.length;
    const run = main(["run", "--type", "countdown", "-i", "seconds=30", "--poll-interval", "20", "--connector", FIXTURE], fake.io);
    while (!fake.err().includes("RUNNING")) await new Promise((resolve) => setTimeout(resolve, 10));
    fake.interrupt();
    expect(await run).toBe(130);
    expect(deletedTasks.length).toBe(before + 1);
    expect(fake.err()).toMatch(/✖ countdown_v0 CANCELLED in \d\.\ds: Task cancelled and deleted\.\n$/);
    expect(fake.listening()).toBe(false);
  });

  test("run in process: a connector's own bug is INTERNAL, followed by its error's stack, which says where", async () => {
    const { code, err } = await cli(["run", "--type", "shout", "-i", "text=crash", "--connector", FIXTURE]);
    expect(code).toBe(1);
    expect(err).toContain("✖ shout_v0 ERROR in 0.0s: INTERNAL: failed to do shout task with error: the shout crashed\n");
    expect(err).toMatch(/\nError: the shout crashed\n\s+at ShoutConnector\.do \(.*test-connectors\.ts:\d+:\d+\)/);
  });

  test("run from a TaskTemplate in proto3 JSON converts inputs with its declared types", async () => {
    const dir = await scratchDir("flyte-connector-cli-");
    const file = join(dir, "task.json");
    const template = {
      id: { resourceType: "TASK", name: "my-countdown" },
      type: "countdown",
      custom: { seconds: 0 },
      interface: { inputs: { variables: { seconds: { type: { simple: "FLOAT" } } } } },
    };
    await writeFile(file, JSON.stringify(template));
    const ok = await cli(["run", file, "-i", "seconds=0", "--connector", FIXTURE]);
    expect(ok.code).toBe(0);
    expect(ok.err).toContain("my-countdown (countdown_v0): SUCCEEDED");

    const bad = await cli(["run", file, "-i", "seconds=\"soon\"", "--connector", FIXTURE]);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/^flyte-connector run: Bad --input: cannot convert input "seconds" to float: got string "soon"\n/);

    await writeFile(file, JSON.stringify({ type: "countdown", taskTypeVersion: "x" }));
    const invalid = await cli(["run", file]);
    expect(invalid.code).toBe(2);
    expect(invalid.err).toContain(`Template file '${file}' is not a TaskTemplate: Invalid flyteidl.core.TaskTemplate field taskTypeVersion`);

    const mixed = await cli(["run", file, "--type", "countdown"]);
    expect(mixed.err).toContain("--type cannot be combined with a template file.");
  });

  test("call prints the response as proto3 JSON; a stream as an array", async () => {
    const agent = await cli(["call", "getAgent", "--body", '{"name": "Shout Connector"}', "--connector", FIXTURE]);
    expect(agent.code).toBe(0);
    expect(JSON.parse(agent.out)).toMatchObject({
      agent: { name: "Shout Connector", supportedTaskTypes: ["shout"], isSync: true, supportedTaskCategories: [{ name: "shout" }] },
    });

    const body = JSON.stringify([{ header: { template: { type: "shout" } } }, { inputs: { literals: { text: { scalar: { primitive: { stringValue: "a" } } } } } }]);
    const sync = await cli(["call", "executeTaskSync", "--body-file", "-", "--connector", FIXTURE], body);
    expect(sync.code).toBe(0);
    const [response] = JSON.parse(sync.out) as { header: { resource: { phase: string; outputs: unknown } } }[];
    expect(response?.header.resource.phase).toBe("SUCCEEDED");
    expect(response?.header.resource.outputs).toEqual({ literals: { text: { scalar: { primitive: { stringValue: "A" } } } } });
  });

  test("call of a failing operation exits 1 with the status and message", async () => {
    const { code, out, err } = await cli(["call", "getAgent", "--body", '{"name": "Nobody"}']);
    expect(code).toBe(1);
    expect(out).toBe("");
    expect(err).toBe("flyte-connector call: NOT_FOUND: Cannot find connector for name: Nobody.\n");
  });
});

describe("over the network transports", () => {
  let stack: LocalStack;
  let lambda: LambdaEndpoint;
  beforeAll(async () => {
    const registry = new ConnectorRegistry().register(new CountdownConnector()).register(new ShoutConnector());
    stack = await startTestStack(registry);
    lambda = await startLambdaEndpoint(registry);
    // The SDK's credential chain reads these; the local endpoint does not check signatures.
    vi.stubEnv("AWS_ACCESS_KEY_ID", "test");
    vi.stubEnv("AWS_SECRET_ACCESS_KEY", "test");
  });
  afterAll(async () => {
    vi.unstubAllEnvs();
    await Promise.all([stack.close(), lambda.close()]);
  });

  test.each([
    () => ["--transport", "grpc", "--address", stack.grpcAddress],
    () => ["--transport", "http", "--url", stack.httpUrl!],
    () => ["--transport", "http", "--url", stack.httpUrl!, "--format", "json"],
    () => ["--transport", "lambda", "--endpoint", lambda.endpoint, "--region", "us-east-1"],
  ])("run and list give the same answers (%#)", async (transport) => {
    const run = await cli(["run", "--type", "countdown", "-i", "seconds=0.05", "--poll-interval", "20", ...transport()]);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.out)).toMatchObject({ greeting: "hello" });
    const list = await cli(["list", ...transport()]);
    expect(list.out).toMatch(/Countdown Connector\s+countdown_v0\s+async/);
  });

  test("list --timeout bounds the wait for a service that never answers: DEADLINE_EXCEEDED, exit 1", async () => {
    const silent = createServer(() => {});
    silent.listen(0, "127.0.0.1");
    await once(silent, "listening");
    try {
      const url = `http://127.0.0.1:${(silent.address() as AddressInfo).port}`;
      const { code, err } = await cli(["list", "-t", "http", "--url", url, "--timeout", "1"]);
      expect(code).toBe(1);
      expect(err).toMatch(/DEADLINE_EXCEEDED/);
    } finally {
      silent.closeAllConnections();
      silent.close();
    }
  });

  test("a Lambda function that does not exist is NOT_FOUND, exit 1", async () => {
    const { code, err } = await cli(["list", "-t", "lambda", "--endpoint", lambda.endpoint, "--region", "us-east-1", "--function-prefix", "nope-"]);
    expect(code).toBe(1);
    expect(err).toBe("flyte-connector list: NOT_FOUND: Cannot invoke Lambda function nope-listAgents: Function not found: nope-listAgents\n");
  });

  test("serve --backend lambda is a gRPC front over the functions, with no HTTP routes unless asked", async () => {
    const fake = fakeIo();
    const serving = main(["serve", "--backend", "lambda", "--endpoint", lambda.endpoint, "--region", "us-east-1", "--grpc-port", "0"], fake.io);
    while (!fake.out().includes("Ctrl-C to stop.")) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(fake.out()).toMatch(/Countdown Connector\s+countdown_v0\s+async/);
    expect(fake.out()).not.toContain("HTTP routes on");
    const grpcAddress = /gRPC front on (\S+)/.exec(fake.out())![1]!;

    const run = await cli(["run", "--type", "shout", "-i", "text=relayed", "-t", "grpc", "--address", grpcAddress]);
    expect(JSON.parse(run.out)).toEqual({ text: "RELAYED" });

    fake.stop("SIGTERM");
    expect(await serving).toBe(0);
    expect(fake.out()).toContain("SIGTERM: shutting down.");
  });

  test("a gRPC front that is not there is UNAVAILABLE, exit 1", async () => {
    const { code, err } = await cli(["list", "-t", "grpc", "--address", "127.0.0.1:1"]);
    expect(code).toBe(1);
    expect(err).toMatch(/^flyte-connector list: UNAVAILABLE: /);
  });
});

test("serve starts the local stack with the given connectors and stops on a signal", async () => {
  const fake = fakeIo();
  const serving = main(["serve", "--grpc-port", "0", "--http-port", "0", "--connector", FIXTURE], fake.io);
  while (!fake.out().includes("Ctrl-C to stop.")) await new Promise((resolve) => setTimeout(resolve, 10));
  expect(fake.out()).toMatch(/Countdown Connector\s+countdown_v0\s+async/);
  const grpcAddress = /gRPC front on (\S+)/.exec(fake.out())![1]!;
  const httpUrl = /HTTP routes on (\S+)/.exec(fake.out())![1]!;

  const overGrpc = await cli(["run", "--type", "shout", "-i", "text=served", "-t", "grpc", "--address", grpcAddress]);
  expect(JSON.parse(overGrpc.out)).toEqual({ text: "SERVED" });
  // A connector's bug: the caller gets INTERNAL, the log where it happened.
  expect((await cli(["run", "--type", "shout", "-i", "text=crash", "-t", "grpc", "--address", grpcAddress])).code).toBe(1);
  expect(fake.err()).toMatch(/^connector Shout Connector failed to do shout_v0 task: Error: the shout crashed\n\s+at ShoutConnector\.do \(.*test-connectors\.ts:\d+:\d+\)/m);
  const overHttp = await cli(["call", "listAgents", "-t", "http", "--url", httpUrl]);
  expect(overHttp.code).toBe(0);

  fake.stop();
  expect(await serving).toBe(0);
  expect((await cli(["list", "-t", "grpc", "--address", grpcAddress])).code).toBe(1);
});
