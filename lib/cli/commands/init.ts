/** `init <dir>`: a new connector project, ready to test, serve, build and deploy. */
import { mkdir, readdir, writeFile } from "node:fs/promises";
import { basename, dirname, join, relative, resolve } from "node:path";
import { ExitCode, stringFlag, UsageError, type Command } from "../command.js";
import { dependencySpec } from "../install-source.js";
import { packageInfo } from "../package-info.js";
import { REGISTRY_MODULE } from "../project-layout.js";
import { JOBS_API_TOKEN_SECRET, JOBS_API_URL_ENV, packageNameFrom, scaffoldFiles, SERVICE_NAME_LIMIT, serviceNameFrom, TASK_TYPE, type ScaffoldOptions } from "../scaffold.js";

/** The variable getSecret reads the example connector's token from (besides _FSEC_<NAME>). */
const TOKEN_ENV = JOBS_API_TOKEN_SECRET.toUpperCase();

export const initCommand: Command = {
  synopsis: "[options] <dir>",
  maxPositionals: 1,
  options: {
    name: { type: "string", value: "<name>", description: "The npm package name, which the serverless service name is made from (default: the directory's name)." },
  },
  details: `<dir> is created, or must be empty. The project is TypeScript (ES modules, run by tsx, no
compile step): src/connector.ts (an async connector calling a jobs API), src/connector.test.ts
(its test against a fake of that API, node --test), src/registry.ts, and serverless.yml for the
functions 'flyte-connector build --registry ${REGISTRY_MODULE}' writes.

The serverless service name is the package name in lower case, each run of characters other
than letters, digits and - made one -. It must start with a letter, and be short enough for
Lambda's function names, <service>-<stage>-<operation>, and IAM's role names,
<service>-<stage>-<region>-lambdaRole: at most ${SERVICE_NAME_LIMIT} characters for stage dev,
fewer for a longer stage name.

Example:
  flyte-connector init my-connectors`,

  async run(flags, positionals, io) {
    const [given] = positionals;
    if (given === undefined) throw new UsageError("Name the directory to create the project in: flyte-connector init <dir>.");
    const dir = resolve(io.cwd, given);
    const name = projectName(stringFlag(flags, "name"), dir);
    const service = serviceName(name);
    if ((await entriesOf(dir)).length > 0) {
      throw new UsageError(`${given} is not empty: init writes a new project into a new or empty directory.`);
    }
    const { root, version } = packageInfo();
    const files = scaffoldFiles({ name, service, dependency: dependencySpec(root, version, dir), tools: tools() });
    for (const [path, contents] of Object.entries(files)) {
      await mkdir(dirname(join(dir, path)), { recursive: true });
      await writeFile(join(dir, path), contents, { flag: "wx" });
    }
    const cd = relative(io.cwd, dir) || ".";
    io.stdout.write(`Created ${cd}: ${Object.keys(files).join(", ")}.

Next:
  cd ${cd}
  npm install
  npm test                      type-check, then test the connector against a fake of its API
  npm start                     serve it locally: gRPC on :8000 (FlytePropeller), HTTP on :3000
  export ${JOBS_API_URL_ENV}=<a jobs API's base URL> ${TOKEN_ENV}=<its token>
  npx flyte-connector run --registry ${REGISTRY_MODULE} --type ${TASK_TYPE} -i day=2024-01-01
                                run one task against that API (${TOKEN_ENV}: the connector's
                                secret ${JOBS_API_TOKEN_SECRET}, read from the environment)
  npm run build                 the eight Lambda functions in .build/
  npm run start:offline         build, then run them under serverless offline behind the gRPC front
  npm run package               build, then serverless package
  npx serverless deploy         deploy; functions are named ${service}-<stage>-<operation>
`);
    return ExitCode.OK;
  },
};

/** --name, else one from the directory's name: a valid npm package name. */
function projectName(given: string | undefined, dir: string): string {
  const name = given ?? packageNameFrom(basename(dir));
  if (name === undefined || packageNameFrom(name) !== name) {
    throw new UsageError(`'${name ?? basename(dir)}' is not a usable package name: give one with --name (lower case, digits, - . _ ~).`);
  }
  return name;
}

/** The serverless service name made from the project's: refused here, not after building by serverless package. */
function serviceName(name: string): string {
  const { service, problem } = serviceNameFrom(name);
  if (problem) {
    throw new UsageError(`'${name}' makes the serverless service name '${service}', which ${problem.why}. Give another name with --name, e.g. --name ${problem.suggestion}.`);
  }
  return service;
}

async function entriesOf(dir: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    if ((error as NodeJS.ErrnoException).code === "ENOTDIR") throw new UsageError(`${dir} is a file, not a directory.`);
    throw error;
  }
}

/** The development tools' versions, as this package itself uses them. */
function tools(): ScaffoldOptions["tools"] {
  const { dependencies } = packageInfo();
  const range = (name: keyof ScaffoldOptions["tools"]) => {
    const version = dependencies[name];
    if (version === undefined) throw new Error(`package.json of ${packageInfo().name} names no version of ${name}.`);
    return version;
  };
  return {
    tsx: range("tsx"),
    typescript: range("typescript"),
    "@types/node": range("@types/node"),
    serverless: range("serverless"),
    "serverless-offline": range("serverless-offline"),
  };
}
