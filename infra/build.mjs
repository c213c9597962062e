// Builds the deployable Lambda functions: one minified ESM bundle per operation, from each
// functions/<file>.ts (all but registry.ts), and one zip per function for `package.artifact`.
//
//   node infra/build.mjs [--analyze]
//
// Output (.build/ is gitignored):
//   .build/<function>/index.mjs   the bundle; handler `index.handler`
//   .build/<function>.zip         index.mjs alone, what serverless.yml deploys
//   .build/meta.json              esbuild metafile of all bundles (esbuild's analyzer reads it)
// and a table of sizes on stdout; --analyze adds esbuild's per-module breakdown.
//
// It regenerates lib/idl/gen first (a no-op when up to date), so it is self-sufficient.
import { execFileSync } from "node:child_process";
import { mkdirSync, readdirSync, renameSync, writeFileSync } from "node:fs";
import { basename, dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import * as esbuild from "esbuild";
import yazl from "yazl";
import { compileModuleBodiesEagerly, FUNCTION_PLUGINS, FUNCTION_SETTINGS } from "./function-bundle.mjs";

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const functionsDir = join(root, "functions");
const outDir = join(root, ".build");
/** Not a function: the static connector registry every function imports. */
const SHARED_MODULES = new Set(["registry.ts"]);
/** Fixed zip timestamp: identical bundles give identical zips, so deploys skip unchanged functions. */
const ZIP_MTIME = new Date(2000, 0, 1);

/** `create-task.ts` -> `createTask`, the function key serverless.yml and CONTRACT.md use. */
function functionKey(fileName) {
  return basename(fileName, ".ts").replace(/-([a-z0-9])/g, (_, c) => c.toUpperCase());
}

function functionEntries() {
  const files = readdirSync(functionsDir).filter((f) => f.endsWith(".ts") && !SHARED_MODULES.has(f));
  return Object.fromEntries(files.sort().map((f) => [`${functionKey(f)}/index`, join(functionsDir, f)]));
}

/** Written beside the target then renamed: a concurrent reader (serverless offline, a test) never sees half a file. */
function writeAtomically(path, contents) {
  mkdirSync(dirname(path), { recursive: true });
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, contents);
  renameSync(temporary, path);
}

function zipOf(fileName, contents) {
  const zip = new yazl.ZipFile();
  zip.addBuffer(contents, fileName, { mtime: ZIP_MTIME, mode: 0o100644 });
  zip.end();
  return new Promise((resolve, reject) => {
    const chunks = [];
    zip.outputStream
      .on("data", (chunk) => chunks.push(chunk))
      .on("error", reject)
      .on("end", () => resolve(Buffer.concat(chunks)));
  });
}

execFileSync(process.execPath, [join(root, "infra/generate-idl.mjs")], { stdio: "inherit" });

const started = performance.now();
const result = await esbuild.build({
  absWorkingDir: root,
  entryPoints: functionEntries(),
  outdir: outDir,
  outExtension: { ".js": ".mjs" },
  ...FUNCTION_SETTINGS,
  plugins: FUNCTION_PLUGINS,
  metafile: true,
  write: false,
});

const rows = [];
for (const file of result.outputFiles) {
  const name = basename(dirname(file.path));
  const { code, rewritten } = compileModuleBodiesEagerly(file.text);
  if (rewritten === 0) throw new Error(`build: found no module bodies to compile eagerly in ${name}: has esbuild's output changed?`);
  const bundle = Buffer.from(code);
  writeAtomically(file.path, bundle);
  const zip = await zipOf("index.mjs", bundle);
  writeAtomically(join(outDir, `${name}.zip`), zip);
  rows.push({ name, minified: bundle.byteLength, gzip: gzipSync(bundle, { level: 9 }).byteLength, zip: zip.byteLength });
}
writeAtomically(join(outDir, "meta.json"), JSON.stringify(result.metafile));
const elapsed = Math.round(performance.now() - started);

rows.sort((a, b) => a.name.localeCompare(b.name));
const columns = ["function", "minified", "gzip", "zip"];
const table = [columns, ...rows.map((r) => [r.name, r.minified, r.gzip, r.zip].map(String))];
const widths = columns.map((_, i) => Math.max(...table.map((row) => row[i].length)));
for (const row of table) {
  console.log(row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join("  "));
}
console.log(`bytes; ${rows.length} functions built into ${relative(process.cwd(), outDir) || "."} in ${elapsed} ms`);

if (process.argv.includes("--analyze")) {
  console.log(await esbuild.analyzeMetafile(result.metafile));
}
