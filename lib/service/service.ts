/**
 * The eight operations, transport-free: request messages in, response messages out, failures
 * thrown as ConnectorError with the status and message of CONTRACT.md §5.
 */
import type {
  AsyncConnectorBase,
  CallContext,
  Connector,
  SyncConnectorBase,
} from "../connector/connector.js";
import {
  ConnectorError,
  errorMessage,
  InternalError,
  InvalidArgumentError,
  UnimplementedError,
} from "../connector/errors.js";
import { isTerminalPhase, Phase } from "../connector/phase.js";
import type { ConnectorRegistry } from "../connector/registry.js";
import { Resource } from "../connector/resource.js";
import type { ResourceMetaInstance } from "../connector/resource-meta.js";
import { TaskCategory } from "../connector/task-category.js";
import { flyteidl, google } from "../idl/index.js";
import { withDeadline } from "./deadline.js";
import type { MetaSealer } from "./meta-seal.js";
import type { Dispatch, DispatchOptions, OperationName } from "./operations.js";

const admin = flyteidl.admin;

/** Where the service reports what callers must not see (stack traces of connector failures). */
export interface ServiceLogger {
  error(message: string, ...extra: unknown[]): void;
}

export interface ConnectorServiceOptions {
  /** Kept back before a deadline so the answer still reaches the caller in time (default 200 ms). */
  readonly deadlineMarginMs?: number;
  readonly logger?: ServiceLogger;
  /** Seals every meta createTask answers and opens every meta received; off by default. */
  readonly metaSealer?: MetaSealer;
}

/** Lines per GetTaskLogs body message, so one large page does not make one huge message. */
const LOG_LINES_PER_BODY = 1000;

export class ConnectorService {
  readonly #registry: ConnectorRegistry;
  readonly #marginMs: number;
  readonly #logger: ServiceLogger | undefined;
  readonly #sealer: MetaSealer | undefined;

  constructor(registry: ConnectorRegistry, options: ConnectorServiceOptions = {}) {
    this.#registry = registry;
    this.#marginMs = options.deadlineMarginMs ?? 200;
    this.#logger = options.logger;
    this.#sealer = options.metaSealer;
  }

  readonly dispatch: Dispatch = async (name, requests, options = {}) => {
    switch (name) {
      case "createTask":
        return [await this.createTask(single(name, requests), options)];
      case "getTask":
        return [await this.getTask(single(name, requests), options)];
      case "deleteTask":
        return [await this.deleteTask(single(name, requests), options)];
      case "getTaskMetrics":
        return [await this.getTaskMetrics(single(name, requests), options)];
      case "getTaskLogs":
        return this.getTaskLogs(single(name, requests), options);
      case "executeTaskSync":
        return this.executeTaskSync(requests, options);
      case "getAgent":
        return [this.getAgent(single(name, requests))];
      case "listAgents":
        single(name, requests);
        return [this.listAgents()];
    }
  };

