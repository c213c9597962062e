/**
 * infra/runtime-node.mjs in a scratch tree (the script copied beside a serverless.yml of the
 * test's own, node_modules linked), on the paths that need no registry: CI runs the fetch itself
 * on every run (.ci/run).
 */
import { execFile } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, expect, test } from "vitest";
import { REPO_ROOT } from "../support/build.js";

const scratch = mkdtempSync(join(tmpdir(), "runtime-node-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
mkdirSync(join(scratch, "infra"));
cpSync(join(REPO_ROOT, "infra/runtime-node.mjs"), join(scratch, "infra/runtime-node.mjs"));
symlinkSync(join(REPO_ROOT, "node_modules"), join(scratch, "node_modules"), "dir");

async function run(runtime: string): Promise<{ code: number; stdout: string; stderr: string }> {
  writeFileSync(join(scratch, "serverless.yml"), `service: x\nprovider:\n  name: aws\n  runtime: ${runtime}\n`);
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [join(scratch, "infra/runtime-node.mjs")]);
    return { code: 0, stdout, stderr };
  } catch (error) {
    const { code, stdout, stderr } = error as { code: number; stdout: string; stderr: string };
    return { code, stdout, stderr };
  }
}

test("prints nothing when this node is of the runtime's major already: CI then tests once", async () => {
  const major = process.versions.node.split(".")[0];
  expect(await run(`nodejs${major}.x`)).toEqual({ code: 0, stdout: "", stderr: "" });
});

test("a runtime that names no Node.js major fails, saying so", async () => {
  expect(await run("python3.12")).toEqual({ code: 1, stdout: "", stderr: "runtime-node: serverless.yml's runtime python3.12 names no Node.js major\n" });
});
