/**
 * infra/generate-idl.mjs's skip: in a scratch tree (the script and its protos copied, node_modules
 * linked), a second run with a matching stamp writes nothing, and one whose output lost a file
 * writes it again instead of leaving the build to fail on a missing module.
 */
import { execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, statSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, test } from "vitest";
import { REPO_ROOT } from "../support/build.js";

const scratch = mkdtempSync(join(tmpdir(), "generate-idl-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

test("a matching stamp skips the run, unless a generated file is gone", () => {
  mkdirSync(join(scratch, "infra"));
  cpSync(join(REPO_ROOT, "infra/generate-idl.mjs"), join(scratch, "infra/generate-idl.mjs"));
  cpSync(join(REPO_ROOT, "infra/proto"), join(scratch, "infra/proto"), { recursive: true });
  symlinkSync(join(REPO_ROOT, "node_modules"), join(scratch, "node_modules"), "dir");
  const generate = () => execFileSync(process.execPath, [join(scratch, "infra/generate-idl.mjs")], { stdio: "ignore" });
  const gen = join(scratch, "lib/idl/gen");

  generate();
  const written = statSync(join(gen, "flyteidl.js")).mtimeMs;
  generate();
  expect(statSync(join(gen, "flyteidl.js")).mtimeMs).toBe(written);

  rmSync(join(gen, "descriptor2.d.ts"));
  generate();
  expect(existsSync(join(gen, "descriptor2.d.ts"))).toBe(true);
}, 120_000);