  async createTask(
    request: flyteidl.admin.ICreateTaskRequest,
    options: DispatchOptions = {},
  ): Promise<flyteidl.admin.CreateTaskResponse> {
    const template = requireTemplate(request.template, "CreateTaskRequest");
    const connector = this.#asyncConnector(templateCategory(template));
    const meta = await this.#run(connector, "create", options, (context) =>
      connector.create({
        taskTemplate: template,
        outputPrefix: request.outputPrefix ?? "",
        inputs: request.inputs ?? null,
        taskExecutionMetadata: request.taskExecutionMetadata ?? null,
        ...context,
      }),
    );
    const encoded = this.#convert(connector, "create", () => (meta as ResourceMetaInstance).encode());
    const resourceMeta = this.#sealer ? this.#sealer.seal(encoded, connector.taskCategory.toString()) : encoded;
    return new admin.CreateTaskResponse({ resourceMeta });
  }

  async getTask(
    request: flyteidl.admin.IGetTaskRequest,
    options: DispatchOptions = {},
  ): Promise<flyteidl.admin.GetTaskResponse> {
    const taskCategory = requestCategory(request);
    const connector = this.#asyncConnector(taskCategory);
    const meta = this.#decodeMeta(connector, request.resourceMeta);
    const result = await this.#run(connector, "get", options, (context) =>
      connector.get(meta, { taskCategory, outputPrefix: request.outputPrefix ?? "", ...context }),
    );
    const resource = this.#convert(connector, "get", () => toResource(result).toFlyteIdl());
    return new admin.GetTaskResponse({ resource });
  }

  async deleteTask(
    request: flyteidl.admin.IDeleteTaskRequest,
    options: DispatchOptions = {},
  ): Promise<flyteidl.admin.DeleteTaskResponse> {
    const taskCategory = requestCategory(request);
    const connector = this.#asyncConnector(taskCategory);
    const meta = this.#decodeMeta(connector, request.resourceMeta);
    await this.#run(connector, "delete", options, (context) => connector.delete(meta, { taskCategory, ...context }));
    return new admin.DeleteTaskResponse();
  }

  async getTaskMetrics(
    request: flyteidl.admin.IGetTaskMetricsRequest,
    options: DispatchOptions = {},
  ): Promise<flyteidl.admin.GetTaskMetricsResponse> {
    const taskCategory = requestCategory(request);
    const connector = this.#asyncConnector(taskCategory);
    if (!connector.getMetrics) {
      throw new UnimplementedError(`Connector for task category ${taskCategory} does not provide metrics.`);
    }
    const meta = this.#decodeMeta(connector, request.resourceMeta);
    const result = await this.#run(connector, "get metrics of", options, (context) =>
      connector.getMetrics!(meta, {
        queries: request.queries ?? [],
        startTime: timestampToDate(request.startTime),
        endTime: timestampToDate(request.endTime),
        step: durationToSeconds(request.step),
        ...context,
      }),
    );
    return this.#convert(connector, "get metrics of", () => new admin.GetTaskMetricsResponse(result));
  }

  async getTaskLogs(
    request: flyteidl.admin.IGetTaskLogsRequest,
    options: DispatchOptions = {},
  ): Promise<flyteidl.admin.GetTaskLogsResponse[]> {
    const taskCategory = requestCategory(request);
    const connector = this.#asyncConnector(taskCategory);
    if (!connector.getLogs) {
      throw new UnimplementedError(`Connector for task category ${taskCategory} does not provide logs.`);
    }
    const meta = this.#decodeMeta(connector, request.resourceMeta);
    const page = await this.#run(connector, "get logs of", options, (context) =>
      connector.getLogs!(meta, { lines: Number(request.lines ?? 0), token: request.token ?? "", ...context }),
    );
    const results = [...(page.results ?? [])];
    const messages = [new admin.GetTaskLogsResponse({ header: { token: page.token ?? "" } })];
    for (let i = 0; i < results.length; i += LOG_LINES_PER_BODY) {
      messages.push(new admin.GetTaskLogsResponse({ body: { results: results.slice(i, i + LOG_LINES_PER_BODY) } }));
    }
    return messages;
  }

  /** FlytePropeller sends a header, then the inputs; it reads exactly one answer. */
  async executeTaskSync(
    requests: readonly flyteidl.admin.IExecuteTaskSyncRequest[],
    options: DispatchOptions = {},
  ): Promise<flyteidl.admin.ExecuteTaskSyncResponse[]> {
    const [first, second, ...rest] = requests;
    if (!first?.header) {
      throw new InvalidArgumentError("ExecuteTaskSync expects a header message first.");
    }
    if (rest.length > 0 || (second && !second.inputs)) {
      throw new InvalidArgumentError(
        `ExecuteTaskSync expects a header then at most one inputs message, got ${requests.length} messages.`,
      );
    }
    const { header } = first;
    const template = requireTemplate(header.template, "ExecuteTaskSyncRequest header");
    const taskCategory = templateCategory(template);
    const connector = this.#registry.getConnector(taskCategory.name, taskCategory.version);
    if (!connector.isSync) {
      throw new InvalidArgumentError(
        `Connector for task category ${taskCategory} is asynchronous: use CreateTask and GetTask.`,
      );
    }
    const sync = connector as SyncConnectorBase;
    const result = await this.#run(sync, "do", options, (context) =>
      sync.do({
        taskTemplate: template,
        outputPrefix: header.outputPrefix ?? "",
        inputs: second?.inputs ?? null,
        taskExecutionMetadata: header.taskExecutionMetadata ?? null,
        ...context,
      }),
    );
    const resource = this.#convert(sync, "do", () => {
      const converted = toResource(result);
      if (!isTerminalPhase(converted.phase)) {
        throw new Error(`do returned the non-terminal phase ${Phase[converted.phase] ?? converted.phase}`);
      }
      return converted.toFlyteIdl(template.interface?.outputs ?? null);
    });
    return [new admin.ExecuteTaskSyncResponse({ header: { resource } })];
  }

  getAgent(request: flyteidl.admin.IGetAgentRequest): flyteidl.admin.GetAgentResponse {
    return new admin.GetAgentResponse({ agent: this.#registry.getConnectorMetadata(request.name ?? "") });
  }

  listAgents(): flyteidl.admin.ListAgentsResponse {
    return new admin.ListAgentsResponse({ agents: this.#registry.listConnectors() });
  }

  #asyncConnector(category: TaskCategory): AsyncConnectorBase {
    const connector = this.#registry.getConnector(category.name, category.version);
    if (connector.isSync) {
      throw new InvalidArgumentError(`Connector for task category ${category} is synchronous: use ExecuteTaskSync.`);
    }
    return connector;
  }

  #decodeMeta(connector: AsyncConnectorBase, bytes: Uint8Array | null | undefined): ResourceMetaInstance {
    const received = bytes ?? new Uint8Array();
    const opened = this.#sealer ? this.#sealer.open(received, connector.taskCategory.toString()) : received;
    try {
      return connector.metadataType.decode(opened);
    } catch (error) {
      throw new InvalidArgumentError(
        `Cannot decode resource meta for task category ${connector.taskCategory}: ${errorMessage(error)}`,
        { cause: error },
      );
    }
  }

  /** Calls the connector under the deadline; what it throws becomes INTERNAL with flytekit's message. */
  async #run<T>(
    connector: Connector,
    verb: string,
    options: DispatchOptions,
    work: (context: CallContext) => T | Promise<T>,
  ): Promise<T> {
    const describe = () => `${verb} ${connector.taskCategory.name} task`;
    try {
      return await withDeadline((signal) => work({ signal }), options.deadline, this.#marginMs, describe);
    } catch (error) {
      throw this.#failure(connector, verb, error);
    }
  }

  /** Turning a connector's answer into messages fails only through the connector's fault. */
  #convert<T>(connector: Connector, verb: string, convert: () => T): T {
    try {
      return convert();
    } catch (error) {
      throw this.#failure(connector, verb, error);
    }
  }

  #failure(connector: Connector, verb: string, error: unknown): ConnectorError {
    // A connector may choose its status by throwing a ConnectorError; it then reaches the caller as is.
    if (error instanceof ConnectorError) return error;
    this.#logger?.error(`connector ${connector.name} failed to ${verb} ${connector.taskCategory} task`, error);
    return new InternalError(
      `failed to ${verb} ${connector.taskCategory.name} task with error: ${errorMessage(error)}`,
      { cause: error },
    );
  }
}

