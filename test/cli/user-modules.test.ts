/**
 * `--registry` and `--connector` modules: what the service serves from them, and errors that name
 * the real problem; in an ES module project and in a CommonJS one (`npm init -y`), where the user's
 * TypeScript must still share this package's one copy (its error classes decide the status).
 */
import { rm } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { cli } from "./support/fake-io.js";
import { flyteConnector, makeProject } from "./support/project.js";

const FIXTURES = "./test/cli/fixtures";

describe("--registry in-process", () => {
  test("serves the module's registry instead of the built-in connectors", async () => {
    const { code, out } = await cli(["list", "--registry", `${FIXTURES}/registries.ts`]);
    expect(code).toBe(0);
    expect(out).toMatch(/^Connector\s+Task categories\s+Kind\n-+\s+-+\s+-+\nShout Connector\s+shout_v0\s+sync\n$/);
  });

  test("--connector modules add to it", async () => {
    const { out } = await cli(["list", "--registry", `${FIXTURES}/registries.ts`, "--connector", `${FIXTURES}/mixed-exports.ts`]);
    expect(out).toMatch(/Shout Connector\s+shout_v0\s+sync\nCountdown Connector\s+countdown_v0\s+async\n$/);
  });

  test.each([
    [`${FIXTURES}/nope.ts`, /^Registry module '.\/test\/cli\/fixtures\/nope.ts' not found \(looked for \/.*\/test\/cli\/fixtures\/nope.ts\)\.$/],
    [`${FIXTURES}/mixed-exports.ts`, /^Registry module '.*' has no 'registry' export \(it exports CountdownConnector, CountdownMeta, VERSION, helper\); export one: /],
    [`${FIXTURES}/not-a-registry.ts`, /^The 'registry' export of '.*' is not a ConnectorRegistry \(it is an object of class Array\)\.$/],
    [`${FIXTURES}/throws-at-load.ts`, /^Cannot load registry module '.*': PLATFORM_URL is not set$/],
  ])("%s: a usage error naming the problem", async (module, message) => {
    const { code, err } = await cli(["run", "--type", "shout", "--registry", module]);
    expect(code).toBe(2);
    const [first] = err.split("\n");
    expect(first!.replace(/^flyte-connector run: /, "")).toMatch(message);
  });

  test("--registry applies to the in-process transport and backend only", async () => {
    expect((await cli(["list", "-t", "grpc", "--registry", `${FIXTURES}/registries.ts`])).err).toContain("--registry applies to --transport in-process, not grpc.");
    expect((await cli(["serve", "-b", "lambda", "--registry", `${FIXTURES}/registries.ts`])).err).toContain("--registry applies to --backend in-process, not lambda.");
  });
});

/** A connector whose failure is a ConnectorError: its status survives only if the service shares the SDK's copy. */
const CONNECTOR = `import { InvalidArgumentError, Phase, Resource, SyncConnectorBase, type TaskParams } from "flyte-connectors-serverless";
export class Greeter extends SyncConnectorBase {
  constructor() { super({ name: "Greeter", taskTypeName: "greet" }); }
  do({ inputValues }: TaskParams): Resource {
    if (!inputValues.name) throw new InvalidArgumentError("greet needs a name");
    return new Resource({ phase: Phase.SUCCEEDED, outputs: { greeting: \`hello \${String(inputValues.name)}\` } });
  }
}
`;
const REGISTRY = `import { ConnectorRegistry } from "flyte-connectors-serverless";
export const registry = new ConnectorRegistry().registerLazy({
  name: "Greeter", taskTypeName: "greet", isSync: true,
  load: () => import("./greeter.ts").then((m) => new m.Greeter()),
});
`;

describe.each([
  ["a CommonJS project (npm init -y)", "commonjs"],
  ["an ES module project", "module"],
])("in %s", (_kind, type) => {
  let project: string;
  beforeAll(async () => {
    project = await makeProject({
      "package.json": JSON.stringify({ name: "user-project", version: "1.0.0", main: "index.js", type }),
      "src/greeter.ts": CONNECTOR,
      "src/registry.ts": REGISTRY,
      // A package of the project's own, in its node_modules (the CLI runs from this repository).
      "node_modules/greeter-registry/package.json": JSON.stringify({ name: "greeter-registry", version: "1.0.0", type: "module", exports: "./index.js" }),
      "node_modules/greeter-registry/index.js": REGISTRY.replace("./greeter.ts", "../../src/greeter.ts"),
    });
  });
  afterAll(() => rm(project, { recursive: true, force: true }));

  test.each([[["--registry", "./src/registry.ts"]], [["--connector", "./src/greeter.ts"]]])("run %j", async (modules) => {
    const ran = await flyteConnector(["run", "--type", "greet", "-i", "name=ada", ...modules], project);
    expect(ran.stderr).toMatch(/greet_v0: SUCCEEDED/);
    expect(JSON.parse(ran.stdout)).toEqual({ greeting: "hello ada" });
  });

  test("a package name is found from the working directory, where the project installed it", async () => {
    const ran = await flyteConnector(["run", "--type", "greet", "-i", "name=ada", "--registry", "greeter-registry"], project);
    expect(ran.stderr).toMatch(/greet_v0: SUCCEEDED/);
    expect(JSON.parse(ran.stdout)).toEqual({ greeting: "hello ada" });
    const missing = await flyteConnector(["list", "--registry", "no-such-registry"], project);
    expect(missing.stderr).toBe(`flyte-connector list: Registry module 'no-such-registry' not found: no such package is installed for ${project}.\nRun 'flyte-connector list --help' for usage.\n`);
  });

  test("a connector's ConnectorError keeps its status: one copy of the SDK", async () => {
    const ran = await flyteConnector(["run", "--type", "greet", "--registry", "./src/registry.ts"], project);
    expect(ran.code).toBe(1);
    expect(ran.stderr).toContain("INVALID_ARGUMENT: greet needs a name");
  });
});

test("build reports a connector's syntax error once, not once per function that bundles it", async () => {
  const project = await makeProject({
    "package.json": JSON.stringify({ name: "user-project", version: "1.0.0", type: "module" }),
    "src/greeter.ts": CONNECTOR.replace("return new Resource(", "return new Resource(("),
    "src/registry.ts": REGISTRY,
  });
  try {
    const built = await flyteConnector(["build", "--registry", "./src/registry.ts"], project);
    expect(built.code).not.toBe(0);
    // esbuild's own report, as its log prints it (the line, a caret), then the command's summary.
    expect(built.stderr.match(/\[ERROR\] /g)).toHaveLength(1);
    expect(built.stderr.match(/src\/greeter\.ts:\d+:\d+:/g)).toHaveLength(1);
    expect(built.stderr).toMatch(/\nflyte-connector build: Build failed with 1 error \(above\)\.\n$/);
  } finally {
    await rm(project, { recursive: true, force: true });
  }
});
