// One cold start: import a function's bundle and answer one invocation, then report how long
// after process start (performance.now()'s origin) the import finished and the answer was ready.
//   node coldstart.mjs <bundle.mjs> <function name> <event JSON>
import { writeSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { lambdaContext } from "./lambda-context.mjs";

const [bundle, functionName, event] = process.argv.slice(2);
const { handler } = await import(pathToFileURL(bundle).href);
const importMs = performance.now();
const response = await handler(JSON.parse(event), lambdaContext(functionName));
const totalMs = performance.now();
writeSync(3, JSON.stringify({ importMs, totalMs, response }));
// A handler may leave timers behind (Lambda freezes the process); the measurement is done.
process.exit(0);
