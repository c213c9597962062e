// Builds the repository's deployable Lambda functions (infra/build-functions.mjs): one per
// functions/<file>.ts (all but registry.ts), over the registry of functions/registry.ts.
//
//   node infra/build.mjs [--analyze]
//
// Output in .build/ (gitignored; see infra/build-functions.mjs), and tables of sizes on stdout,
// per function and per file; --analyze adds esbuild's per-module breakdown.
//
// It regenerates lib/idl/gen first (a no-op when up to date), so it is self-sufficient.
import { execFileSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as esbuild from "esbuild";
import { buildFunctions, sizeReport } from "./build-functions.mjs";

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const functionsDir = join(root, "functions");
const outDir = join(root, ".build");
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

const result = await buildFunctions({ root, outDir, registry: join(functionsDir, REGISTRY), entries });
for (const line of sizeReport(result, outDir)) console.log(line);

if (process.argv.includes("--analyze")) {
  console.log(await esbuild.analyzeMetafile(result.metafile));
}
