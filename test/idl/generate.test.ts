/**
 * infra/generate-idl.mjs in a scratch tree (the script and its protos copied, node_modules
 * linked): a second run with a matching stamp writes nothing, one whose output lost a file writes
 * it again instead of leaving the build to fail on a missing module, and runs that overlap each
 * finish with the same files.
 */
import { execFile, execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, expect, test } from "vitest";
import { REPO_ROOT } from "../support/build.js";

const scratch = mkdtempSync(join(tmpdir(), "generate-idl-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

mkdirSync(join(scratch, "infra"));
cpSync(join(REPO_ROOT, "infra/generate-idl.mjs"), join(scratch, "infra/generate-idl.mjs"));
cpSync(join(REPO_ROOT, "infra/proto"), join(scratch, "infra/proto"), { recursive: true });
symlinkSync(join(REPO_ROOT, "node_modules"), join(scratch, "node_modules"), "dir");
const script = join(scratch, "infra/generate-idl.mjs");
const gen = join(scratch, "lib/idl/gen");

test("a matching stamp skips the run, unless a generated file is gone", () => {
  const generate = () => execFileSync(process.execPath, [script], { stdio: "ignore" });

  generate();
  const written = statSync(join(gen, "flyteidl.js")).mtimeMs;
  generate();
  expect(statSync(join(gen, "flyteidl.js")).mtimeMs).toBe(written);

  rmSync(join(gen, "descriptor2.d.ts"));
  generate();
  expect(existsSync(join(gen, "descriptor2.d.ts"))).toBe(true);
}, 120_000);

test("runs that overlap each finish, and leave the files one run writes", async () => {
  execFileSync(process.execPath, [script, "--force"], { stdio: "ignore" });
  const files = readdirSync(gen).sort();
  const single = files.map((file) => readFileSync(join(gen, file), "utf8"));

  // Before, every run wrote and deleted the same intermediates in lib/idl/gen: one run's cleanup
  // could pull a file from under another's pbjs.
  await Promise.all([1, 2].map(() => promisify(execFile)(process.execPath, [script, "--force"])));
  expect(readdirSync(gen).sort()).toStrictEqual(files);
  expect(files.map((file) => readFileSync(join(gen, file), "utf8"))).toStrictEqual(single);
}, 180_000);
