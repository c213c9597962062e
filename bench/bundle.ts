/**
 * The project's function bundles (built by infra/build.mjs), and bundles the bench builds itself
 * with the same esbuild settings: the empty-handler floor and the codec alternatives.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import * as esbuild from "esbuild";
import { compileModuleBodiesEagerly, FUNCTION_PLUGINS, FUNCTION_SETTINGS } from "../infra/function-bundle.mjs";
import { CHILDREN_DIR, DEPS_DIR, FUNCTIONS_BUILD_DIR, ROOT } from "./paths.js";

export interface FunctionBundle {
  /** Function key, e.g. `createTask`. */
  readonly name: string;
  readonly path: string;
}

/**
 * Runs the project's build once; its bundles land in .build/<function>/index.mjs, or, built with
 * source maps (`npm run build -- --source-maps`), in the bench's own directory.
 */
export function buildFunctions({ sourceMaps = false } = {}): FunctionBundle[] {
  const outDir = sourceMaps ? join(DEPS_DIR, "source-maps") : FUNCTIONS_BUILD_DIR;
  const args = sourceMaps ? ["--source-maps", "--out-dir", outDir] : [];
  execFileSync(process.execPath, [join(ROOT, "infra/build.mjs"), ...args], { cwd: ROOT, stdio: ["ignore", "ignore", "inherit"] });
  return readdirSync(outDir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(outDir, entry.name, "index.mjs")))
    .map((entry) => ({ name: entry.name, path: join(outDir, entry.name, "index.mjs") }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** What the build of a function's `index.mjs` asks of its environment (function-environment.json, which serverless.yml reads). */
export function functionEnvironment(bundlePath: string): Record<string, string> {
  return JSON.parse(readFileSync(join(dirname(dirname(bundlePath)), "function-environment.json"), "utf8")) as Record<string, string>;
}

/** The esbuild metafile of the last build of the functions. */
export function functionsMetafile(): esbuild.Metafile {
  return JSON.parse(readFileSync(join(FUNCTIONS_BUILD_DIR, "meta.json"), "utf8")) as esbuild.Metafile;
}

export interface BundleSource {
  /** An entry file, or module source text resolved from `resolveDir`. */
  readonly entry: { readonly file: string } | { readonly contents: string; readonly resolveDir: string };
  readonly outfile: string;
  readonly plugins?: esbuild.Plugin[];
}

/** Bundles with the functions' settings; returns the bundle's bytes (also written to `outfile`). */
export async function bundleLikeAFunction(source: BundleSource): Promise<Uint8Array> {
  const entry =
    "file" in source.entry
      ? { entryPoints: [source.entry.file] }
      : { stdin: { contents: source.entry.contents, resolveDir: source.entry.resolveDir, loader: "js" as const } };
  const result = await esbuild.build({
    ...FUNCTION_SETTINGS,
    ...entry,
    outfile: source.outfile,
    plugins: [...FUNCTION_PLUGINS, ...(source.plugins ?? [])],
    write: false,
  });
  const [compiled] = compileModuleBodiesEagerly([{ path: source.outfile, code: result.outputFiles[0]!.text }]);
  const bundle = Buffer.from(compiled!.code);
  mkdirSync(dirname(source.outfile), { recursive: true });
  writeFileSync(source.outfile, bundle);
  return bundle;
}

/**
 * A bench child that runs project code (bench/children/<name>.ts), bundled like a function:
 * tsx would add its own cost (it keeps function names with a helper called at run time).
 */
export async function bundleChild(name: string): Promise<string> {
  const outfile = join(DEPS_DIR, "children", `${name}.mjs`);
  await bundleLikeAFunction({ entry: { file: join(CHILDREN_DIR, `${name}.ts`) }, outfile });
  return outfile;
}
