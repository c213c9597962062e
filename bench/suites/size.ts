/**
 * Suite 1: what each function loads at start (its core: the entry and the chunks it imports),
 * what each connector's chunks add on its first use, and what fills a core. Derived from the
 * build's metafile, so a connector registered in functions/registry.ts appears by itself.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import type { Metafile } from "esbuild";
import { loadedWith } from "../../infra/function-bundle.mjs";
import { buildFunctions, functionsMetafile } from "../bundle.js";
import { currentRun } from "../machine.js";
import { ROOT } from "../paths.js";
import type { ChunkSize, ModuleShare, SizeResult } from "../results.js";

/** The function whose core is broken down in the report (they all share the same modules). */
const ANALYZED = "createTask";
const LARGEST_SHOWN = 10;
/** The static registry, whose import() of each connector the build turns into a chunk. */
const REGISTRY = "functions/registry.ts";

export async function runSize(): Promise<SizeResult> {
  const run = currentRun();
  buildFunctions();
  const metafile = functionsMetafile();
  const bundles = functionNames(metafile).map((name) => {
    const core = coreFiles(metafile, name);
    return { name, ...measure(core), files: core.size };
  });
  const chunks: ChunkSize[] = connectorChunks(metafile).map(({ module, files }) => ({
    connector: connectorName(module),
    module,
    ...measure(files),
    files: files.length,
  }));
  return { run, bundles, chunks, breakdownOf: ANALYZED, largest: largestModules(metafile, ANALYZED).slice(0, LARGEST_SHOWN) };
}

/** Bytes of the files as written (after the build's post-processing), and gzipped one by one. */
function measure(paths: Iterable<string>): { minified: number; gzip: number } {
  let minified = 0;
  let gzip = 0;
  for (const path of paths) {
    const bytes = readFileSync(join(ROOT, path));
    minified += bytes.byteLength;
    gzip += gzipSync(bytes, { level: 9 }).byteLength;
  }
  return { minified, gzip };
}

const entryOf = (functionName: string) => `.build/${functionName}/index.mjs`;

/** The functions of the build, by their entries' directories. */
export function functionNames(metafile: Metafile): string[] {
  return Object.keys(metafile.outputs)
    .flatMap((path) => /^\.build\/([^/]+)\/index\.mjs$/.exec(path)?.[1] ?? [])
    .sort();
}

/** The output files a function loads at start. */
export function coreFiles(metafile: Metafile, functionName: string): Set<string> {
  if (!metafile.outputs[entryOf(functionName)]) throw new Error(`the metafile has no bundle for ${functionName}`);
  return loadedWith(metafile.outputs, entryOf(functionName));
}

/**
 * For each module the registry imports with import() (one per connector), the files a function
 * loads on its first use beyond its core: those of the function that loads the most.
 */
export function connectorChunks(metafile: Metafile): { module: string; files: string[] }[] {
  const modules = (metafile.inputs[REGISTRY]?.imports ?? []).filter((i) => i.kind === "dynamic-import" && !i.external).map((i) => i.path);
  return modules.map((module) => {
    let largest: string[] = [];
    for (const name of functionNames(metafile)) {
      const chunk = Object.keys(metafile.outputs).find((path) => path.startsWith(`.build/${name}/`) && metafile.outputs[path]!.entryPoint === module);
      if (!chunk) continue;
      const core = coreFiles(metafile, name);
      const added = [...loadedWith(metafile.outputs, chunk)].filter((path) => !core.has(path));
      const bytes = (files: string[]) => files.reduce((sum, path) => sum + metafile.outputs[path]!.bytes, 0);
      if (bytes(added) > bytes(largest)) largest = added;
    }
    return { module, files: largest };
  });
}

/** `lib/connectors/echo.ts` -> `echo`; `lib/connectors/databricks/connector.ts` -> `databricks`. */
export function connectorName(module: string): string {
  return module
    .replace(/^lib\/connectors\//, "")
    .replace(/\.[cm]?[jt]s$/, "")
    .replace(/\/(connector|index)$/, "");
}

/** Bytes each package (or lib/ folder, or generated file) contributes to one function's core, largest first. */
export function largestModules(metafile: Metafile, functionName: string): ModuleShare[] {
  const groups = new Map<string, number>();
  for (const output of coreFiles(metafile, functionName)) {
    for (const [path, input] of Object.entries(metafile.outputs[output]!.inputs)) {
      const group = moduleGroup(path);
      groups.set(group, (groups.get(group) ?? 0) + input.bytesInOutput);
    }
  }
  return [...groups].map(([path, bytes]) => ({ path, bytes })).sort((a, b) => b.bytes - a.bytes);
}

/**
 * `node_modules/@scope/pkg/...` -> `@scope/pkg` (the innermost package when nested); generated
 * IDL files stay whole; other sources group by folder.
 */
export function moduleGroup(path: string): string {
  const packages = [...path.matchAll(/(?:^|\/)node_modules\/((?:@[^/]+\/)?[^/]+)/g)];
  if (packages.length > 0) return packages.at(-1)![1]!;
  if (path.includes("/idl/gen/") || path.startsWith("lib/idl/gen/")) return path;
  const parts = path.split("/");
  return parts.length > 2 ? `${parts.slice(0, 2).join("/")}/` : path;
}
