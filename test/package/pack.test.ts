/**
 * The package as a user gets it: `npm pack` (its prepack build), installed from the tarball into a
 * fresh `npm init -y` project (CommonJS, no TypeScript set-up), and used from there with plain
 * `node`, `require`, `tsc --init` defaults and `npx`. Packed and installed once, in beforeAll;
 * each later step is a test of its own in this describe, run in that project.
 * The registry is asked only for what the npm cache lacks (--prefer-offline).
 */
import { execFile } from "node:child_process";
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join, posix, relative } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { REPO_ROOT } from "../support/build.js";

const require = createRequire(import.meta.url);
const manifest = JSON.parse(await readFile(join(REPO_ROOT, "package.json"), "utf8")) as { name: string; version: string };
const PACKAGE = manifest.name;
const TSC = require.resolve("typescript/bin/tsc", { paths: [REPO_ROOT] });
const TYPES_NODE_VERSION = (require(require.resolve("@types/node/package.json", { paths: [REPO_ROOT] })) as { version: string }).version;
const INSTALL_FLAGS = ["--prefer-offline", "--no-audit", "--no-fund"];
const STEP_TIMEOUT = 120_000;

/**
 * The environment of a user's shell: npm's lifecycle variables of the `npm test` running this
 * would make the nested npm act on this repository (npm_config_local_prefix, npm_package_*).
 * The user's own npm settings (npm_config_cache, _registry, ...) stay.
 */
const userEnv = Object.fromEntries(
  Object.entries(process.env).filter(
    ([key]) => !/^npm_/i.test(key) || (/^npm_config_/i.test(key) && !/^npm_config_(local_prefix|call)$/i.test(key)),
  ),
);

