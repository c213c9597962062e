// Builds the repository's deployable Lambda functions (infra/build-functions.mjs): one per
// functions/<file>.ts (all but registry.ts), over the registry of functions/registry.ts.
//
//   node infra/build.mjs [--source-maps] [--analyze] [--out-dir <dir>]
//
// Output in .build/ (gitignored; see infra/build-functions.mjs) or --out-dir, and tables of sizes on stdout,
// per function and per file; --source-maps adds a source map beside each file, which the deployed
// functions then read (stack traces in the logs name the sources); --analyze adds esbuild's
// per-module breakdown.
//
// It regenerates lib/idl/gen first (a no-op when up to date), so it is self-sufficient.
import { execFileSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import * as esbuild from "esbuild";
import { buildFunctions, sizeReport } from "./build-functions.mjs";

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const functionsDir = join(root, "functions");
const { values: options } = parseArgs({
  options: { "source-maps": { type: "boolean" }, analyze: { type: "boolean" }, "out-dir": { type: "string" } },
});
const outDir = resolve(options["out-dir"] ?? join(root, ".build"));
/** Not a function: the static connector registry every function imports. */
const REGISTRY = "registry.ts";

/** `create-task.ts` -> `createTask`, the function key serverless.yml and docs/CONTRACT.md use. */
function functionKey(fileName) {
  return basename(fileName, ".ts").replace(/-([a-z0-9])/g, (_, c) => c.toUpperCase());
}

const entries = readdirSync(functionsDir)
  .filter((f) => f.endsWith(".ts") && f !== REGISTRY)
  .sort()
  .map((f) => ({ key: functionKey(f), entry: join(functionsDir, f) }));

execFileSync(process.execPath, [join(root, "infra/generate-idl.mjs")], { stdio: "inherit" });

const result = await buildFunctions({ root, outDir, registry: join(functionsDir, REGISTRY), entries, sourceMaps: options["source-maps"] });
for (const line of sizeReport(result, outDir)) console.log(line);

if (options.analyze) {
  console.log(await esbuild.analyzeMetafile(result.metafile));
}
