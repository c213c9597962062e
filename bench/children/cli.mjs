// One command line of the package's compiled CLI in a fresh process, as its installed bin runs it
// (dist/lib/cli/main.js; no tsx, which the bin registers only for a user's module), or one import
// of a package entry; then how long after process start (performance.now()'s origin) it was done.
//   node cli.mjs main <dist/lib/cli/main.js> <arg ...>
//   node cli.mjs import <module>
//   node cli.mjs floor
import { writeSync } from "node:fs";
import { pathToFileURL } from "node:url";

const [kind, module, ...args] = process.argv.slice(2);
let code = 0;
if (kind === "main") code = await (await import(pathToFileURL(module).href)).main(args);
else if (kind === "import") await import(pathToFileURL(module).href);
writeSync(3, JSON.stringify({ totalMs: performance.now(), code }));
// As the bin does: keep-alive sockets must not hold a finished command open.
process.exit(0);