interface Ran {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a command to its end; never rejects, so that a failing step shows what it printed. */
function run(command: string, args: readonly string[], cwd: string): Promise<Ran> {
  return new Promise((resolve) => {
    execFile(command, args, { cwd, env: userEnv, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === "number" ? error.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

/** Runs a command that must succeed, and resolves to its stdout. */
async function succeed(command: string, args: readonly string[], cwd: string): Promise<string> {
  const ran = await run(command, args, cwd);
  if (ran.code !== 0) throw new Error(`${command} ${args.join(" ")} exited ${ran.code}:\n${ran.stdout}\n${ran.stderr}`);
  return ran.stdout;
}

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((entry) => entry.isFile()).map((entry) => relative(dir, join(entry.parentPath, entry.name)));
}

/** What one consumer script checks, written once and run as an ES module and as CommonJS. */
const IMPORTS: Readonly<Record<string, readonly string[]>> = {
  "": ["ConnectorRegistry", "Phase", "Resource", "SyncConnectorBase", "flyteidl"],
  "/lambda": ["createLambdaHandler"],
  "/client": ["ConnectorClient"],
  "/testing": ["runConnector", "taskTemplate"],
};
const CONSUMER_BODY = `
class Greeter extends SyncConnectorBase {
  constructor() { super({ name: "Greeter", taskTypeName: "greet" }); }
  async do() { return new Resource({ phase: Phase.SUCCEEDED, outputs: { greeting: "hello" } }); }
}
async function main() {
  const registry = new ConnectorRegistry().register(new Greeter());
  const run = await runConnector(new Greeter(), { template: taskTemplate({ type: "greet", outputs: { greeting: "string" } }) });
  const handler = createLambdaHandler("listAgents", registry);
  const answer = await handler({ body: "" }, { awsRequestId: "request-1", functionName: "listAgents", getRemainingTimeInMillis: () => 10000 });
  const listed = flyteidl.admin.ListAgentsResponse.decode(Buffer.from(answer.body, "base64"));
  const client = await ConnectorClient.inProcess(registry).listAgents();
  return { outputs: run.outputs, lambda: listed.agents.map((a) => a.name), client: client.map((a) => a.name) };
}
main().then((result) => console.log("RESULT " + JSON.stringify(result)), (error) => { console.error(error); process.exitCode = 1; });
`;
const esmConsumer = () =>
  Object.entries(IMPORTS)
    .map(([subpath, names]) => `import { ${names.join(", ")} } from "${PACKAGE}${subpath}";\n`)
    .join("") + CONSUMER_BODY;
const cjsConsumer = () =>
  Object.entries(IMPORTS)
    .map(([subpath, names]) => `const { ${names.join(", ")} } = require("${PACKAGE}${subpath}");\n`)
    .join("") + CONSUMER_BODY;

/** The line a consumer script prints last (the Lambda handler's log lines come before it). */
function result(stdout: string): unknown {
  const line = stdout.split("\n").find((text) => text.startsWith("RESULT "));
  if (!line) throw new Error(`no RESULT line in:\n${stdout}`);
  return JSON.parse(line.slice("RESULT ".length));
}
const EXPECTED_RESULT = { outputs: { greeting: "hello" }, lambda: ["Greeter"], client: ["Greeter"] };

/**
 * A deployment's own module: a value of each subpath, and a meta of every field kind, exported
 * with inferred types, so that declaration emit must name every type they reach (TS2742 when the
 * package does not export one).
 */
const DEPLOYMENT_MODULE = `import { ConnectorRegistry, defineResourceMeta, field } from "${PACKAGE}";
import { createLambdaHandler } from "${PACKAGE}/lambda";
import { ConnectorClient } from "${PACKAGE}/client";
import { runConnector, taskTemplate } from "${PACKAGE}/testing";

export const EveryField = defineResourceMeta("EveryField", {
  text: field.string(), count: field.integer().optional(), ratio: field.float().default(1), flag: field.boolean(), data: field.json(),
});
export const meta = new EveryField({ text: "a", flag: true, data: { rows: [1, 2.5] } });
export const registry = new ConnectorRegistry();
export const handler = createLambdaHandler("createTask", registry);
export const answer = (event: unknown, context: Parameters<typeof handler>[1]) => handler(event, context);
export const client = ConnectorClient.inProcess(registry);
export const template = taskTemplate({ type: "my_job", custom: { query: "select 1" }, outputs: { rows: "integer" } });
export const run = () => runConnector([], { template });
`;

/** The first TypeScript block of the README's "Writing a connector", which the user copies. */
async function readmeExample(): Promise<string> {
  const readme = await readFile(join(REPO_ROOT, "README.md"), "utf8");
  const start = readme.indexOf("\n## Writing a connector\n");
  const block = start < 0 ? undefined : /```ts\n([\s\S]*?)```/.exec(readme.slice(start))?.[1];
  if (!block) throw new Error("README.md: no ```ts block under '## Writing a connector'");
  return block;
}

describe("the packed package, installed in a fresh npm init -y project", () => {
  let work: string;
  /** The user's project: `npm init -y`, then `npm install <tarball>`. */
  let project: string;
  /** The package as installed there. */
  let installed: string;
  /** The tarball's file name, in `work`. */
  let tarball: string;

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), "flyte-connector-package-"));
    await succeed("npm", ["pack", "--pack-destination", work], REPO_ROOT);
    const [packed, ...others] = (await readdir(work)).filter((name) => name.endsWith(".tgz"));
    if (!packed || others.length > 0) throw new Error(`npm pack wrote ${JSON.stringify([packed, ...others])}`);
    tarball = packed;
    project = join(work, "project");
    installed = join(project, "node_modules", PACKAGE);
    await mkdir(project);
    await succeed("npm", ["init", "-y"], project);
    await succeed("npm", ["install", join(work, tarball), `@types/node@${TYPES_NODE_VERSION}`, ...INSTALL_FLAGS], project);
  }, 600_000);

  afterAll(async () => {
    if (work) await rm(work, { recursive: true, force: true });
  });

  test("ships compiled JavaScript and declarations, the CLI and its function builder (infra/build-functions.mjs), the documents its README and messages cite, the examples, and no tests, bench or sources", async () => {
    const files = await filesUnder(installed);
    const documents = /^(docs\/CONTRACT|LIMITS|SECURITY|BENCHMARKS|lib\/connectors\/[a-z0-9-]+\/README)\.md$|^examples\/[a-z0-9-]+\.template\.json$/;
    const outside = files.filter((file) => !documents.test(file) && !/^(dist\/(lib|functions)\/.+\.(js|d\.ts)|bin\/flyte-connector\.js|infra\/(build-functions|function-bundle)\.mjs|package\.json|README\.md|LICENSE)$/.test(file));
    expect(outside).toEqual([]);
    expect(files.filter((file) => /(^|\/)(test|bench)\/|\.test\./.test(file))).toEqual([]);
    expect(files).toEqual(expect.arrayContaining(["dist/lib/idl/gen/flyteidl.js", "docs/CONTRACT.md", "infra/build-functions.mjs"]));
    for (const file of files.filter((name) => name.endsWith(".d.ts"))) {
      // A declaration naming a .ts module would send the user's tsc into sources it does not have.
      expect(await readFile(join(installed, file), "utf8"), file).not.toMatch(/from "[^"]*\.ts"|import\("[^"]*\.ts"\)/);
    }
  });

