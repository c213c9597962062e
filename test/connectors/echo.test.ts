import { expect, test } from "vitest";
import { ConnectorRegistry } from "../../lib/connector/registry.js";
import { EchoConnector } from "../../lib/connectors/echo.js";
import { flyteidl } from "../../lib/idl/index.js";
import { ConnectorService } from "../../lib/service/service.js";

const service = new ConnectorService(new ConnectorRegistry().register(new EchoConnector()));
const header = new flyteidl.admin.ExecuteTaskSyncRequest({ header: { template: { type: "echo" } } });

test("answers SUCCEEDED with outputs equal to the inputs", async () => {
  const literals = {
    n: { scalar: { primitive: { integer: 7 } } },
    s: { scalar: { primitive: { stringValue: "hi" } } },
  };
  const [response] = await service.executeTaskSync([header, new flyteidl.admin.ExecuteTaskSyncRequest({ inputs: { literals } })]);
  const resource = response?.header?.resource;
  expect(resource?.phase).toBe(flyteidl.core.TaskExecution.Phase.SUCCEEDED);
  const encoded = flyteidl.core.LiteralMap.encode(resource!.outputs!).finish();
  expect(encoded).toEqual(flyteidl.core.LiteralMap.encode({ literals }).finish());
});

test("no inputs echo an empty map, not absent outputs", async () => {
  const [response] = await service.executeTaskSync([header]);
  expect(response?.header?.resource?.outputs?.literals).toEqual({});
});

test("is listed as a sync connector", () => {
  expect(service.listAgents().agents[0]).toMatchObject({ name: "Echo Connector", isSync: true, supportedTaskTypes: ["echo"] });
});
