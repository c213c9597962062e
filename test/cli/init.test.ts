/**
 * `flyte-connector init`, then the author's path in the new project, from this repository's
 * sources (the package linked into it): `npm test` type-checks it and its test passes, the task
 * init's hint runs does, `build --registry` makes the eight functions serving its registry, and
 * `package` hands them to serverless. Its serverless.yml routes each function as the repository's
 * own does, under a service name serverless takes (made from a directory name npm takes but
 * serverless would not), and lets the functions read a secret store only when given one; `npm
 * start` stops when npm is stopped.
 */
import { spawn } from "node:child_process";
import { once } from "node:events";
import { existsSync, readdirSync, readFileSync, readlinkSync, realpathSync } from "node:fs";
import { cp, mkdir, readdir, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { parse } from "yaml";
import { SOURCE_CONDITION } from "../../lib/cli/package-info.js";
import { flyteidl } from "../../lib/idl/index.js";
import { operationNames } from "../../lib/service/operations.js";
import { PlatformFake } from "../../lib/testing/platform-fake.js";
import { zipEntries } from "../build/zip-entries.js";
import { REPO_ROOT } from "../support/build.js";
import { echoSyncRequests, fromJson } from "../support/demo-requests.js";
import { freePort } from "../support/serverless-offline.js";
import { cli } from "./support/fake-io.js";
import { flyteConnector, linkPackages, makeProject, run } from "./support/project.js";

/** A sync connector whose task fails in its own code, at line 9 (taking echo's task type, whose requests the tests have). */
const BROKEN_CONNECTOR = `import { type Resource, SyncConnectorBase, type TaskParams } from "flyte-connectors-serverless";

export class BrokenConnector extends SyncConnectorBase {
  constructor() {
    super({ name: "Broken Connector", taskTypeName: "echo" });
  }

  do(_params: TaskParams): Resource {
    throw new Error("the platform said no");
  }
}
`;

const TSC = createRequire(import.meta.url).resolve("typescript/bin/tsc");
const STEP_TIMEOUT = 120_000;

/** serverless and serverless-offline in the project, as its devDependencies install them (links to the repository's). */
async function linkTools(project: string): Promise<void> {
  for (const name of ["serverless", "serverless-offline"]) {
    await symlink(join(REPO_ROOT, "node_modules", name), join(project, "node_modules", name), "dir").catch((error: NodeJS.ErrnoException) => {
      if (error.code !== "EEXIST") throw error;
    });
  }
}

/** node_modules/.bin/<name> -> `target`, as npm install links a package's binary. */
async function linkBin(project: string, name: string, target: string): Promise<void> {
  await mkdir(join(project, "node_modules/.bin"), { recursive: true });
  await symlink(target, join(project, "node_modules/.bin", name)).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== "EEXIST") throw error;
  });
}

/**
 * An environment for npm in the project: without the lifecycle variables of an `npm test`
 * running this, which would make npm run this repository's scripts.
 */
function npmEnv(extra: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^npm_/i.test(name) || /^npm_config_(?!local_prefix$|call$)/i.test(name)));
  return { ...env, npm_config_update_notifier: "false", ...extra };
}

/** The jobs API of the example connector, whose jobs are done when first read. */
class JobsApi extends PlatformFake {
  constructor() {
    super();
    this.route("POST", "/jobs", () => ({ json: { id: "job-1", state: "RUNNING" } }));
    this.route("GET", "/jobs/{id}", ({ params }) => ({ json: { id: params.id, state: "SUCCEEDED", rows: 7 } }));
  }
}

/** /proc's processes: pid, process group and command line (Linux). */
function processes(): { pid: number; group: number; argv: string[] }[] {
  return readdirSync("/proc")
    .filter((entry) => /^\d+$/.test(entry))
    .flatMap((entry) => {
      try {
        const argv = readFileSync(`/proc/${entry}/cmdline`, "utf8").split("\0");
        // stat: "pid (comm) state ppid pgrp ...", and comm may hold spaces and parentheses.
        const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
        const group = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[2]);
        return [{ pid: Number(entry), group, argv }];
      } catch {
        return []; // it ended while being read
      }
    });
}

