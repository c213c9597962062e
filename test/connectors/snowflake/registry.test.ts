/**
 * The registry entry the functions' static registry takes for Snowflake (functions/registry.ts):
 * listed without loading, and what it loads is what it says.
 */
import { expect, test } from "vitest";
import { ConnectorRegistry } from "../../../lib/connector/registry.js";

const registry = new ConnectorRegistry().registerLazy({
  name: "Snowflake Connector",
  taskTypeName: "snowflake",
  isSync: false,
  load: () => import("../../../lib/connectors/snowflake/connector.js").then((m) => new m.SnowflakeConnector()),
});

test("the entry lists the connector as flytekit and flyte-sdk name it, and loads it", async () => {
  expect(registry.listConnectors().map((agent) => [agent.name, agent.isSync, agent.supportedTaskTypes])).toEqual([["Snowflake Connector", false, ["snowflake"]]]);
  const connector = await registry.getConnector("snowflake");
  expect(connector.name).toBe("Snowflake Connector");
  expect(connector.isSync).toBe(false);
});
