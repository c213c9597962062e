/**
 * Vitest's global setup: lib/idl/gen is generated, never installed or committed, so a fresh clone
 * running `npx vitest` (not only `npm test`) generates it first; a no-op when it is up to date.
 */
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { REPO_ROOT } from "./build.js";

export default function setup(): void {
  execFileSync(process.execPath, [join(REPO_ROOT, "infra/generate-idl.mjs")], { stdio: "inherit" });
}