/** The serverless offline started with this HTTP port, by its pid. */
function offlineProcess(httpPort: number): number | undefined {
  return processes().find(({ argv }) => argv.includes("offline") && argv[argv.indexOf("--httpPort") + 1] === String(httpPort))?.pid;
}

function processesInGroup(group: number): number[] {
  return processes()
    .filter((entry) => entry.group === group)
    .map(({ pid }) => pid);
}

/** `serve --backend offline` in `project` on free ports, its output gathered as it comes. */
async function serveOffline(project: string, env?: NodeJS.ProcessEnv) {
  await linkTools(project);
  const [grpcPort, httpPort, lambdaPort] = [await freePort(), await freePort(), await freePort()];
  const server = spawn(process.execPath, [join(REPO_ROOT, "bin/flyte-connector.js"), "serve", "--backend", "offline", "--grpc-port", String(grpcPort), "--http-port", String(httpPort), "--lambda-port", String(lambdaPort)], {
    cwd: project,
    ...(env && { env }),
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  server.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
  server.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
  return { server, grpcPort, httpPort, output: () => output, exited: once(server, "exit") };
}

/** The `flyte-connector serve` processes running in `project`, by pid. */
function servesIn(project: string): number[] {
  const cwd = realpathSync(project);
  return processes()
    .filter(({ pid, argv }) => {
      try {
        return argv[1]?.endsWith("flyte-connector") === true && argv[2] === "serve" && readlinkSync(`/proc/${pid}/cwd`) === cwd;
      } catch {
        return false; // it ended while being read
      }
    })
    .map(({ pid }) => pid);
}

interface Template {
  Conditions?: Record<string, unknown>;
  Resources: Record<string, { Type: string; Condition?: string; Properties: Record<string, unknown> }>;
}

/** Whether a template's condition holds, as CloudFormation evaluates the few functions serverless.yml uses. */
function holds(template: Template, condition: unknown): boolean {
  const [[name, args]] = Object.entries(condition as Record<string, unknown>) as [[string, unknown]];
  switch (name) {
    case "Condition":
      return holds(template, template.Conditions?.[args as string]);
    case "Fn::Not":
      return !holds(template, (args as unknown[])[0]);
    case "Fn::And":
      return (args as unknown[]).every((arg) => holds(template, arg));
    case "Fn::Equals":
      return (args as unknown[])[0] === (args as unknown[])[1];
  }
  throw new Error(`not a condition this test reads: ${JSON.stringify(condition)}`);
}

const NO_VALUE = Symbol("AWS::NoValue");

/** The resources CloudFormation would create, their Fn::If resolved (AWS::NoValue dropped). */
function deployed(template: Template): Record<string, { Type: string; Properties: Record<string, unknown> }> {
  const resolve = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(resolve).filter((item) => item !== NO_VALUE);
    if (typeof value !== "object" || value === null) return value;
    const entries = Object.entries(value);
    if (entries.length === 1 && entries[0]![0] === "Ref" && entries[0]![1] === "AWS::NoValue") return NO_VALUE;
    if (entries.length === 1 && entries[0]![0] === "Fn::If") {
      const [condition, then, otherwise] = entries[0]![1] as [string, unknown, unknown];
      return resolve(holds(template, { Condition: condition }) ? then : otherwise);
    }
    return Object.fromEntries(entries.map(([key, item]) => [key, resolve(item)]).filter(([, item]) => item !== NO_VALUE));
  };
  return Object.fromEntries(
    Object.entries(template.Resources)
      .filter(([, resource]) => resource.Condition === undefined || holds(template, { Condition: resource.Condition }))
      .map(([key, { Type, Properties }]) => [key, { Type, Properties: resolve(Properties) as Record<string, unknown> }]),
  );
}

interface ServerlessYml {
  service: string;
  functions: Record<string, { handler: string; package: { artifact: string }; events: { httpApi: { method: string; path: string } }[] }>;
}

describe("init <dir>", () => {
  let work: string;
  let project: string;
  /** What init printed. */
  let printed: string;
  beforeAll(async () => {
    work = await makeProject({});
    // A name npm takes but serverless would not: the service is my-connectors.
    project = join(work, "my_connectors");
    const { code, out, err } = await cli(["init", "my_connectors"], undefined, work);
    if (code !== 0) throw new Error(`init exited ${code}: ${err}`);
    printed = out;
    expect(out).toMatch(/^Created my_connectors: package.json, tsconfig.json, .gitignore, src\/connector.ts, src\/connector.test.ts, src\/registry.ts, serverless.yml\.\n\nNext:\n  cd my_connectors\n  npm install\n/);
    expect(out).toContain("functions are named my-connectors-<stage>-<operation>");
    await linkPackages(project, ["tsx", "@types/node"]);
  });
  afterAll(() => rm(work, { recursive: true, force: true }));

  /**
   * `package` with serverless linked in, with no AWS configuration (in `cwd`, the project by
   * default, with `options` for the build); its template's resources as CloudFormation would create them.
   */
  async function packaged(serverlessArgs: readonly string[] = [], { cwd = project, registry = "./src/registry.ts", options = [] as string[] } = {}) {
    await linkTools(cwd);
    const home = join(work, "home");
    await mkdir(home, { recursive: true });
    const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith("AWS_")));
    const args = ["package", "--registry", registry, ...options, ...(serverlessArgs.length > 0 ? ["--", ...serverlessArgs] : [])];
    const ran = await run(process.execPath, [join(REPO_ROOT, "bin/flyte-connector.js"), ...args], cwd, { ...env, HOME: home, AWS_SDK_LOAD_CONFIG: "0" });
    expect(ran.stderr).not.toMatch(/Error/);
    expect(ran.code).toBe(0);
    const template = JSON.parse(await readFile(join(cwd, ".serverless/cloudformation-template-update-stack.json"), "utf8")) as Template;
    const resources = Object.values(deployed(template));
    const functions = resources
      .filter((resource) => resource.Type === "AWS::Lambda::Function")
      .map(({ Properties }) => Properties as { FunctionName: string; Environment: { Variables: Record<string, unknown> } });
    // Statements granting Secrets Manager or KMS actions (the functions' environment holds the secret's ARN too).
    const grants = resources.filter((resource) => /"(secretsmanager|kms):/.test(JSON.stringify(resource)));
    return { functions, grants };
  }

  test("writes an ES module project depending on this package, with its scripts", async () => {
    const repo = JSON.parse(await readFile(join(REPO_ROOT, "package.json"), "utf8")) as {
      version: string;
      dependencies: Record<string, string>;
      devDependencies: Record<string, string>;
    };
    const manifest = JSON.parse(await readFile(join(project, "package.json"), "utf8")) as Record<string, Record<string, string>>;
    expect(manifest).toMatchObject({
      name: "my_connectors",
      type: "module",
      dependencies: { "flyte-connectors-serverless": `^${repo.version}` },
      devDependencies: { tsx: repo.dependencies.tsx, "serverless-offline": repo.devDependencies["serverless-offline"] },
      scripts: {
        test: "tsc && node --import tsx --test src/*.test.ts",
        start: "exec flyte-connector serve --registry ./src/registry.ts",
        "start:offline": "flyte-connector build --registry ./src/registry.ts && exec flyte-connector serve --backend offline",
        build: "flyte-connector build --registry ./src/registry.ts",
        package: "flyte-connector package --registry ./src/registry.ts",
      },
    });
    const tsconfig = JSON.parse(await readFile(join(project, "tsconfig.json"), "utf8")) as { compilerOptions: Record<string, unknown> };
    expect(tsconfig.compilerOptions.module).toBe("nodenext");
    // As tsc --init sets it: the generated code, and the test kit's types, hold under it (checked below).
    expect(tsconfig.compilerOptions.noUncheckedIndexedAccess).toBe(true);
  });

  /**
   * `fn` with the project's tsconfig.json reading the package's sources: exports' "types" comes
   * before "flyte-connectors-serverless-source", so a dist that `npm pack` left in the repository would be read instead,
   * however stale.
   */
  async function againstSources<T>(fn: () => Promise<T>): Promise<T> {
    const { exports } = JSON.parse(await readFile(join(REPO_ROOT, "package.json"), "utf8")) as { exports: Record<string, string | Record<string, string>> };
    const paths = Object.fromEntries(
      Object.entries(exports).flatMap(([subpath, target]) =>
        typeof target === "object" && target[SOURCE_CONDITION] ? [[`flyte-connectors-serverless${subpath.slice(1)}`, [join(project, "node_modules/flyte-connectors-serverless", target[SOURCE_CONDITION])]]] : [],
      ),
    );
    const config = join(project, "tsconfig.json");
    const original = await readFile(config, "utf8");
    const tsconfig = JSON.parse(original) as { compilerOptions: Record<string, unknown> };
    await writeFile(config, JSON.stringify({ ...tsconfig, compilerOptions: { ...tsconfig.compilerOptions, paths } }));
    try {
      return await fn();
    } finally {
      await writeFile(config, original);
    }
  }

  test(
    "npm test type-checks it with its own tsconfig, then its test passes against the fake of its platform; a type error fails it before the tests run",
    async () => {
      await linkBin(project, "tsc", TSC);
      // The package's sources for its compiled code (not built in the repository), in the tests too.
      const npmTest = () => run("npm", ["test"], project, npmEnv({ NODE_OPTIONS: `--conditions=${SOURCE_CONDITION}` }));
      await againstSources(async () => {
        const passed = await npmTest();
        expect(passed.stdout).not.toMatch(/error TS/);
        expect(passed.stdout).toMatch(/^# pass 4$/m);
        expect(passed.stdout).toMatch(/^# fail 0$/m);
        expect(passed.code).toBe(0);

        // A type error tsx alone would run past.
        const connector = join(project, "src/connector.ts");
        const source = await readFile(connector, "utf8");
        await writeFile(connector, `${source}\nexport const rows: number = "forty-two";\n`);
        try {
          const failed = await npmTest();
          expect(failed.stdout).toMatch(/^src\/connector\.ts\(\d+,\d+\): error TS2322: Type 'string' is not assignable to type 'number'\.$/m);
          expect(failed.stdout).not.toMatch(/^# pass/m);
          expect(failed.code).not.toBe(0);
        } finally {
          await writeFile(connector, source);
        }
      });
    },
    STEP_TIMEOUT,
  );

  test(
    "init's hint runs a task of the example connector, given the variables it names",
    async () => {
      const [, urlVariable, tokenVariable] = /^  export (\w+)=<[^>]+> (\w+)=<[^>]+>$/m.exec(printed) ?? [];
      const command = /^  npx flyte-connector (run .*)$/m.exec(printed)?.[1];
      expect({ urlVariable, tokenVariable, command }).toEqual({
        urlVariable: "JOBS_API_URL",
        tokenVariable: "JOBS_API_TOKEN",
        command: "run --registry ./src/registry.ts --type job -i day=2024-01-01",
      });
      const api = await new JobsApi().start();
      try {
        const env = { ...process.env, JOBS_API_URL: api.url, JOBS_API_TOKEN: "token-from-the-hint" };
        const ran = await run(process.execPath, [join(REPO_ROOT, "bin/flyte-connector.js"), ...command!.split(" ")], project, env);
        expect(ran.stderr).toMatch(/job_v0: SUCCEEDED/);
        expect(JSON.parse(ran.stdout)).toEqual({ rows: 7 });
        expect(api.callsTo("POST /jobs")[0]?.headers.authorization).toBe("Bearer token-from-the-hint");
      } finally {
        await api.stop();
      }
    },
    STEP_TIMEOUT,
  );

  test(
    "build --registry writes the eight functions, serving its registry",
    async () => {
      const ran = await flyteConnector(["build", "--registry", "./src/registry.ts"], project);
      expect(ran.stderr).toBe("");
      expect(ran.stdout).toMatch(/^Building the 8 functions of \.\/src\/registry\.ts into \.build\.\.\.\n/);
      expect(ran.stdout).toMatch(/^Built 8 functions into \.build in \d+ ms \(sizes in bytes\)\.$/m);
      const built = await readdir(join(project, ".build"));
      for (const key of operationNames) expect(built).toContain(`${key}.zip`);
      // The built listAgents, run by a bare node: the project's connector, not the repository's.
      const probe = `const { handler } = await import(${JSON.stringify(join(project, ".build/listAgents/index.mjs"))});
const answer = await handler({ body: "" }, { awsRequestId: "r", functionName: "listAgents", getRemainingTimeInMillis: () => 5000 });
console.log("ANSWER " + JSON.stringify(answer));`;
      await writeFile(join(work, "probe.mjs"), probe);
      const listed = await run(process.execPath, ["probe.mjs"], work);
      const answer = JSON.parse(/^ANSWER (.*)$/m.exec(listed.stdout)?.[1] ?? "null") as { body: string };
      expect(Buffer.from(answer.body, "base64").toString("latin1")).toContain("Job Connector");
      expect(Buffer.from(answer.body, "base64").toString("latin1")).not.toContain("Echo Connector");
    },
    STEP_TIMEOUT,
  );

  test("serverless.yml deploys each function from its artifact, on the routes of the repository's own", async () => {
    const ours = parse(await readFile(join(REPO_ROOT, "serverless.yml"), "utf8"), { logLevel: "error" }) as ServerlessYml; // CloudFormation tags: not read here
    const theirs = parse(await readFile(join(project, "serverless.yml"), "utf8"), { logLevel: "error" }) as ServerlessYml;
    // Made from the directory's name, my_connectors, which serverless would refuse.
    expect(theirs.service).toBe("my-connectors");
    expect(Object.keys(theirs.functions)).toEqual(operationNames);
    const routes = (yml: ServerlessYml, key: string) => yml.functions[key]!.events.map(({ httpApi }) => `${httpApi.method} ${httpApi.path}`);
    for (const key of operationNames) {
      expect(theirs.functions[key]).toMatchObject({ handler: "index.handler", package: { artifact: `.build/${key}.zip` } });
      expect(routes(theirs, key)).toEqual(routes(ours, key));
    }
  });

  test("init refuses a directory that is not empty, and a name npm would not take", async () => {
    expect(await cli(["init", "my_connectors"], undefined, work)).toMatchObject({
      code: 2,
      err: "flyte-connector init: my_connectors is not empty: init writes a new project into a new or empty directory.\nRun 'flyte-connector init --help' for usage.\n",
    });
    expect((await cli(["init", "other", "--name", "Not A Name"], undefined, work)).err).toContain("'Not A Name' is not a usable package name");
    expect(await cli(["init"], undefined, work)).toMatchObject({ code: 2 });
  });

  test("init refuses, before writing anything, a name that makes no service name serverless and Lambda take, suggesting one", async () => {
    const refused = async (args: string[]) => {
      const { code, out, err } = await cli(["init", ...args], undefined, work);
      expect({ code, out }).toEqual({ code: 2, out: "" });
      return err;
    };
    const rule = "(serverless takes letters, digits and -, starting with a letter, two characters or more)";
    expect(await refused(["2024_jobs"])).toBe(
      `flyte-connector init: '2024_jobs' makes the serverless service name '2024-jobs', which does not start with a letter ${rule}. Give another name with --name, e.g. --name connectors-2024-jobs.\nRun 'flyte-connector init --help' for usage.\n`,
    );
    expect(await refused(["other", "--name", "x"])).toContain(`'x' makes the serverless service name 'x', which is a single letter ${rule}. Give another name with --name, e.g. --name connectors-x.`);
    // 35 characters: serverless's role, <service>-dev-<region>-lambdaRole, would be 65 in ap-southeast-2 (osls naming.js getRoleName).
    const long = `connectors.for_${"a".repeat(20)}`;
    const service = `connectors-for-${"a".repeat(20)}`;
    expect(await refused([long])).toContain(
      `'${long}' makes the serverless service name '${service}', which is too long: its functions' role in a region such as ap-southeast-2, ${service}-dev-ap-southeast-2-lambdaRole, would have 65 characters, over IAM's 64. Give another name with --name, e.g. --name ${service.slice(0, 34)}.`,
    );
    for (const dir of ["2024_jobs", "other", long]) expect(existsSync(join(work, dir))).toBe(false);
    // One character shorter is taken (its project written, then removed).
    expect(await cli(["init", long.slice(0, -1)], undefined, work)).toMatchObject({ code: 0 });
    await rm(join(work, long.slice(0, -1)), { recursive: true });
  });

  test("build without --registry says what to give", async () => {
    expect((await cli(["build"], undefined, project)).err).toContain("Name the registry module to build: --registry ./src/registry.ts.");
  });

  describe("package", () => {
    test(
      "without serverless in the project: a clear error, before building",
      async () => {
        const ran = await flyteConnector(["package", "--registry", "./src/registry.ts"], project);
        expect(ran.code).toBe(1);
        expect(ran.stderr).toMatch(/^flyte-connector package: serverless is not installed in .*my_connectors: add it to the project/);
      },
      STEP_TIMEOUT,
    );

    test(
      "with serverless: builds, then serverless package writes the template of the eight functions, reading no secret store",
      async () => {
        const { functions, grants } = await packaged();
        expect(functions.map((fn) => fn.FunctionName).sort()).toEqual(operationNames.map((key) => `my-connectors-dev-${key}`).sort());
        for (const fn of functions) expect(fn.Environment.Variables.FLYTE_CONNECTOR_SECRETS_ID).toBe("");
        // Logs and failure metrics name the project, not this repository's service.
        for (const fn of functions) expect(fn.Environment.Variables.POWERTOOLS_SERVICE_NAME).toBe("my-connectors");
        // Built without source maps: Node is not asked to read any.
        for (const fn of functions) expect(fn.Environment.Variables.NODE_OPTIONS).toBe("");
        // Without connectorSecrets, nothing is granted.
        expect(grants).toEqual([]);
      },
      STEP_TIMEOUT,
    );

    test(
      "with connectorSecrets: the functions read that secret, and their role may read exactly it",
      async () => {
        const secret = "arn:aws:secretsmanager:us-east-1:123456789012:secret:jobs-AbCdEf";
        const key = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
        const { functions, grants } = await packaged(["--param", `connectorSecrets=${secret}`]);
        expect(functions).toHaveLength(operationNames.length);
        for (const fn of functions) expect(fn.Environment.Variables.FLYTE_CONNECTOR_SECRETS_ID).toBe(secret);
        const readSecret = { Effect: "Allow", Action: "secretsmanager:GetSecretValue", Resource: secret };
        expect(grants).toEqual([
          {
            Type: "AWS::IAM::Policy",
            Properties: {
              PolicyName: "connector-secrets",
              Roles: [{ Ref: "IamRoleLambdaExecution" }],
              PolicyDocument: { Version: "2012-10-17", Statement: [readSecret] },
            },
          },
        ]);

        // With its KMS key: decrypting, only through Secrets Manager.
        const withKey = await packaged(["--param", `connectorSecrets=${secret}`, "--param", `connectorSecretsKmsKeyArn=${key}`]);
        expect(withKey.grants).toEqual([
          {
            Type: "AWS::IAM::Policy",
            Properties: {
              PolicyName: "connector-secrets",
              Roles: [{ Ref: "IamRoleLambdaExecution" }],
              PolicyDocument: {
                Version: "2012-10-17",
                Statement: [
                  readSecret,
                  {
                    Effect: "Allow",
                    Action: "kms:Decrypt",
                    Resource: key,
                    Condition: { StringEquals: { "kms:ViaService": { "Fn::Sub": "secretsmanager.${AWS::Region}.amazonaws.com" } } },
                  },
                ],
              },
            },
          },
        ]);
      },
      STEP_TIMEOUT,
    );
  });

  test(
    "npm start's server stops when npm is stopped: the script execs it, so npm's SIGTERM reaches it",
    async () => {
      // npm puts the project's node_modules/.bin on the script's PATH.
      await linkBin(project, "flyte-connector", join(REPO_ROOT, "bin/flyte-connector.js"));
      const [grpcPort, httpPort] = [await freePort(), await freePort()];
      const npm = spawn("npm", ["start"], {
        cwd: project,
        env: npmEnv({ FLYTE_GRPC_PORT: String(grpcPort), FLYTE_HTTP_PORT: String(httpPort) }),
        stdio: ["ignore", "pipe", "pipe"],
      });
      let output = "";
      npm.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
      npm.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
      const exited = once(npm, "exit");
      try {
        await expect.poll(() => output, { timeout: 60_000, interval: 200 }).toMatch(/Ctrl-C to stop/);
        expect(servesIn(project)).toHaveLength(1);
        // As a process manager (or kill) stops it.
        npm.kill("SIGTERM");
        await exited;
        await expect.poll(() => servesIn(project), { timeout: 10_000 }).toEqual([]);
        expect(await fetch(`http://127.0.0.1:${httpPort}/api/v1/agents`).then(() => "open", () => "closed")).toBe("closed");
      } finally {
        npm.kill("SIGKILL");
        // A server left running by a failure: stopped by its pid.
        for (const pid of servesIn(project)) process.kill(pid, "SIGKILL");
      }
    },
    STEP_TIMEOUT,
  );

  test(
    "start:offline's serve --backend offline runs the built functions under serverless offline, behind the gRPC front, with the shell's settings and secrets",
    async () => {
      const api = await new JobsApi().start();
      const { server, grpcPort, httpPort, output } = await serveOffline(project, { ...process.env, JOBS_API_URL: api.url, JOBS_API_TOKEN: "token-from-the-shell" });
      try {
        await expect.poll(output, { timeout: 60_000, interval: 200 }).toMatch(/gRPC front on /);
        // Through the front: the gRPC call invokes the project's listAgents function, named from its serverless.yml.
        const listed = await flyteConnector(["list", "-t", "grpc", "--address", `127.0.0.1:${grpcPort}`], project);
        expect(listed.stdout).toMatch(/^Job Connector\s+job_v0\s+async$/m);
        expect(listed.stdout).not.toContain("Echo Connector");
        // And serverless offline's own HTTP routes.
        const agents = (await (await fetch(`http://127.0.0.1:${httpPort}/api/v1/agents`)).json()) as { agents: { name: string }[] };
        expect(agents.agents.map((agent) => agent.name)).toEqual(["Job Connector"]);
        // A task of the example connector: the functions read JOBS_API_URL and the token as `npm start` would.
        const ran = await flyteConnector(["run", "--type", "job", "-i", "day=2024-01-01", "-t", "grpc", "--address", `127.0.0.1:${grpcPort}`], project);
        expect(ran.stderr).toMatch(/job_v0: SUCCEEDED/);
        expect(JSON.parse(ran.stdout)).toEqual({ rows: 7 });
        expect(api.callsTo("POST /jobs")[0]?.headers.authorization).toBe("Bearer token-from-the-shell");
      } finally {
        server.kill("SIGTERM");
        await once(server, "exit");
        await api.stop();
      }
      // Stopping the front stops serverless offline with it.
      await expect.poll(async () => (await fetch(`http://127.0.0.1:${httpPort}/api/v1/agents`).then(() => "open", () => "closed")), { timeout: 10_000 }).toBe("closed");
    },
    STEP_TIMEOUT,
  );
  test(
    "Ctrl-C twice, as a terminal and npm deliver it, still stops serverless offline, its process group and all",
    async () => {
      const { server, httpPort, output, exited } = await serveOffline(project);
      await expect.poll(output, { timeout: 60_000, interval: 200 }).toMatch(/Ctrl-C to stop/);
      const group = offlineProcess(httpPort);
      expect(group).toBeDefined();
      server.kill("SIGINT");
      // npm passes the terminal's Ctrl-C on: a second one arrives while the front shuts down.
      await expect.poll(output, { timeout: 10_000, interval: 20 }).toMatch(/SIGINT: shutting down/);
      server.kill("SIGINT");
      const [code, signal] = await exited;
      expect({ code, signal }).toEqual({ code: 0, signal: null });
      await expect.poll(() => processesInGroup(group!), { timeout: 10_000 }).toEqual([]);
    },
    STEP_TIMEOUT,
  );
  test(
    "Ctrl-C while serve --backend offline is starting stops serverless offline, its process group and all",
    async () => {
      const { server, httpPort, output, exited } = await serveOffline(project);
      // Its process group (detached: the terminal's SIGINT does not reach it) is its leader's pid.
      let group: number | undefined;
      await expect.poll(() => (group = offlineProcess(httpPort)), { timeout: 60_000, interval: 50 }).toBeDefined();
      expect(output()).not.toMatch(/gRPC front on /); // still starting
      server.kill("SIGINT");
      const [code] = await exited;
      expect(code).toBe(0);
      expect(output()).toContain("SIGINT: stopped serverless offline while it started.");
      await expect.poll(() => processesInGroup(group!), { timeout: 10_000 }).toEqual([]);
    },
    STEP_TIMEOUT,
  );

  test(
    "package --source-maps: a map beside every file, NODE_OPTIONS to read them, and a connector's failure logged at its line of src/",
    async () => {
      // A copy of the project, so that the other tests' .build stays theirs.
      const copy = join(work, "with-source-maps");
      await cp(project, copy, { recursive: true, verbatimSymlinks: true, filter: (path) => !/[\\/]\.(build|serverless)$/.test(path) });
      await writeFile(join(copy, "src/broken.ts"), BROKEN_CONNECTOR);
      await writeFile(
        join(copy, "src/broken-registry.ts"),
        'import { ConnectorRegistry } from "flyte-connectors-serverless";\nimport { BrokenConnector } from "./broken.ts";\n\nexport const registry = new ConnectorRegistry().register(new BrokenConnector());\n',
      );
      const { functions } = await packaged([], { cwd: copy, registry: "./src/broken-registry.ts", options: ["--source-maps"] });
      for (const fn of functions) expect(fn.Environment.Variables.NODE_OPTIONS).toBe("--enable-source-maps");
      for (const key of operationNames) {
        const names = zipEntries(await readFile(join(copy, ".build", `${key}.zip`))).map((entry) => entry.name);
        const code = names.filter((name) => name.endsWith(".mjs"));
        expect(code).toContain("index.mjs");
        expect(names.sort()).toEqual([...code, ...code.map((name) => `${name}.map`)].sort());
      }

      // The built executeTaskSync, as Lambda would run it with that environment.
      const environment = JSON.parse(await readFile(join(copy, ".build/function-environment.json"), "utf8")) as Record<string, string>;
      const event = { messages: echoSyncRequests().map((json) => Buffer.from(flyteidl.admin.ExecuteTaskSyncRequest.encode(fromJson(flyteidl.admin.ExecuteTaskSyncRequest, json)).finish()).toString("base64")) };
      const probe = `const { handler } = await import(${JSON.stringify(join(copy, ".build/executeTaskSync/index.mjs"))});
const answer = await handler(${JSON.stringify(event)}, { awsRequestId: "r", functionName: "executeTaskSync", getRemainingTimeInMillis: () => 5000 });
console.log("ANSWER " + JSON.stringify(answer));`;
      await writeFile(join(work, "maps-probe.mjs"), probe);
      const ran = await run(process.execPath, ["maps-probe.mjs"], work, { ...process.env, ...environment });
      expect(JSON.parse(/^ANSWER (.*)$/m.exec(ran.stdout)?.[1] ?? "null")).toMatchObject({ error: { status: "INTERNAL" } });
      const logged = ran.stdout.split("\n").filter((line) => line.includes("the platform said no") && line.includes('"stack"'));
      expect(logged).toHaveLength(1);
      const { stack } = (JSON.parse(logged[0]!) as { error: { stack: string } }).error;
      // Line 9 of src/broken.ts: where the Error is made.
      expect(stack).toMatch(/\(.*with-source-maps[\\/]src[\\/]broken\.ts:9:\d+\)/);
    },
    STEP_TIMEOUT,
  );
});
