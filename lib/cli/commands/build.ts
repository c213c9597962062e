/**
 * `build --registry <module>`: the eight Lambda functions over a user's registry, bundled and
 * zipped exactly as the repository's own (infra/build-functions.mjs, shared with `npm run build`),
 * into the project's .build/, where its serverless.yml's `package.artifact`s point.
 */
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { errorMessage } from "../../connector/errors.js";
import { operationNames } from "../../service/operations.js";
import { ExitCode, stringFlag, UsageError, type CliIo, type Command, type Flags, type OptionSpecs } from "../command.js";
import { loadRegistryModule } from "../connector-modules.js";
import { PACKAGE_NAME, packageInfo, SOURCE_CONDITION } from "../package-info.js";

export const BUILD_DIR = ".build";

const registryOption: OptionSpecs = {
  registry: {
    type: "string",
    value: "<module>",
    description: "The module exporting the 'registry' (a ConnectorRegistry) the functions serve, e.g. ./src/registry.ts.",
  },
};

/** The options of every command that builds: the registry, and source maps. */
export const buildOptions: OptionSpecs = {
  ...registryOption,
  "source-maps": {
    type: "boolean",
    description:
      "A source map beside each file, and NODE_OPTIONS=--enable-source-maps for the functions (.build/function-environment.json, which serverless.yml reads): stack traces in their logs name your sources. Costs each cold start about 10 ms.",
  },
};

export const buildCommand: Command = {
  synopsis: "--registry <module> [options]",
  maxPositionals: 0,
  options: buildOptions,
  details: `Writes .build/<function>.zip for each of ${operationNames.join(", ")}: handler index.handler,
as serverless.yml deploys them (flyte-connector init writes one). Each connector the registry
registers with registerLazy is a chunk of its own, loaded on first use.

Examples:
  flyte-connector build --registry ./src/registry.ts
  flyte-connector build --registry ./src/registry.ts --source-maps`,

  async run(flags, _positionals, io) {
    await buildProject(flags, io);
    return ExitCode.OK;
  },
};

/** Builds the functions of the project at `io.cwd`; shared with `package`. */
export async function buildProject(flags: Flags, io: CliIo): Promise<void> {
  const specifier = stringFlag(flags, "registry");
  if (specifier === undefined) throw new UsageError("Name the registry module to build: --registry ./src/registry.ts.");
  // Loading it first turns a wrong module into the same clear error as serve and run give, before esbuild's own.
  await loadRegistryModule(specifier, io.cwd);
  const registry = resolve(io.cwd, specifier);
  const builder = await functionBuilder();
  const outDir = join(io.cwd, BUILD_DIR);
  // Some seconds of esbuild with nothing to show: say what is under way.
  const maps = flags["source-maps"] === true ? ", with source maps" : "";
  io.stdout.write(`Building the ${operationNames.length} functions of ${specifier} into ${BUILD_DIR}${maps}...\n`);
  const result = await builder.buildFunctions({
    root: io.cwd,
    outDir,
    registry,
    // The handler factory of the package the project depends on, the copy its registry imports:
    // one SDK in the bundle.
    entries: operationNames.map((key) => builder.generatedEntry(key, { registry, lambdaModule: `${PACKAGE_NAME}/lambda`, resolveDir: io.cwd })),
    // Run from its sources (this repository), the CLI builds from the package's sources too.
    conditions: import.meta.url.endsWith(".ts") ? [SOURCE_CONDITION] : [],
    sourceMaps: flags["source-maps"] === true,
  });
  for (const line of builder.sizeReport(result, outDir)) io.stdout.write(`${line}\n`);
}

type FunctionBuilder = typeof import("../../../infra/build-functions.mjs");

/** infra/build-functions.mjs of this package, found from its root: the same file from the sources and from dist/. */
async function functionBuilder(): Promise<FunctionBuilder> {
  const path = join(packageInfo().root, "infra", "build-functions.mjs");
  if (!existsSync(path)) throw new Error(`This installation of ${PACKAGE_NAME} lacks ${path}: reinstall it.`);
  try {
    return (await import(pathToFileURL(path).href)) as FunctionBuilder;
  } catch (error) {
    throw new Error(`Cannot load the function builder (${path}): ${errorMessage(error)}`);
  }
}
