// Builds deployable Lambda functions over one connector registry: one esbuild build per
// operation, and one zip per function for `package.artifact`. The repository's own functions
// (infra/build.mjs, `npm run build`) and a user's (`flyte-connector build --registry <module>`)
// are built by this same code; only where the entries come from differs.
//
// Output, in `outDir` (.build/):
//   <function>/index.mjs   the entry; handler `index.handler`
//   <function>/*.mjs       its chunks: what the entry imports (loaded at start) and what a literal
//                          import() loads on first use (each connector, the HTTP adapter), beside
//                          the entry
//   <function>.zip         the function's directory, what serverless.yml deploys
//   meta.json              esbuild metafile of all builds, merged (esbuild's analyzer reads it)
//   function-environment.json
//                          what the functions' environment needs for this build, which
//                          serverless.yml reads: NODE_OPTIONS=--enable-source-maps when built with
//                          source maps (*.mjs.map beside each file, in the zip too), else nothing
//
// One build per function rather than one for all: a function's chunks then hold only the code
// it shares with its own lazy chunks, so it loads as few files as it can at start, and its zip
// is its directory. The functions that answer from the registry's entries alone (getAgent,
// listAgents) never load a connector, and are built without the connectors' chunks.
import { mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { basename, dirname, join, relative } from "node:path";
import { gzipSync } from "node:zlib";
import * as esbuild from "esbuild";
import yazl from "yazl";
import {
  compileModuleBodiesEagerly,
  FUNCTION_CHUNKS,
  FUNCTION_PLUGINS,
  FUNCTION_SETTINGS,
  FUNCTION_SOURCE_MAPS,
  loadedWith,
} from "./function-bundle.mjs";

/** The functions that answer from the registry's entries alone, never loading a connector. */
const METADATA_FUNCTIONS = new Set(["getAgent", "listAgents"]);
/** Fixed zip timestamp: identical bundles give identical zips, so deploys skip unchanged functions. */
const ZIP_MTIME = new Date(2000, 0, 1);
const GENERATED = "flyte-function";

/**
 * The entry of a function serving `registry` (a module exporting `registry`) with the handler
 * factory of `lambdaModule` (a specifier resolved from `resolveDir`, or a path): what
 * functions/<op>.ts is for the repository's registry.
 */
export function generatedEntry(key, { registry, lambdaModule, resolveDir }) {
  return {
    key,
    generated: {
      resolveDir,
      contents:
        `import { createLambdaHandler } from ${JSON.stringify(lambdaModule)};\n` +
        `import { registry } from ${JSON.stringify(registry)};\n` +
        `export const handler = createLambdaHandler(${JSON.stringify(key)}, registry);\n`,
    },
  };
}

/**
 * Builds every function and writes them to `outDir`.
 * - root: the project directory (esbuild's working directory; the metafile's paths are relative to it)
 * - registry: the absolute path of the registry module, whose import()s of connectors the
 *   metadata functions leave out
 * - entries: `{ key, entry }` (a module file) or `generatedEntry(...)`, one per function
 * - conditions: extra package.json export conditions (e.g. "flyte-connectors-serverless-source")
 * - sourceMaps: a source map beside each file, in the zip too (FUNCTION_SOURCE_MAPS)
 * Resolves to `{ built, metafile, elapsedMs }`, `built` holding each function's files and zip.
 */
export async function buildFunctions({ root, outDir, registry, entries, conditions = [], sourceMaps = false }) {
  const started = performance.now();
  const settled = await Promise.allSettled(entries.map((entry) => buildFunction(entry, { root, outDir, registry, conditions, sourceMaps })));
  const errors = await reportOnce(settled);
  const rejected = settled.filter((outcome) => outcome.status === "rejected").map((outcome) => outcome.reason);
  // A failure of ours says what it is; esbuild's names its errors again, which have just been shown.
  const own = rejected.find((reason) => !Array.isArray(reason?.errors));
  if (own) throw own;
  if (rejected.length > 0) throw new Error(`Build failed with ${errors} error${errors > 1 ? "s" : ""} (above).`, { cause: rejected[0] });
  const built = settled.map((outcome) => outcome.value);
  // Inputs as the functions that load connectors see them (in a metadata function, the registry's
  // imports of the connectors are left out), so theirs are merged last.
  const mergeOrder = [...built].sort((a, b) => Number(!METADATA_FUNCTIONS.has(a.key)) - Number(!METADATA_FUNCTIONS.has(b.key)));
  const metafile = {
    inputs: Object.assign({}, ...mergeOrder.map((b) => b.metafile.inputs)),
    outputs: Object.assign({}, ...built.map((b) => b.metafile.outputs)),
  };
  writeAtomically(join(outDir, "meta.json"), JSON.stringify(metafile));
  // Node reads the maps only when told to, at a cost to every cold start (BENCHMARKS.md): so only for a build that has them.
  writeAtomically(join(outDir, "function-environment.json"), `${JSON.stringify(sourceMaps ? { NODE_OPTIONS: "--enable-source-maps" } : {})}\n`);
  return { built, metafile, elapsedMs: Math.round(performance.now() - started) };
}

/**
 * esbuild's warnings and errors, each once, as its log would print them: the functions' builds
 * share their code, so one mistake in a connector is every build's that includes it. Resolves to
 * the number of errors.
 */
async function reportOnce(settled) {
  const seen = new Set();
  const unique = (messages) =>
    messages.filter(({ location, text }) => {
      const key = JSON.stringify([location?.file, location?.line, location?.column, text]);
      return !seen.has(key) && seen.add(key);
    });
  const of = (outcome, kind) => (outcome.status === "fulfilled" ? outcome.value : outcome.reason)?.[kind] ?? [];
  const color = process.stderr.isTTY === true;
  let errors = 0;
  for (const kind of ["warnings", "errors"]) {
    const messages = unique(settled.flatMap((outcome) => of(outcome, kind)));
    for (const text of await esbuild.formatMessages(messages, { kind: kind === "errors" ? "error" : "warning", color })) process.stderr.write(text);
    if (kind === "errors") errors = messages.length;
  }
  return errors;
}

/** The tables of sizes, per function and per lazily loaded chunk, as lines. */
export function sizeReport({ built, elapsedMs }, outDir) {
  const lines = [];
  const sum = (files, size) => files.reduce((total, file) => total + size(file), 0);
  table(
    lines,
    ["function", "at start", "gzip", "files", "zip", "files"],
    built.map(({ key, files, zip }) => {
      const start = files.filter((file) => file.loaded === "at start");
      return [key, sum(start, (file) => file.bytes.byteLength), sum(start, (file) => file.gzip), start.length, zip.byteLength, files.length];
    }),
  );
  // The chunks loaded on first use, each once: every function that can load one holds the same file.
  const lazy = new Map();
  for (const { key, files } of built) {
    for (const file of files.filter((f) => f.loaded !== "at start")) {
      const seen = lazy.get(file.name) ?? { ...file, functions: [] };
      seen.functions.push(key);
      lazy.set(file.name, seen);
    }
  }
  lines.push("");
  table(
    lines,
    ["chunk", "minified", "gzip", "functions", "loaded on first use of"],
    [...lazy.values()]
      .sort((a, b) => a.loaded.localeCompare(b.loaded) || a.name.localeCompare(b.name))
      .map((file) => [file.name, file.bytes.byteLength, file.gzip, file.functions.length, file.loaded]),
  );
  lines.push(`Built ${built.length} functions into ${relative(process.cwd(), outDir) || "."} in ${elapsedMs} ms (sizes in bytes).`);
  return lines;
}

/**
 * The registry's import() of each connector left to run time, where it would fail (a clear
 * "Cannot load" error), so that a metadata function's zip carries no connector code.
 */
function connectorsLeftOut(registry) {
  return {
    name: "connectors-left-out",
    setup(build) {
      build.onResolve({ filter: /.*/ }, ({ kind, importer, path }) =>
        kind === "dynamic-import" && importer === registry ? { path, external: true } : undefined,
      );
    },
  };
}

/** A generated entry, as a module of its own namespace. */
function generatedEntries(entry) {
  return {
    name: "generated-entry",
    setup(build) {
      build.onResolve({ filter: new RegExp(`^${GENERATED}:`) }, ({ path }) => ({ path, namespace: GENERATED }));
      build.onLoad({ filter: /.*/, namespace: GENERATED }, () => ({ contents: entry.contents, resolveDir: entry.resolveDir, loader: "js" }));
    },
  };
}

/** Written beside the target then renamed: a concurrent reader (serverless offline, a test) never sees half a file. */
function writeAtomically(path, contents) {
  mkdirSync(dirname(path), { recursive: true });
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, contents);
  renameSync(temporary, path);
}

