/** Where the bench reads and writes. */
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = fileURLToPath(new URL("..", import.meta.url));
/** The project's own function bundles, as infra/build.mjs writes them. */
export const FUNCTIONS_BUILD_DIR = join(ROOT, ".build");
/** Everything the bench installs or generates (gitignored): codec alternatives, floor bundle. */
export const DEPS_DIR = join(ROOT, "bench/.deps");
export const CHILDREN_DIR = join(ROOT, "bench/children");
export const RESULTS_FILE = join(ROOT, "bench/results.json");
export const REPORT_FILE = join(ROOT, "BENCHMARKS.md");
