/**
 * Flyte 1 calls over Flyte 2's protocol: wraps a transport's Dispatch so that the client, the
 * executor and the CLI, which speak `flyteidl.admin` messages, reach a service through
 * `flyteidl2.connector` (docs/CONTRACT.md §7) as Flyte 2's executor does. The options' connection and
 * actionContext travel in the requests that carry them.
 *
 * Flyte 2 has no ExecuteTaskSync: it is CreateTask, whose meta carries a sync connector's finished
 * Resource, then GetTask. An async connector's task is not finished by then: it is deleted, and
 * the call refused as over Flyte 1.
 */
import { InvalidArgumentError } from "../connector/errors.js";
import { endsAttempt, Phase } from "../connector/phase.js";
import { templateCategory } from "../connector/task-category.js";
import { flyteidl } from "../idl/index.js";
import { toFlyteidl2Request, toFlyteidlResponses } from "../service/flyteidl2/messages.js";
import type { Flyteidl2OperationName } from "../service/flyteidl2/operations.js";
import type { Dispatch, DispatchOptions } from "../service/operations.js";
import { syncRequest } from "../service/sync-requests.js";

/** `transport` carries Flyte 2 messages (it is given `protocol: "flyteidl2"`); the result takes Flyte 1's. */
export function overFlyteidl2(transport: Dispatch): Dispatch {
  const call = async (name: Flyteidl2OperationName, request: object, options: DispatchOptions) => {
    const answers = await transport(name, [toFlyteidl2Request(name, request, options)], { ...options, protocol: "flyteidl2" });
    return toFlyteidlResponses(name, answers);
  };
  return async (name, requests, options = {}) => {
    if (name !== "executeTaskSync") {
      const [request] = requests;
      if (requests.length !== 1 || !request) throw new InvalidArgumentError(`${name} takes exactly one request message, got ${requests.length}.`);
      return call(name, request, options);
    }
    const { header, inputs } = syncRequest(requests as flyteidl.admin.IExecuteTaskSyncRequest[]);
    const [created] = (await call("createTask", { ...header, inputs }, options)) as flyteidl.admin.ICreateTaskResponse[];
    const taskCategory = templateCategory(header.template ?? {});
    const task = { taskCategory: { name: taskCategory.name, version: taskCategory.version }, resourceMeta: created?.resourceMeta };
    const [got] = (await call("getTask", { ...task, outputPrefix: header.outputPrefix }, options)) as flyteidl.admin.IGetTaskResponse[];
    if (!endsAttempt(got?.resource?.phase ?? Phase.UNDEFINED)) {
      // Best effort: the refusal is the answer, whether or not the task could be deleted.
      await call("deleteTask", task, options).catch(() => undefined);
      throw new InvalidArgumentError(`Connector for task category ${taskCategory} is asynchronous: use CreateTask and GetTask.`);
    }
    return [new flyteidl.admin.ExecuteTaskSyncResponse({ header: { resource: got?.resource } })];
  };
}
