/**
 * The same tree gives the same zips wherever it is built: `serverless deploy` skips a function
 * whose artifact hash is unchanged, so a zip that depends on the builder's time zone or locale
 * (a developer's machine against CI's) would redeploy every function.
 */
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { afterAll, expect, it } from "vitest";
import { REPO_ROOT } from "../support/build.js";

const scratch: string[] = [];
afterAll(async () => {
  await Promise.all(scratch.map((dir) => rm(dir, { recursive: true, force: true })));
});

/** createTask (its connectors' chunks included) built by infra/build-functions.mjs in a process with `env`; its zip. */
async function zipBuiltWith(env: Record<string, string>): Promise<Buffer> {
  const outDir = await mkdtemp(join(tmpdir(), "deterministic-"));
  scratch.push(outDir);
  const script = `
    import { buildFunctions } from ${JSON.stringify(pathToFileURL(join(REPO_ROOT, "infra/build-functions.mjs")).href)};
    await buildFunctions({
      root: ${JSON.stringify(REPO_ROOT)},
      outDir: ${JSON.stringify(outDir)},
      registry: ${JSON.stringify(join(REPO_ROOT, "functions/registry.ts"))},
      entries: [{ key: "createTask", entry: ${JSON.stringify(join(REPO_ROOT, "functions/create-task.ts"))} }],
    });`;
  await promisify(execFile)(process.execPath, ["--input-type=module", "-e", script], { cwd: REPO_ROOT, env: { PATH: process.env["PATH"] ?? "", ...env } });
  return readFile(join(outDir, "createTask.zip"));
}

const BASE = { TZ: "UTC", LC_ALL: "C", LANG: "C" };

it.each([
  ["time zone", { ...BASE, TZ: "Asia/Tokyo" }],
  // Czech collation sorts "ch" after "h": chunk-*.mjs after handler-*.mjs.
  ["locale", { ...BASE, LC_ALL: "cs_CZ.UTF-8", LANG: "cs_CZ.UTF-8" }],
])("gives the same zip in another %s", async (_, env) => {
  const [base, other] = await Promise.all([zipBuiltWith(BASE), zipBuiltWith(env)]);
  expect(other.equals(base)).toBe(true);
}, 60_000);
