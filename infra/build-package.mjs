// Builds what `npm pack` ships (run at prepack; npm run build:package): the JavaScript and
// declarations of the package's exports and CLI, compiled by tsc (tsconfig.build.json) into
// dist/lib and dist/functions, plus the generated flyteidl code they import, so that installing
// the package runs no generator. The repository itself runs on its sources (tsx, vitest): nothing
// but the package reads dist.
import { execFileSync } from "node:child_process";
import { copyFileSync, mkdirSync, readdirSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const run = (script, ...args) => execFileSync(process.execPath, [script, ...args], { cwd: root, stdio: "inherit" });

run(join(root, "infra/generate-idl.mjs"));
// Only what an earlier build of the package left: dist/front (build-front.mjs) is another build's.
for (const dir of ["dist/lib", "dist/functions"]) rmSync(join(root, dir), { recursive: true, force: true });
run(createRequire(import.meta.url).resolve("typescript/bin/tsc"), "-p", join(root, "tsconfig.build.json"));

// tsc compiles the modules importing lib/idl/gen but does not copy that JavaScript and its
// declarations: the generated code is copied as it is (its stamp is the generator's own).
const genDir = join(root, "lib/idl/gen");
const outDir = join(root, "dist/lib/idl/gen");
mkdirSync(outDir, { recursive: true });
for (const file of readdirSync(genDir).filter((name) => /\.(js|d\.ts)$/.test(name))) copyFileSync(join(genDir, file), join(outDir, file));
