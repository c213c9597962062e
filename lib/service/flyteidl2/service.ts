/**
 * Flyte 2's `flyteidl2.connector` served by the Flyte 1 operations (docs/CONTRACT.md §7): each request
 * is mapped to its Flyte 1 operation, run by the same service and connectors, and the answers
 * mapped back. Connectors never learn which protocol called them; what Flyte 2 alone sends (the
 * connection, Inputs.context) reaches them through the call context.
 *
 * Flyte 2 has no sync service, so a sync connector is served asynchronously: CreateTask runs `do`
 * and answers a meta that carries the finished Resource (sealed when sealing is on), GetTask
 * answers it, DeleteTask succeeds.
 *
 * It is loaded by the service on the first Flyte 2 request (ConnectorService.dispatch), which
 * hands it its own Flyte 1 dispatch, registry and sealer.
 */
import { InvalidArgumentError, UnimplementedError, errorMessage } from "../../connector/errors.js";
import { endsAttempt, type Phase } from "../../connector/phase.js";
import { knownSecrets } from "../../connector/redact.js";
import type { ConnectorRegistry } from "../../connector/registry.js";
import { TaskCategory } from "../../connector/task-category.js";
import { flyteidl } from "../../idl/index.js";
import { flyteidl2 } from "../../idl/flyteidl2.js";
import { MAX_SYNC_RESULT_META_BYTES } from "../../limits.js";
import type { MetaSealer } from "../meta-seal.js";
import type { Dispatch, DispatchOptions } from "../operations.js";
import { toFlyteidl2Responses, toFlyteidlRequest, transcode, withFlyte2LogLinks } from "./messages.js";
import { operationFor, type Flyteidl2OperationName } from "./operations.js";

const admin = flyteidl.admin;
const connector2 = flyteidl2.connector;

export interface Flyteidl2ServiceOptions {
  /** The Flyte 1 operations (the service's own dispatch). */
  readonly dispatch: Dispatch;
  /** Tells sync connectors from async ones. */
  readonly registry: ConnectorRegistry;
  /** The sealer when sealing is on, as the service gets it (failures worded for the caller). */
  /** The sealer when sealing is on; DEADLINE_EXCEEDED when its keys are still loading at `deadline`. */
  readonly metaSealer: (deadline?: number) => Promise<MetaSealer | undefined>;
}

export class Flyteidl2Service {
  readonly #dispatch: Dispatch;
  readonly #registry: ConnectorRegistry;
  readonly #metaSealer: (deadline?: number) => Promise<MetaSealer | undefined>;

  constructor(options: Flyteidl2ServiceOptions) {
    this.#dispatch = options.dispatch;
    this.#registry = options.registry;
    this.#metaSealer = options.metaSealer;
  }

