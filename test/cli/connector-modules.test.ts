import { describe, expect, test } from "vitest";
import { UsageError } from "../../lib/cli/command.js";
import { loadConnectorModule, registerConnectorModules } from "../../lib/cli/connector-modules.js";
import { ConnectorRegistry } from "../../lib/connector/registry.js";
import { REPO_ROOT } from "../support/build.js";

describe("loadConnectorModule", () => {
  test("takes instances and no-argument classes among the exports, the default first, and nothing else", async () => {
    const connectors = await loadConnectorModule("./test/cli/fixtures/mixed-exports.ts", REPO_ROOT);
    expect(connectors.map((connector) => [connector.name, connector.isSync])).toEqual([
      ["Shout Connector", true],
      ["Countdown Connector", false],
    ]);
  });

  test("builds no class an exported instance was made from, nor one whose category an instance has", async () => {
    const connectors = await loadConnectorModule("./test/cli/fixtures/configured.ts", REPO_ROOT);
    expect(connectors.map((connector) => connector.name)).toEqual(["Greeter (bonjour)", "Greeter (goodbye)"]);
  });

  test("a class that needs arguments is no error when the module exports an instance of it", async () => {
    const connectors = await loadConnectorModule("./test/cli/fixtures/configured-needs-arguments.ts", REPO_ROOT);
    expect(connectors.map((connector) => connector.taskCategory.toString())).toEqual(["api_v0"]);
  });

  test("resolves a path against the given directory; an absolute path as is", async () => {
    const relative = await loadConnectorModule("../cli/fixtures/mixed-exports.ts", `${REPO_ROOT}/test/client`);
    const absolute = await loadConnectorModule(`${REPO_ROOT}/test/cli/fixtures/mixed-exports.ts`, "/");
    expect(relative).toHaveLength(2);
    expect(absolute).toHaveLength(2);
  });

  test.each([
    ["./test/cli/fixtures/needs-arguments.ts", "Cannot construct connector ApiConnector of './test/cli/fixtures/needs-arguments.ts' with no arguments: an API key is required"],
    ["./test/cli/fixtures/missing.ts", "Connector module './test/cli/fixtures/missing.ts' not found (looked for "],
    ["lib/cli/input-values.ts", "Connector module 'lib/cli/input-values.ts' exports no connector"],
    ["no-such-package-anywhere", "Connector module 'no-such-package-anywhere' not found: no such package is installed for "],
  ])("%s is a usage error saying why", async (specifier, message) => {
    const error = await loadConnectorModule(specifier, REPO_ROOT).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message.startsWith(message)).toBe(true);
  });
});

test("registerConnectorModules puts module connectors over registered ones of the same category", async () => {
  const registry = new ConnectorRegistry();
  await registerConnectorModules(registry, ["./test/cli/fixtures/mixed-exports.ts"], REPO_ROOT);
  await registerConnectorModules(registry, ["./test/cli/fixtures/mixed-exports.ts"], REPO_ROOT);
  expect(registry.listConnectors().map((agent) => agent.name)).toEqual(["Shout Connector", "Countdown Connector"]);
});

test("registerConnectorModules keeps a module's configured instance for its category", async () => {
  const registry = await registerConnectorModules(new ConnectorRegistry(), ["./test/cli/fixtures/configured.ts"], REPO_ROOT);
  expect(registry.listConnectors().map((agent) => agent.name)).toEqual(["Greeter (bonjour)", "Greeter (goodbye)"]);
});
