/**
 * This package's own package.json, found from this module's location: the same walk works from
 * the sources (lib/cli/) and from a compiled copy at another depth (dist/), installed or not.
 */
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const PACKAGE_NAME = "flyte-connectors-serverless";
/** package.json's export condition for the package's TypeScript sources, which only the repository has. */
export const SOURCE_CONDITION = "flyte-connectors-serverless-source";

export interface PackageInfo {
  readonly name: string;
  readonly version: string;
  /** The directory holding package.json. */
  readonly root: string;
  /** Version ranges by package name, dependencies and devDependencies together. */
  readonly dependencies: Readonly<Record<string, string>>;
}

interface Manifest {
  readonly name?: unknown;
  readonly version?: unknown;
  readonly dependencies?: Record<string, string>;
  readonly devDependencies?: Record<string, string>;
}

let found: PackageInfo | undefined;

/** Written into the gRPC front's bundle by infra/build-front.mjs: the image holds no package.json. */
declare const __PACKAGE_VERSION__: string | undefined;

/** This package's version: the bundle's own, else package.json's. */
export function packageVersion(): string {
  return typeof __PACKAGE_VERSION__ === "string" ? __PACKAGE_VERSION__ : packageInfo().version;
}

export function packageInfo(): PackageInfo {
  if (found) return found;
  for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
    const manifest = readManifest(join(dir, "package.json"));
    if (manifest?.name === PACKAGE_NAME && typeof manifest.version === "string") {
      const dependencies = { ...manifest.devDependencies, ...manifest.dependencies };
      return (found = { name: PACKAGE_NAME, version: manifest.version, root: dir, dependencies });
    }
    if (dirname(dir) === dir) throw new Error(`Cannot find the package.json of ${PACKAGE_NAME} above ${fileURLToPath(import.meta.url)}.`);
  }
}

function readManifest(path: string): Manifest | undefined {
  try {
    return JSON.parse(readFileSync(path, "utf8")) as Manifest;
  } catch {
    return undefined;
  }
}