  /** Flyte 2 request messages in, Flyte 2 response messages out. */
  readonly dispatch: Dispatch = async (name, requests, options = {}) => {
    operationFor(name, "flyteidl2"); // executeTaskSync is UNIMPLEMENTED
    const v2Name = name as Flyteidl2OperationName;
    const [request] = requests;
    if (requests.length !== 1 || !request) {
      throw new InvalidArgumentError(`${name} takes exactly one request message, got ${requests.length}.`);
    }
    const mapped = toFlyteidlRequest(v2Name, request);
    // Secrets the executor resolved are redacted from everything, whether a connector reads them or not.
    for (const secret of Object.values(mapped.connection?.secrets ?? {})) knownSecrets.addPassing(secret);
    const v1Options: DispatchOptions = {
      deadline: options.deadline,
      signal: options.signal,
      ...(mapped.connection ? { connection: mapped.connection } : {}),
      ...(mapped.actionContext ? { actionContext: mapped.actionContext } : {}),
    };
    const sync = await this.#syncCategory(v2Name, mapped.request);
    if (sync) return [await this.#syncOperation(v2Name, sync, mapped.request, v1Options)];
    return toFlyteidl2Responses(v2Name, await this.#dispatch(name, [mapped.request], v1Options));
  };

  /** The task category of the request when its connector is sync; undefined for async ones and metadata calls. */
  async #syncCategory(name: Flyteidl2OperationName, request: object): Promise<TaskCategory | undefined> {
    let category: TaskCategory;
    if (name === "createTask") {
      const { template } = request as flyteidl.admin.ICreateTaskRequest;
      // No template: the Flyte 1 operation says so.
      if (!template) return undefined;
      category = new TaskCategory(template.type ?? "", template.taskTypeVersion ?? 0);
    } else if (name === "getAgent" || name === "listAgents") {
      return undefined;
    } else {
      const { taskCategory } = request as { taskCategory?: flyteidl.admin.ITaskCategory | null };
      category = new TaskCategory(taskCategory?.name ?? "", taskCategory?.version ?? 0);
    }
    // NOT_FOUND for an unknown category, worded as every operation words it.
    const connector = await this.#registry.getConnector(category.name, category.version);
    return connector.isSync ? category : undefined;
  }

  async #syncOperation(name: Flyteidl2OperationName, category: TaskCategory, request: object, options: DispatchOptions): Promise<object> {
    switch (name) {
      case "createTask":
        return new connector2.CreateTaskResponse({ resourceMeta: await this.#runSync(category, request, options) });
      case "getTask":
        return this.#syncResult(category, (request as flyteidl.admin.IGetTaskRequest).resourceMeta, options.deadline);
      case "deleteTask":
        // The task finished within CreateTask: there is nothing left to stop.
        return new connector2.DeleteTaskResponse();
      case "getTaskMetrics":
        throw new UnimplementedError(`Connector for task category ${category} does not provide metrics.`);
      case "getTaskLogs":
        throw new UnimplementedError(`Connector for task category ${category} does not provide logs.`);
      default:
        throw new Error(`${name} is not a task operation`);
    }
  }

  /** Runs `do` as ExecuteTaskSync would, and answers the meta that carries its Resource. */
  async #runSync(category: TaskCategory, request: object, options: DispatchOptions): Promise<Uint8Array> {
    const { template, outputPrefix, taskExecutionMetadata, inputs } = request as flyteidl.admin.ICreateTaskRequest;
    // Before `do` runs, as the Flyte 1 createTask does: a result that cannot be sealed would be lost
    // after its side effects (a webhook sent, a model called), and the executor's retry repeats them.
    const sealer = await this.#metaSealer(options.deadline);
    const messages: flyteidl.admin.IExecuteTaskSyncRequest[] = [{ header: { template, outputPrefix, taskExecutionMetadata } }];
    if (inputs) messages.push({ inputs });
    const [answer] = (await this.#dispatch("executeTaskSync", messages, options)) as flyteidl.admin.IExecuteTaskSyncResponse[];
    const resource = transcode(admin.Resource, connector2.Resource, answer!.header!.resource!);
    withFlyte2LogLinks(resource, answer!.header!.resource);
    const meta = resultMeta(resource, category, sealer);
    if (meta.byteLength <= MAX_SYNC_RESULT_META_BYTES) return meta;
    const failed = new connector2.Resource({
      phase: flyteidl2.core.TaskExecution.Phase.FAILED,
      message:
        `The result of the sync connector for task category ${category} takes ${meta.byteLength} bytes, more than the ` +
        `${MAX_SYNC_RESULT_META_BYTES} a Flyte 2 resource meta may (MAX_SYNC_RESULT_META_BYTES): return large outputs by reference.`,
    });
    return resultMeta(failed, category, sealer);
  }

  /** The Resource a sync connector's meta carries. */
  async #syncResult(category: TaskCategory, bytes: Uint8Array | null | undefined, deadline: number | undefined): Promise<flyteidl2.connector.GetTaskResponse> {
    const sealer = await this.#metaSealer(deadline);
    const received = bytes ?? new Uint8Array();
    const opened = sealer ? sealer.open(received, category.toString()) : received;
    const cannot = (why: string) => new InvalidArgumentError(`Cannot decode resource meta for task category ${category}: ${why}`);
    let answer: flyteidl2.connector.GetTaskResponse;
    try {
      answer = connector2.GetTaskResponse.decode(opened);
    } catch (error) {
      throw cannot(`${errorMessage(error)}.`);
    }
    if (!answer.resource || !endsAttempt(answer.resource.phase as number as Phase)) {
      throw cannot("it holds no finished task's resource.");
    }
    return answer;
  }
}

/** The meta of a finished sync task: its GetTaskResponse, sealed when sealing is on. */
function resultMeta(resource: flyteidl2.connector.IResource, category: TaskCategory, sealer: MetaSealer | undefined): Uint8Array {
  const encoded = connector2.GetTaskResponse.encode(new connector2.GetTaskResponse({ resource })).finish();
  return sealer ? sealer.seal(encoded, category.toString()) : encoded;
}
