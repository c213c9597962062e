import { describe, expect, test } from "vitest";
import { AsyncConnectorBase, SyncConnectorBase, type GetParams, type TaskParams } from "../../lib/connector/connector.js";
import { Status, TaskFailedError } from "../../lib/connector/errors.js";
import { Phase } from "../../lib/connector/phase.js";
import { ConnectorRegistry } from "../../lib/connector/registry.js";
import { Resource } from "../../lib/connector/resource.js";
import { defineResourceMeta, field } from "../../lib/connector/resource-meta.js";
import { knownSecrets } from "../../lib/connector/redact.js";
import { flyteidl } from "../../lib/idl/index.js";
import { ConnectorService } from "../../lib/service/service.js";
import { rejection } from "../support/rejection.js";

const RunMeta = defineResourceMeta("RunMeta", { run_id: field.string() });
type RunMeta = InstanceType<typeof RunMeta>;

/** Throws TaskFailedError as a platform's task-level refusal, synchronously or not. */
class RefusingConnector extends AsyncConnectorBase<RunMeta> {
  constructor() {
    super({ taskTypeName: "refusing", metadataType: RunMeta });
  }
  create(_params: TaskParams): RunMeta {
    throw new TaskFailedError("the job definition is invalid: missing cluster");
  }
  async get(meta: RunMeta, _params: GetParams): Promise<Resource> {
    if (meta.run_id === "sync") throw new TaskFailedError("thrown at once");
    throw new TaskFailedError(`run ${meta.run_id} does not exist (token tf-secret-value)`);
  }
  delete() {}
}

class RefusingSyncConnector extends SyncConnectorBase {
  constructor() {
    super({ taskTypeName: "refusing_sync" });
  }
  async do(): Promise<never> {
    throw new TaskFailedError("model not found");
  }
}

const service = new ConnectorService(new ConnectorRegistry().register(new RefusingConnector()).register(new RefusingSyncConnector()));
const category = { name: "refusing", version: 0 };
const metaOf = (runId: string) => new RunMeta({ run_id: runId }).encode();

describe("TaskFailedError: the platform failed the task itself", () => {
  test("from get it is a FAILED Resource with its message, redacted", async () => {
    knownSecrets.add("tf-secret-value");
    const { resource } = await service.getTask({ taskCategory: category, resourceMeta: metaOf("r-1") });
    expect(resource?.phase).toBe(Phase.FAILED);
    expect(resource?.message).toBe("run r-1 does not exist (token [redacted])");
    const thrownAtOnce = await service.getTask({ taskCategory: category, resourceMeta: metaOf("sync") });
    expect(thrownAtOnce.resource).toMatchObject({ phase: Phase.FAILED, message: "thrown at once" });
  });

  test("from do it is a FAILED Resource", async () => {
    const [answer] = await service.executeTaskSync([{ header: { template: new flyteidl.core.TaskTemplate({ type: "refusing_sync" }) } }]);
    expect(answer?.header?.resource).toMatchObject({ phase: Phase.FAILED, message: "model not found" });
  });

  test("from create it reaches the caller as INVALID_ARGUMENT", async () => {
    const error = await rejection(service.createTask({ template: new flyteidl.core.TaskTemplate({ type: "refusing" }) }));
    expect(error.code).toBe(Status.INVALID_ARGUMENT);
    expect(error.message).toBe("the job definition is invalid: missing cluster");
  });
});
