/**
 * The registry entries the functions' static registry takes for Databricks (functions/registry.ts):
 * listed without loading, and what they load is what they say.
 */
import { expect, test } from "vitest";
import { ConnectorRegistry } from "../../../lib/connector/registry.js";

const registry = new ConnectorRegistry()
  .registerLazy({
    name: "Databricks Connector",
    taskTypeName: "spark",
    isSync: false,
    load: () => import("../../../lib/connectors/databricks/connector.js").then((m) => new m.DatabricksConnector()),
  })
  .registerLazy({
    name: "Databricks Connector",
    taskTypeName: "databricks",
    isSync: false,
    load: () => import("../../../lib/connectors/databricks/connector.js").then((m) => new m.DatabricksConnectorV2()),
  });

test("both task types list as one connector and load the connector their entry names", async () => {
  expect(registry.listConnectors().map((agent) => [agent.name, agent.supportedTaskTypes])).toEqual([["Databricks Connector", ["spark", "databricks"]]]);
  expect((await registry.getConnector("spark")).taskCategory.name).toBe("spark");
  expect((await registry.getConnector("databricks")).taskCategory.name).toBe("databricks");
});
