import type { Metafile } from "esbuild";
import { describe, expect, it } from "vitest";
import { connectorChunks, connectorName, coreFiles, functionNames, largestModules, moduleGroup } from "../../bench/suites/size.js";

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

/** A build of two functions: createTask with a core of two files and two connectors sharing a chunk, getTask of one file. */
function metafile(): Metafile {
  const output = (bytes: number, inputs: Record<string, number>, imports: [string, string][] = [], entryPoint?: string) => ({
    bytes,
    inputs: Object.fromEntries(Object.entries(inputs).map(([path, bytesInOutput]) => [path, { bytesInOutput }])),
    imports: imports.map(([kind, path]) => ({ kind, path })),
    exports: [],
    ...(entryPoint && { entryPoint }),
  });
  return {
    inputs: {
      "functions/registry.ts": {
        bytes: 1,
        imports: [
          { path: "lib/connector/registry.ts", kind: "import-statement", original: "../lib/connector/registry.js" },
          { path: "lib/connectors/echo.ts", kind: "dynamic-import", original: "../lib/connectors/echo.js" },
          { path: "lib/connectors/databricks/connector.ts", kind: "dynamic-import", original: "../lib/connectors/databricks/connector.js" },
          { path: "@aws-sdk/client-ssm", kind: "dynamic-import", external: true },
        ],
      },
    },
    outputs: {
      ".build/getTask/index.mjs": output(10, { "lib/service/service.ts": 10 }),
      ".build/createTask/index.mjs": output(
        100,
        { "functions/create-task.ts": 50, "lib/literals/a.ts": 50 },
        [
          ["import-statement", ".build/createTask/chunk-CORE.mjs"],
          ["dynamic-import", ".build/createTask/echo-E.mjs"],
          ["dynamic-import", ".build/createTask/connector-D.mjs"],
          ["dynamic-import", "@aws-sdk/client-ssm"],
        ],
        "functions/create-task.ts",
      ),
      ".build/createTask/chunk-CORE.mjs": output(500, {
        "node_modules/protobufjs/src/reader.js": 100,
        "node_modules/protobufjs/src/writer.js": 150,
        "lib/literals/b.ts": 250,
      }),
      ".build/createTask/echo-E.mjs": output(30, { "lib/connectors/echo.ts": 30 }, [["import-statement", ".build/createTask/chunk-SHARED.mjs"], ["import-statement", ".build/createTask/chunk-CORE.mjs"]], "lib/connectors/echo.ts"),
      ".build/createTask/connector-D.mjs": output(4000, { "lib/connectors/databricks/connector.ts": 4000 }, [["import-statement", ".build/createTask/chunk-SHARED.mjs"]], "lib/connectors/databricks/connector.ts"),
      ".build/createTask/chunk-SHARED.mjs": output(7, { "lib/connector/connector.ts": 7 }),
    },
  } as unknown as Metafile;
}

describe("the functions' files, from the metafile", () => {
  it("names each function by its entry's directory", () => {
    expect(functionNames(metafile())).toEqual(["createTask", "getTask"]);
  });

  it("takes a function's core to be its entry and what the entry imports, not what it imports with import()", () => {
    expect([...coreFiles(metafile(), "createTask")].sort()).toEqual([".build/createTask/chunk-CORE.mjs", ".build/createTask/index.mjs"]);
    expect([...coreFiles(metafile(), "getTask")]).toEqual([".build/getTask/index.mjs"]);
    expect(() => coreFiles(metafile(), "listAgents")).toThrow("the metafile has no bundle for listAgents");
  });

  it("finds each connector the registry imports, with the chunks its first use adds to the core", () => {
    expect(connectorChunks(metafile())).toEqual([
      { module: "lib/connectors/echo.ts", files: [".build/createTask/echo-E.mjs", ".build/createTask/chunk-SHARED.mjs"] },
      { module: "lib/connectors/databricks/connector.ts", files: [".build/createTask/connector-D.mjs", ".build/createTask/chunk-SHARED.mjs"] },
    ]);
  });

  it("names a connector by its module", () => {
    expect(connectorName("lib/connectors/echo.ts")).toBe("echo");
    expect(connectorName("lib/connectors/databricks/connector.ts")).toBe("databricks");
    expect(connectorName("lib/connectors/aws/index.ts")).toBe("aws");
    expect(connectorName("lib/connectors/openai/batch.ts")).toBe("openai/batch");
  });
});

describe("largestModules", () => {
  it("sums the inputs of one function's core per group, largest first", () => {
    expect(largestModules(metafile(), "createTask")).toEqual([
      { path: "lib/literals/", bytes: 300 },
      { path: "protobufjs", bytes: 250 },
      { path: "functions/create-task.ts", bytes: 50 },
    ]);
  });

  it("fails for a function the metafile does not have", () => {
    expect(() => largestModules(metafile(), "listAgents")).toThrow("the metafile has no bundle for listAgents");
  });
});
