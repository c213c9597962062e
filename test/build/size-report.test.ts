/** infra/build-functions.mjs's report of a build, as `npm run build` and `flyte-connector build` print it. */
import { join } from "node:path";
import { expect, test } from "vitest";
import { sizeReport, type BuildResult, type BuiltFile } from "../../infra/build-functions.mjs";

const file = (name: string, size: number, loaded: string): BuiltFile => ({
  name,
  path: `/out/${name}`,
  bytes: Buffer.alloc(size),
  gzip: size / 2,
  loaded,
});
const NO_METAFILE = { inputs: {}, outputs: {} };

test("tables of sizes, then a sentence saying what was built, where, how fast, and the unit", () => {
  const result: BuildResult = {
    built: [
      {
        key: "createTask",
        files: [file("index.mjs", 100, "at start"), file("sleep.mjs", 40, "lib/connectors/sleep.ts")],
        zip: Buffer.alloc(90),
        metafile: NO_METAFILE,
      },
      { key: "listAgents", files: [file("index.mjs", 60, "at start")], zip: Buffer.alloc(50), metafile: NO_METAFILE },
    ],
    metafile: NO_METAFILE,
    elapsedMs: 1234,
  };
  expect(sizeReport(result, join(process.cwd(), ".build"))).toEqual([
    "function    at start  gzip  files  zip  files",
    "createTask       100    50      1   90      2",
    "listAgents        60    30      1   50      1",
    "",
    "chunk      minified  gzip  functions  loaded on first use of",
    "sleep.mjs        40    20          1  lib/connectors/sleep.ts",
    "Built 2 functions into .build in 1234 ms (sizes in bytes).",
  ]);
});