function single<T>(name: OperationName, requests: readonly T[]): T {
  const [request] = requests;
  if (requests.length !== 1 || !request) {
    throw new InvalidArgumentError(`${name} takes exactly one request message, got ${requests.length}.`);
  }
  return request;
}

function requireTemplate(template: flyteidl.core.ITaskTemplate | null | undefined, where: string) {
  if (!template) throw new InvalidArgumentError(`${where} has no task template.`);
  return template;
}

function templateCategory(template: flyteidl.core.ITaskTemplate): TaskCategory {
  return new TaskCategory(template.type ?? "", template.taskTypeVersion ?? 0);
}

/** `task_category` when its name is set, else the deprecated `task_type` at version 0. */
function requestCategory(request: {
  taskCategory?: flyteidl.admin.ITaskCategory | null;
  taskType?: string | null;
}): TaskCategory {
  const category = request.taskCategory;
  if (category?.name) return new TaskCategory(category.name, category.version ?? 0);
  return new TaskCategory(request.taskType ?? "", 0);
}


/** JavaScript authors may return a plain ResourceInit-shaped object instead of a Resource. */
function toResource(value: unknown): Resource {
  if (value instanceof Resource) return value;
  if (value && typeof value === "object") return new Resource(value as ConstructorParameters<typeof Resource>[0]);
  throw new Error(`expected a Resource, got ${value === null ? "null" : typeof value}`);
}

function timestampToDate(timestamp: google.protobuf.ITimestamp | null | undefined): Date | undefined {
  if (!timestamp) return undefined;
  return new Date(Number(timestamp.seconds ?? 0) * 1000 + Math.floor((timestamp.nanos ?? 0) / 1e6));
}

function durationToSeconds(duration: google.protobuf.IDuration | null | undefined): number | undefined {
  if (!duration) return undefined;
  return Number(duration.seconds ?? 0) + (duration.nanos ?? 0) / 1e9;
}
