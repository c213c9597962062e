/**
 * What a new project (`init`) depends on to get this package. Run from a tarball (`npx
 * ./flyte-connectors-serverless-0.1.0.tgz init`) or from a project that installed one, a version
 * range would send the project's `npm install` to the registry for a package it may not have
 * (E404): the project depends on the same tarball instead, as npm recorded it.
 */
import { readFileSync } from "node:fs";
import { basename, dirname, relative, resolve } from "node:path";
import { PACKAGE_NAME } from "./package-info.js";

/** The dependency spec for a project in `projectDir`: `file:<tarball>` when the package at `root` was installed from one, else `^<version>`. */
export function dependencySpec(root: string, version: string, projectDir: string): string {
  const tarball = installedTarball(root);
  return tarball === undefined ? `^${version}` : `file:${relative(projectDir, tarball)}`;
}

/**
 * The tarball the package at `root` was installed from, as npm's hidden lockfile beside it
 * (node_modules/.package-lock.json) records it: `resolved` is `file:<path>`, relative to the
 * installing project. Undefined for a registry install, or a layout npm did not write (other
 * package managers; a linked directory, whose real path `root` is, has no node_modules above it).
 */
function installedTarball(root: string): string | undefined {
  const modules = dirname(root);
  if (basename(modules) !== "node_modules") return undefined;
  let resolved: unknown;
  try {
    const lock = JSON.parse(readFileSync(resolve(modules, ".package-lock.json"), "utf8")) as { packages?: Record<string, { resolved?: unknown }> };
    resolved = lock.packages?.[`node_modules/${PACKAGE_NAME}`]?.resolved;
  } catch {
    return undefined;
  }
  return typeof resolved === "string" && resolved.startsWith("file:") ? resolve(dirname(modules), resolved.slice("file:".length)) : undefined;
}
