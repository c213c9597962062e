/**
 * Flyte 1 calls over Flyte 2's protocol: wraps a transport's Dispatch so that the client, the
 * executor and the CLI, which speak `flyteidl.admin` messages, reach a service through
 * `flyteidl2.connector` (docs/CONTRACT.md §7) as Flyte 2's executor does. The options' connection and
 * actionContext travel in the requests that carry them.
 *
 * Flyte 2 has no ExecuteTaskSync: it is CreateTask, whose meta carries a sync connector's finished
 * Resource, then GetTask.
 */
import { InvalidArgumentError } from "../connector/errors.js";
import { flyteidl } from "../idl/index.js";
import { toFlyteidl2Request, toFlyteidlResponses } from "../service/flyteidl2/messages.js";
import type { Flyteidl2OperationName } from "../service/flyteidl2/operations.js";
import type { Dispatch, DispatchOptions } from "../service/operations.js";

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
    const [first, second] = requests as flyteidl.admin.IExecuteTaskSyncRequest[];
    const header = first?.header ?? {};
    const create = { ...header, inputs: second?.inputs };
    const [created] = (await call("createTask", create, options)) as flyteidl.admin.ICreateTaskResponse[];
    const taskCategory = { name: header.template?.type ?? "", version: header.template?.taskTypeVersion ?? 0 };
    const get = { taskCategory, resourceMeta: created?.resourceMeta, outputPrefix: header.outputPrefix };
    const [got] = (await call("getTask", get, options)) as flyteidl.admin.IGetTaskResponse[];
    return [new flyteidl.admin.ExecuteTaskSyncResponse({ header: { resource: got?.resource } })];
  };
}