/**
 * The files, by name, in name order: the same files give the same zip. The order is by code unit,
 * not the builder's locale's collation; the time is DOS time alone, which yazl writes in local
 * time as ZIP_MTIME is given (its default extra field holds UTC, which moves with the time zone).
 */
function zipOf(files) {
  const zip = new yazl.ZipFile();
  for (const { name, bytes } of [...files].sort((a, b) => (a.name < b.name ? -1 : 1))) {
    zip.addBuffer(bytes, name, { mtime: ZIP_MTIME, mode: 0o100644, forceDosTimestamp: true });
  }
  zip.end();
  return new Promise((resolve, reject) => {
    const chunks = [];
    zip.outputStream
      .on("data", (chunk) => chunks.push(chunk))
      .on("error", reject)
      .on("end", () => resolve(Buffer.concat(chunks)));
  });
}

async function buildFunction({ key, entry, generated }, { root, outDir, registry, conditions, sourceMaps }) {
  const dir = join(outDir, key);
  const plugins = [...FUNCTION_PLUGINS];
  if (METADATA_FUNCTIONS.has(key)) plugins.push(connectorsLeftOut(registry));
  if (generated) plugins.push(generatedEntries(generated));
  const result = await esbuild.build({
    absWorkingDir: root,
    entryPoints: { index: generated ? `${GENERATED}:${key}` : entry },
    outdir: dir,
    ...FUNCTION_SETTINGS,
    ...FUNCTION_CHUNKS,
    ...(conditions.length > 0 ? { conditions } : {}),
    ...(sourceMaps ? FUNCTION_SOURCE_MAPS : {}),
    plugins,
    metafile: true,
    write: false,
    // Reported by buildFunctions, once for all the builds.
    logLevel: "silent",
  });
  const { outputs } = result.metafile;
  const entryOutput = relative(root, join(dir, "index.mjs"));
  const atStart = loadedWith(outputs, entryOutput);
  // A file not loaded at start is loaded by the chunks of the literal import()s that reach it.
  const lazyChunks = Object.entries(outputs).filter(([path]) => isDynamicTarget(outputs, path));
  const loadedBy = (path) =>
    atStart.has(path)
      ? "at start"
      : lazyChunks.filter(([chunk]) => loadedWith(outputs, chunk).has(path)).map(([, output]) => output.entryPoint ?? "?").join(", ");

  const maps = new Map(result.outputFiles.filter((file) => file.path.endsWith(".map")).map((file) => [file.path, file.text]));
  const code = result.outputFiles.filter((file) => !maps.has(file.path));
  const compiled = compileModuleBodiesEagerly(code.map((file) => ({ path: file.path, code: file.text, map: maps.get(`${file.path}.map`) })));
  const startRewrites = compiled.filter(({ path }) => atStart.has(relative(root, path))).reduce((sum, file) => sum + file.rewritten, 0);
  if (startRewrites === 0) throw new Error(`build: found no module bodies to compile eagerly in ${key}: has esbuild's output changed?`);

  const files = compiled.map(({ path, code }) => {
    const bytes = Buffer.from(code);
    return { name: basename(path), path, bytes, gzip: gzipSync(bytes, { level: 9 }).byteLength, loaded: loadedBy(relative(root, path)) };
  });
  const mapFiles = compiled.filter((file) => file.map !== undefined).map(({ path, map }) => ({ name: `${basename(path)}.map`, path: `${path}.map`, bytes: Buffer.from(map) }));
  const written = [...files, ...mapFiles];
  for (const file of written) writeAtomically(file.path, file.bytes);
  // Chunks of an earlier build have other hashes; a temporary file is another build's, writing.
  const current = new Set(written.map((file) => file.name));
  for (const name of readdirSync(dir)) if (/\.mjs(\.map)?$/.test(name) && !current.has(name)) rmSync(join(dir, name), { force: true });
  const zip = await zipOf(written);
  writeAtomically(join(outDir, `${key}.zip`), zip);
  return { key, files, zip, metafile: result.metafile, warnings: result.warnings };
}

/** Whether another output imports `path` with import(). */
function isDynamicTarget(outputs, path) {
  return Object.values(outputs).some((output) => output.imports.some((i) => i.kind === "dynamic-import" && i.path === path));
}

/** Numbers right-aligned, text left. */
function table(lines, columns, rows) {
  const cells = [columns, ...rows.map((row) => row.map(String))];
  const widths = columns.map((_, i) => Math.max(...cells.map((row) => row[i].length)));
  const numeric = columns.map((_, i) => rows.every((row) => typeof row[i] === "number"));
  for (const row of cells) {
    lines.push(row.map((cell, i) => (numeric[i] ? cell.padStart(widths[i]) : cell.padEnd(widths[i]))).join("  ").trimEnd());
  }
}
