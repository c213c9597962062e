/**
 * The deployable build (infra/build.mjs) as tests use it: run it, and find its outputs.
 * The build writes each file atomically, so suites running it in parallel do not trip over
 * each other's output.
 */
import { execFile } from "node:child_process";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
export const BUILD_DIR = join(REPO_ROOT, ".build");

/** `.build/<key>/index.mjs`: the bundle of the function with key `key` (its op name). */
export function bundlePath(key: string): string {
  return join(BUILD_DIR, key, "index.mjs");
}

/** `.build/<key>.zip`: what serverless.yml deploys for that function. */
export function artifactPath(key: string): string {
  return join(BUILD_DIR, `${key}.zip`);
}

let built: Promise<string> | undefined;

/** Runs the build once per test process and resolves to what it printed (the size table). */
export function buildFunctions(): Promise<string> {
  built ??= promisify(execFile)(process.execPath, [join(REPO_ROOT, "infra/build.mjs")], { cwd: REPO_ROOT }).then(
    ({ stdout }) => stdout,
  );
  return built;
}
