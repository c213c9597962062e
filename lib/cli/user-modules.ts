/**
 * Imports a module a user names on the command line (`--registry`, `--connector`): a path, in
 * TypeScript or JavaScript, in an ES module or a CommonJS project, or a package name. Every failure
 * is a usage error that says which module and why.
 */
import { existsSync } from "node:fs";
import { createRequire, register } from "node:module";
import { isAbsolute, join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { errorMessage } from "../connector/errors.js";
import { UsageError } from "./command.js";

/**
 * A resolve hook: a project's own .ts/.tsx files are ES modules, whatever its package.json says.
 * TypeScript is written with import and export; in a CommonJS project (`npm init -y`) Node would
 * take such a file for CommonJS and fail inside the import that loads it ("Cannot require() ES
 * Module ... in a cycle"). Compiling it to CommonJS instead (tsx's require hook) would load a
 * second copy of this package for it, whose errors and classes the service does not recognize.
 * .cts, .js and .cjs files keep their format: CommonJS JavaScript requires this package as the
 * same ES module (require(esm) shares the module cache).
 */
const TYPESCRIPT_AS_ESM = `export async function resolve(specifier, context, next) {
  const resolved = await next(specifier, context);
  const own = resolved.url.startsWith("file:") && /\\.tsx?$/.test(resolved.url) && !resolved.url.includes("/node_modules/");
  return own ? { ...resolved, format: "module" } : resolved;
}`;

let hooked = false;

/** `what` names the module in messages, e.g. "Registry module". */
export async function importUserModule(specifier: string, cwd: string, what: string): Promise<Record<string, unknown>> {
  const url = moduleUrl(specifier, cwd, what);
  if (!hooked) {
    await loadTypeScript();
    register(`data:text/javascript,${encodeURIComponent(TYPESCRIPT_AS_ESM)}`);
    hooked = true;
  }
  try {
    return (await import(url)) as Record<string, unknown>;
  } catch (error) {
    throw new UsageError(`Cannot load ${what.toLowerCase()} '${specifier}': ${errorMessage(error)}`);
  }
}

/**
 * tsx's loader, for a user's TypeScript (and for JavaScript that imports it), registered here on
 * first need rather than at start: it costs a command line about 180 ms. When this module is itself
 * TypeScript (the CLI run from its sources, or the tests), a TypeScript loader is running already.
 * The gRPC front's image has no tsx (infra/build-front.mjs): modules load there as Node loads them.
 */
async function loadTypeScript(): Promise<void> {
  if (import.meta.url.endsWith(".ts")) return;
  let tsx: typeof import("tsx/esm/api");
  try {
    tsx = await import("tsx/esm/api");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ERR_MODULE_NOT_FOUND") return;
    throw error;
  }
  tsx.register();
}

/** A path (relative to `cwd`) when it looks like one, else a package name, found from `cwd` as the user's own imports are. */
function moduleUrl(specifier: string, cwd: string, what: string): string {
  const isPath = specifier.startsWith(".") || isAbsolute(specifier) || /\.[cm]?[jt]sx?$/.test(specifier);
  if (!isPath) return packageUrl(specifier, cwd, what);
  const path = resolve(cwd, specifier);
  if (!existsSync(path)) throw new UsageError(`${what} '${specifier}' not found (looked for ${path}).`);
  return pathToFileURL(path).href;
}

/**
 * A package's entry, resolved from `cwd`: the CLI itself may be installed elsewhere (npx, a
 * global install, a workspace's root), where a bare import() would look. Node 20 resolves from
 * another directory only through require's algorithm; a package that exports for `import` alone is
 * left to import(), which then looks from the CLI's own location.
 */
function packageUrl(specifier: string, cwd: string, what: string): string {
  try {
    return pathToFileURL(createRequire(join(cwd, "package.json")).resolve(specifier)).href;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ERR_PACKAGE_PATH_NOT_EXPORTED") return specifier;
    throw new UsageError(`${what} '${specifier}' not found: no such package is installed for ${cwd}.`);
  }
}
