import type { Metafile } from "esbuild";
import { describe, expect, it } from "vitest";
import { largestModules, moduleGroup } from "../../bench/suites/size.js";

describe("moduleGroup", () => {
  it("groups packages by name, scoped and nested ones included", () => {
    expect(moduleGroup("node_modules/protobufjs/src/reader.js")).toBe("protobufjs");
    expect(moduleGroup("node_modules/@middy/core/index.js")).toBe("@middy/core");
    expect(moduleGroup("node_modules/a/node_modules/@scope/b/index.js")).toBe("@scope/b");
  });

  it("keeps generated IDL files whole and groups other sources by lib/ folder", () => {
    expect(moduleGroup("lib/idl/gen/flyteidl.js")).toBe("lib/idl/gen/flyteidl.js");
    expect(moduleGroup("lib/literals/to-literal.ts")).toBe("lib/literals/");
    expect(moduleGroup("functions/registry.ts")).toBe("functions/registry.ts");
  });
});

describe("largestModules", () => {
  const input = (bytesInOutput: number) => ({ bytesInOutput });
  const metafile = {
    inputs: {},
    outputs: {
      ".build/getTask/index.mjs": { bytes: 10, inputs: { "lib/service/service.ts": input(10) }, imports: [], exports: [] },
      ".build/createTask/index.mjs": {
        bytes: 600,
        inputs: {
          "node_modules/protobufjs/src/reader.js": input(100),
          "node_modules/protobufjs/src/writer.js": input(150),
          "lib/literals/a.ts": input(200),
          "lib/literals/b.ts": input(100),
          "functions/create-task.ts": input(50),
        },
        imports: [],
        exports: [],
      },
    },
  } as unknown as Metafile;

  it("sums one function's inputs per group, largest first", () => {
    expect(largestModules(metafile, "createTask")).toEqual([
      { path: "lib/literals/", bytes: 300 },
      { path: "protobufjs", bytes: 250 },
      { path: "functions/create-task.ts", bytes: 50 },
    ]);
  });

  it("fails for a function the metafile does not have", () => {
    expect(() => largestModules(metafile, "listAgents")).toThrow("the metafile has no bundle for listAgents");
  });
});