  test("every relative link of a shipped document leads to a shipped file", async () => {
    const files = await filesUnder(installed);
    const broken: string[] = [];
    for (const document of files.filter((file) => file.endsWith(".md"))) {
      const text = await readFile(join(installed, document), "utf8");
      for (const [, target] of text.matchAll(/\]\(([^)#\s]+)(?:#[^)]*)?\)/g)) {
        if (/^[a-z]+:/i.test(target!)) continue;
        const file = posix.normalize(posix.join(posix.dirname(document), target!));
        if (!files.includes(file)) broken.push(`${document}: ${target}`);
      }
    }
    expect(broken).toEqual([]);
  });

  test("installs without running a generator", async () => {
    const scripts = (JSON.parse(await readFile(join(installed, "package.json"), "utf8")) as { scripts?: Record<string, string> }).scripts ?? {};
    expect(Object.keys(scripts).filter((name) => /^(pre|post)?install$|^prepare$/.test(name))).toEqual([]);
  });

  test(
    "imports every subpath from an .mjs under plain node",
    async () => {
      await writeFile(join(project, "consumer.mjs"), esmConsumer());
      expect(result(await succeed(process.execPath, ["consumer.mjs"], project))).toEqual(EXPECTED_RESULT);
    },
    STEP_TIMEOUT,
  );

  test(
    "requires every subpath from a .cjs (require of ESM: no top-level await in the graph)",
    async () => {
      await writeFile(join(project, "consumer.cjs"), cjsConsumer());
      expect(result(await succeed(process.execPath, ["consumer.cjs"], project))).toEqual(EXPECTED_RESULT);
    },
    STEP_TIMEOUT,
  );

  test(
    "type-checks and emits the README's connector and a deployment module under tsc --init defaults (.mts in a CommonJS project)",
    async () => {
      const dir = join(project, "typed");
      await mkdir(dir);
      await succeed(process.execPath, [TSC, "--init"], dir);
      const config = await readFile(join(dir, "tsconfig.json"), "utf8");
      expect(config).toContain('"types": []');
      await writeFile(join(dir, "tsconfig.json"), config.replace('"types": []', '"types": ["node"]'));
      // The example's calls to "your platform's API", declared as a user's own module would.
      const platform = ["startJob", "fetchJob", "cancelJob"].map((name) => `declare function ${name}(...args: unknown[]): Promise<any>;\n`);
      await writeFile(join(dir, "my-job-connector.mts"), `${await readmeExample()}\n${platform.join("")}`);
      await writeFile(join(dir, "deployment.mts"), DEPLOYMENT_MODULE);
      // Emitting, since declaration emit is where a type the package does not export fails (TS2742).
      const ran = await run(process.execPath, [TSC, "-p", "."], dir);
      expect(ran.stdout + ran.stderr).toBe("");
      expect(ran.code).toBe(0);
      expect(await readFile(join(dir, "my-job-connector.d.mts"), "utf8")).toContain("export declare class MyJobConnector");
      expect(await readFile(join(dir, "deployment.d.mts"), "utf8")).toContain(`export declare const handler: import("${PACKAGE}/lambda").LambdaHandler;`);
      // The strictest consumer: the package's own declarations checked, optional properties exact.
      const strict = await run(process.execPath, [TSC, "-p", ".", "--noEmit", "--skipLibCheck", "false", "--exactOptionalPropertyTypes", "true"], dir);
      expect(strict.stdout + strict.stderr).toBe("");
    },
    STEP_TIMEOUT,
  );

  test(
    "npx flyte-connector runs the installed CLI: --version, --help, run",
    async () => {
      // --no: never ask the registry for a package of that name; -- ends npx's own options.
      const version = await run("npx", ["--no", "--", "flyte-connector", "--version"], project);
      expect(version).toEqual({ code: 0, stdout: `${manifest.version}\n`, stderr: "" });
      const help = await run("npx", ["--no", "--", "flyte-connector", "--help"], project);
      expect(help.stderr).toBe("");
      expect(help.code).toBe(0);
      expect(help.stdout).toMatch(/^Usage: flyte-connector <command>/);
      // The compiled registry and a connector it loads on first use, in-process.
      const echo = await run("npx", ["--no", "--", "flyte-connector", "run", "--type", "echo", "-i", "x=1"], project);
      expect(echo.code).toBe(0);
      expect(JSON.parse(echo.stdout)).toEqual({ x: 1 });
    },
    STEP_TIMEOUT,
  );

  test(
    "npx flyte-connector init makes a project that installs, whose functions build, whose test passes and which type-checks",
    async () => {
      const init = await run("npx", ["--no", "--", "flyte-connector", "init", "scaffold"], project);
      expect(init.stderr).toBe("");
      expect(init.code).toBe(0);
      const scaffold = join(project, "scaffold");
      // The package came from a tarball the registry does not have: the project depends on that tarball.
      const scaffolded = JSON.parse(await readFile(join(scaffold, "package.json"), "utf8")) as { dependencies: Record<string, string> };
      expect(scaffolded.dependencies[PACKAGE]).toBe(`file:../../${tarball}`);
      await succeed("npm", ["install", ...INSTALL_FLAGS], scaffold);
      const build = await run("npx", ["--no", "--", "flyte-connector", "build", "--registry", "./src/registry.ts"], scaffold);
      expect(build.stderr).toBe("");
      expect(build.stdout).toMatch(/^Built 8 functions into \.build in \d+ ms \(sizes in bytes\)\.$/m);
      expect((await readdir(join(scaffold, ".build"))).filter((name) => name.endsWith(".zip"))).toHaveLength(8);
      const tested = await run("npm", ["test"], scaffold);
      expect(tested.stdout).toMatch(/^# pass 4$/m);
      expect(tested.code).toBe(0);
      const typed = await run(process.execPath, [TSC, "-p", "."], scaffold);
      expect(typed.stdout + typed.stderr).toBe("");
      expect(typed.code).toBe(0);
    },
    STEP_TIMEOUT,
  );
});
