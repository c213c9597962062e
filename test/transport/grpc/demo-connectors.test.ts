/** The demo connectors of the static registry (functions/registry.ts) through the gRPC front, as FlytePropeller drives them. */
import { afterAll, beforeAll, expect, test } from "vitest";
import { registry } from "../../../functions/registry.js";
import { Phase } from "../../../lib/connector/phase.js";
import { flyteidl } from "../../../lib/idl/index.js";
import { operations } from "../../../lib/service/operations.js";
import { ConnectorService } from "../../../lib/service/service.js";
import { startGrpcServer, type GrpcServer } from "../../../lib/transport/grpc/index.js";
import { RawClient } from "./raw-client.js";

const { admin, core } = flyteidl;

let server: GrpcServer;
let client: RawClient;

beforeAll(async () => {
  server = await startGrpcServer({ dispatch: new ConnectorService(registry).dispatch, host: "127.0.0.1", port: 0 });
  client = new RawClient(server.address);
});

afterAll(async () => {
  client.close();
  await server.close();
});

const template = (type: string, outputs: flyteidl.core.IVariableMap["variables"] = {}): flyteidl.core.ITaskTemplate => ({
  id: { resourceType: core.ResourceType.TASK, project: "p", domain: "d", name: `${type}-task`, version: "1" },
  type,
  interface: { outputs: { variables: outputs } },
});

test("ListAgents serves echo (sync), sleep (async) and webhook (sync)", async () => {
  const response = await client.unary(operations.listAgents, new admin.ListAgentsRequest());
  const byCategory = Object.fromEntries(
    (response.agents ?? []).flatMap((agent) => (agent.supportedTaskCategories ?? []).map((category) => [category.name, agent.isSync])),
  );
  expect(byCategory).toEqual({ echo: true, sleep: false, webhook: true });
});

test("sleep runs from CreateTask to SUCCEEDED with its seconds as output", async () => {
  const seconds = { literals: { seconds: { scalar: { primitive: { floatValue: 0.3 } } } } };
  const created = await client.unary(
    operations.createTask,
    new admin.CreateTaskRequest({ template: template("sleep"), inputs: seconds, outputPrefix: "s3://bucket/out" }),
    { deadline: Date.now() + 3000 },
  );
  const getRequest = new admin.GetTaskRequest({ taskCategory: { name: "sleep", version: 0 }, resourceMeta: created.resourceMeta });

  const phases: number[] = [];
  let resource: flyteidl.admin.IResource | null | undefined;
  const giveUpAt = Date.now() + 5000;
  do {
    if (phases.length > 0) await new Promise((resolve) => setTimeout(resolve, 100));
    resource = (await client.unary(operations.getTask, getRequest, { deadline: Date.now() + 3000 })).resource;
    phases.push(resource?.phase ?? Phase.UNDEFINED);
  } while (resource?.phase === Phase.RUNNING && Date.now() < giveUpAt);

  expect(phases[0]).toBe(Phase.RUNNING);
  expect(resource?.phase).toBe(Phase.SUCCEEDED);
  expect(resource?.outputs?.literals?.seconds?.scalar?.primitive?.floatValue).toBe(0.3);
  await client.unary(operations.deleteTask, new admin.DeleteTaskRequest({ taskCategory: { name: "sleep" }, resourceMeta: created.resourceMeta }));
});

test("echo answers its inputs through ExecuteTaskSync: header, inputs, half-close, one answer", async () => {
  const inputs = { literals: { x: { scalar: { primitive: { integer: 42 } } }, s: { scalar: { primitive: { stringValue: "hi" } } } } };
  const answers = await client.bidi(
    operations.executeTaskSync,
    [new admin.ExecuteTaskSyncRequest({ header: { template: template("echo") } }), new admin.ExecuteTaskSyncRequest({ inputs })],
    { deadline: Date.now() + 10_000 },
  );
  expect(answers).toHaveLength(1);
  const resource = answers[0]?.header?.resource;
  expect(resource?.phase).toBe(Phase.SUCCEEDED);
  expect(core.LiteralMap.toObject(core.LiteralMap.fromObject(resource?.outputs ?? {}), { longs: String })).toEqual(
    core.LiteralMap.toObject(core.LiteralMap.fromObject(inputs), { longs: String }),
  );
});
