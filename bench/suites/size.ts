/** Suite 1: the minified and gzip size of each function's bundle, and what fills it. */
import { readFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import type { Metafile } from "esbuild";
import { buildFunctions, functionsMetafile } from "../bundle.js";
import { currentRun } from "../machine.js";
import type { ModuleShare, SizeResult } from "../results.js";

/** The function whose bundle is broken down in the report (they all share the same modules). */
const ANALYZED = "createTask";
const LARGEST_SHOWN = 10;

export async function runSize(): Promise<SizeResult> {
  const run = currentRun();
  const bundles = buildFunctions().map(({ name, path }) => {
    const bytes = readFileSync(path);
    return { name, minified: bytes.byteLength, gzip: gzipSync(bytes, { level: 9 }).byteLength };
  });
  return { run, bundles, breakdownOf: ANALYZED, largest: largestModules(functionsMetafile(), ANALYZED).slice(0, LARGEST_SHOWN) };
}

/** Bytes each package (or lib/ folder, or generated file) contributes to one function's bundle, largest first. */
export function largestModules(metafile: Metafile, functionName: string): ModuleShare[] {
  const output = Object.entries(metafile.outputs).find(([path]) => path.endsWith(`${functionName}/index.mjs`));
  if (!output) throw new Error(`the metafile has no bundle for ${functionName}`);
  const groups = new Map<string, number>();
  for (const [path, input] of Object.entries(output[1].inputs)) {
    const group = moduleGroup(path);
    groups.set(group, (groups.get(group) ?? 0) + input.bytesInOutput);
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
