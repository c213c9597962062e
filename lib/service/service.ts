/**
 * The eight operations, transport-free: request messages in, response messages out, failures
 * thrown as ConnectorError with the status and message of docs/CONTRACT.md §5. Connector secrets
 * (lib/connector/redact.ts) are redacted from every message it answers and every line it logs.
 */
import type {
  AsyncConnectorBase,
  CallContext,
  Connector,
  LogLine,
  SyncConnectorBase,
} from "../connector/connector.js";
import {
  ConnectorError,
  errorMessage,
  InternalError,
  InvalidArgumentError,
  TaskFailedError,
  UnimplementedError,
} from "../connector/errors.js";
import { endsAttempt, Phase } from "../connector/phase.js";
import { knownSecrets } from "../connector/redact.js";
import type { ConnectorRegistry } from "../connector/registry.js";
import { Resource } from "../connector/resource.js";
import type { ResourceMetaInstance } from "../connector/resource-meta.js";
import { requestCategory, type TaskCategory, templateCategory } from "../connector/task-category.js";
import { taskParams } from "../connector/task-params.js";
import { flyteidl, google } from "../idl/index.js";
import { isTimestampInRange } from "../idl/timestamp-range.js";
import { dateToTimestamp } from "../literals/primitives.js";
import { syncRequest } from "./sync-requests.js";
import { isThenable, settledBefore, withDeadline } from "./deadline.js";
import { MetaSealer } from "./meta-seal.js";
import type { MetaSealerProvider } from "./meta-keys.js";
import type { Flyteidl2Service } from "./flyteidl2/service.js";
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
  /**
   * Seals every meta createTask answers and opens every meta received; off by default. A
   * provider (metaSealerFromEnv) is asked only by the operations that handle a meta.
   */
  readonly metaSealer?: MetaSealer | MetaSealerProvider;
}

/** Lines per GetTaskLogs body message, so one large page does not make one huge message. */
const LOG_LINES_PER_BODY = 1000;

export class ConnectorService {
  readonly #registry: ConnectorRegistry;
  readonly #marginMs: number;
  readonly #logger: ServiceLogger | undefined;
  readonly #sealer: MetaSealerProvider | undefined;
  #flyteidl2Service: Promise<Flyteidl2Service> | undefined;

  constructor(registry: ConnectorRegistry, options: ConnectorServiceOptions = {}) {
    this.#registry = registry;
    this.#marginMs = options.deadlineMarginMs ?? 200;
    this.#logger = options.logger;
    const sealer = options.metaSealer;
    this.#sealer = sealer instanceof MetaSealer ? () => Promise.resolve(sealer) : sealer;
  }

  readonly dispatch: Dispatch = async (name, requests, options = {}) => {
    if (options.protocol === "flyteidl2") return (await this.#flyteidl2()).dispatch(name, requests, options);
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
    const connector = await this.#asyncConnector(templateCategory(template));
    // Before the connector starts anything: a task created but not sealable would be orphaned.
    const sealer = await this.#metaSealer(options.deadline);
    const meta = await this.#run(
      connector,
      "create",
      options,
      taskParams({
        taskTemplate: template,
        outputPrefix: request.outputPrefix ?? "",
        inputs: request.inputs ?? null,
        taskExecutionMetadata: request.taskExecutionMetadata ?? null,
        connection: options.connection,
        actionContext: options.actionContext,
      }),
      (params) => connector.create(params),
    );
    const encoded = this.#convert(connector, "create", () => (meta as ResourceMetaInstance).encode());
    const resourceMeta = sealer ? sealer.seal(encoded, connector.taskCategory.toString()) : encoded;
    return new admin.CreateTaskResponse({ resourceMeta });
  }

  async getTask(
    request: flyteidl.admin.IGetTaskRequest,
    options: DispatchOptions = {},
  ): Promise<flyteidl.admin.GetTaskResponse> {
    const taskCategory = requestCategory(request);
    const connector = await this.#asyncConnector(taskCategory);
    const meta = await this.#decodeMeta(connector, request.resourceMeta, options.deadline);
    const params = { taskCategory, outputPrefix: request.outputPrefix ?? "", connection: options.connection };
    const result = await this.#run(connector, "get", options, params, (withSignal) =>
      failedTaskAsResource(() => connector.get(meta, withSignal)),
    );
    const resource = this.#convert(connector, "get", () => redactMessage(toResource(result).toFlyteIdl()));
    return new admin.GetTaskResponse({ resource });
  }

  async deleteTask(
    request: flyteidl.admin.IDeleteTaskRequest,
    options: DispatchOptions = {},
  ): Promise<flyteidl.admin.DeleteTaskResponse> {
    const taskCategory = requestCategory(request);
    const connector = await this.#asyncConnector(taskCategory);
    const meta = await this.#decodeMeta(connector, request.resourceMeta, options.deadline);
    const params = { taskCategory, connection: options.connection };
    await this.#run(connector, "delete", options, params, (withSignal) => connector.delete(meta, withSignal));
    return new admin.DeleteTaskResponse();
  }

  async getTaskMetrics(
    request: flyteidl.admin.IGetTaskMetricsRequest,
    options: DispatchOptions = {},
  ): Promise<flyteidl.admin.GetTaskMetricsResponse> {
    const taskCategory = requestCategory(request);
    const connector = await this.#asyncConnector(taskCategory);
    if (!connector.getMetrics) {
      throw new UnimplementedError(`Connector for task category ${taskCategory} does not provide metrics.`);
    }
    const meta = await this.#decodeMeta(connector, request.resourceMeta, options.deadline);
    const result = await this.#run(
      connector,
      "get metrics of",
      options,
      {
        queries: request.queries ?? [],
        startTime: timestampToDate(request.startTime, "start_time"),
        endTime: timestampToDate(request.endTime, "end_time"),
        step: durationToSeconds(request.step),
      },
      (params) => connector.getMetrics!(meta, params),
    );
    return this.#convert(connector, "get metrics of", () => new admin.GetTaskMetricsResponse(result));
  }

  async getTaskLogs(
    request: flyteidl.admin.IGetTaskLogsRequest,
    options: DispatchOptions = {},
  ): Promise<flyteidl.admin.GetTaskLogsResponse[]> {
    const taskCategory = requestCategory(request);
    const connector = await this.#asyncConnector(taskCategory);
    if (!connector.getLogs) {
      throw new UnimplementedError(`Connector for task category ${taskCategory} does not provide logs.`);
    }
    const meta = await this.#decodeMeta(connector, request.resourceMeta, options.deadline);
    const params = { lines: Number(request.lines ?? 0), token: request.token ?? "" };
    const page = await this.#run(connector, "get logs of", options, params, (withSignal) => connector.getLogs!(meta, withSignal));
    const lines = this.#convert(connector, "get logs of", () => (page.results ?? []).map(logLine));
    // The text alone unless a line has more: Flyte 2's lines are made from it (flyteidl2/messages.ts).
    const structured = lines.some((line) => line.timestamp || line.originator);
    const messages = [new admin.GetTaskLogsResponse({ header: { token: page.token ?? "" } })];
    for (let i = 0; i < lines.length; i += LOG_LINES_PER_BODY) {
      const slice = lines.slice(i, i + LOG_LINES_PER_BODY);
      messages.push(new admin.GetTaskLogsResponse({ body: { results: slice.map((line) => line.message), ...(structured && { structuredLines: slice }) } }));
    }
    return messages;
  }

  /** FlytePropeller sends a header, then the inputs; it reads exactly one answer. */
  async executeTaskSync(
    requests: readonly flyteidl.admin.IExecuteTaskSyncRequest[],
    options: DispatchOptions = {},
  ): Promise<flyteidl.admin.ExecuteTaskSyncResponse[]> {
    const { header, inputs } = syncRequest(requests);
    const template = requireTemplate(header.template, "ExecuteTaskSyncRequest header");
    const taskCategory = templateCategory(template);
    const connector = await this.#registry.getConnector(taskCategory.name, taskCategory.version);
    if (!connector.isSync) {
      throw new InvalidArgumentError(
        `Connector for task category ${taskCategory} is asynchronous: use CreateTask and GetTask.`,
      );
    }
    const sync = connector as SyncConnectorBase;
    const result = await this.#run(
      sync,
      "do",
      options,
      taskParams({
        taskTemplate: template,
        outputPrefix: header.outputPrefix ?? "",
        inputs,
        taskExecutionMetadata: header.taskExecutionMetadata ?? null,
        connection: options.connection,
        actionContext: options.actionContext,
      }),
      (params) => failedTaskAsResource(() => sync.do(params)),
    );
    const resource = this.#convert(sync, "do", () => {
      const converted = toResource(result);
      // Converted first, so that a missing phase is reported as such rather than as non-terminal.
      const wire = converted.toFlyteIdl(template.interface?.outputs ?? null);
      if (!endsAttempt(converted.phase)) {
        throw new Error(`do returned the phase ${Phase[converted.phase]}, which does not end the task`);
      }
      return redactMessage(wire);
    });
    return [new admin.ExecuteTaskSyncResponse({ header: { resource } })];
  }

  getAgent(request: flyteidl.admin.IGetAgentRequest): flyteidl.admin.GetAgentResponse {
    return new admin.GetAgentResponse({ agent: this.#registry.getConnectorMetadata(request.name ?? "") });
  }

  listAgents(): flyteidl.admin.ListAgentsResponse {
    return new admin.ListAgentsResponse({ agents: this.#registry.listConnectors() });
  }

  /**
   * Flyte 2's protocol layer (docs/CONTRACT.md §7), loaded by the first Flyte 2 request: it maps each to
   * the operations above, and serves sync connectors through CreateTask with this registry and sealer.
   */
  #flyteidl2(): Promise<Flyteidl2Service> {
    return (this.#flyteidl2Service ??= import("./flyteidl2/service.js").then(
      ({ Flyteidl2Service }) => new Flyteidl2Service({ dispatch: this.dispatch, registry: this.#registry, metaSealer: (deadline) => this.#metaSealer(deadline) }),
    ));
  }

  async #asyncConnector(category: TaskCategory): Promise<AsyncConnectorBase> {
    const connector = await this.#registry.getConnector(category.name, category.version);
    if (connector.isSync) {
      throw new InvalidArgumentError(`Connector for task category ${category} is synchronous: use ExecuteTaskSync.`);
    }
    return connector;
  }

  async #decodeMeta(connector: AsyncConnectorBase, bytes: Uint8Array | null | undefined, deadline: number | undefined): Promise<ResourceMetaInstance> {
    const received = bytes ?? new Uint8Array();
    const sealer = await this.#metaSealer(deadline);
    const opened = sealer ? sealer.open(received, connector.taskCategory.toString()) : received;
    try {
      return connector.metadataType.decode(opened);
    } catch (error) {
      throw new InvalidArgumentError(
        `Cannot decode resource meta for task category ${connector.taskCategory}: ${errorMessage(error)}`,
        { cause: error },
      );
    }
  }

  /**
   * The sealer, when sealing is on; a key source that fails is logged and answered as it says, and
   * one still loading at the deadline is DEADLINE_EXCEEDED (an SSM or Secrets Manager read has no
   * timeout of its own: the function would be killed instead of answering).
   */
  async #metaSealer(deadline?: number): Promise<MetaSealer | undefined> {
    const loading = this.#sealer?.();
    if (loading === undefined) return undefined;
    try {
      return await settledBefore(loading, deadline, this.#marginMs, () => "loading the resource meta sealing keys");
    } catch (error) {
      this.#logger?.error("resource meta sealing keys unavailable", knownSecrets.error(error));
      throw error instanceof ConnectorError ? error : new InternalError("Resource meta sealing keys are unavailable.");
    }
  }

  /**
   * Calls the connector with `params` and a signal aborted at the deadline or when the caller goes
   * away; what it throws becomes INTERNAL with flytekit's message.
   */
  async #run<P extends object, T>(
    connector: Connector,
    verb: string,
    options: DispatchOptions,
    params: P,
    work: (params: P & CallContext) => T | PromiseLike<T>,
  ): Promise<T> {
    const describe = () => `${verb} ${connector.taskCategory.name} task`;
    try {
      return await withDeadline(params, work, options.deadline, this.#marginMs, describe, options.signal);
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
    // A connector may choose its status by throwing a ConnectorError; it then reaches the caller
    // as is, but for the secrets it quotes.
    if (error instanceof ConnectorError) {
      const message = knownSecrets.text(error.message);
      return message === error.message ? error : new ConnectorError(error.code, message);
    }
    this.#logger?.error(`connector ${connector.name} failed to ${verb} ${connector.taskCategory} task`, knownSecrets.error(error));
    return new InternalError(
      `failed to ${verb} ${connector.taskCategory.name} task with error: ${knownSecrets.text(errorMessage(error))}`,
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

const ORIGINATORS = { user: admin.LogLineOriginator.USER, system: admin.LogLineOriginator.SYSTEM } as const;

/** A connector's log line on the wire, its text redacted; a line that is neither text nor a LogLine is the connector's fault. */
function logLine(line: string | LogLine): flyteidl.admin.LogLine {
  if (typeof line === "string") return new admin.LogLine({ message: knownSecrets.text(line) });
  if (typeof line?.message !== "string") throw new Error(`a log line is text or a LogLine with a message, got ${typeof line}`);
  const { timestamp, originator } = line;
  if (timestamp !== undefined && !(timestamp instanceof Date && Number.isFinite(timestamp.getTime()))) throw new Error("a log line's timestamp is not a valid Date");
  if (originator !== undefined && !Object.hasOwn(ORIGINATORS, originator)) throw new Error(`a log line's originator is "user" or "system", got ${JSON.stringify(originator)}`);
  return new admin.LogLine({
    message: knownSecrets.text(line.message),
    ...(timestamp && { timestamp: dateToTimestamp(timestamp) }),
    ...(originator && { originator: ORIGINATORS[originator] }),
  });
}

/**
 * A TaskFailedError from get or do is the task's own failure, reported as a FAILED Resource with
 * its message rather than as a failed call (which FlytePropeller would retry to no avail).
 */
function failedTaskAsResource<T>(work: () => T | PromiseLike<T>): T | Resource | Promise<T | Resource> {
  try {
    const result = work();
    return isThenable(result) ? Promise.resolve(result).catch(asFailedResource) : result;
  } catch (error) {
    return asFailedResource(error);
  }
}

function asFailedResource(error: unknown): Resource {
  if (error instanceof TaskFailedError) return new Resource({ phase: Phase.FAILED, message: error.message });
  throw error;
}

/** A connector's message may quote a secret it used, e.g. a remote's answer echoing a header. */
function redactMessage(resource: flyteidl.admin.Resource): flyteidl.admin.Resource {
  resource.message = knownSecrets.text(resource.message);
  return resource;
}

/** JavaScript authors may return a plain ResourceInit-shaped object instead of a Resource. */
function toResource(value: unknown): Resource {
  if (value instanceof Resource) return value;
  if (value && typeof value === "object") return new Resource(value as ConstructorParameters<typeof Resource>[0]);
  throw new Error(`expected a Resource, got ${value === null ? "null" : typeof value}`);
}

/** A Timestamp of the years 1 to 9999 as a Date; beyond them a Date is invalid or unprintable, the caller's fault. */
function timestampToDate(timestamp: google.protobuf.ITimestamp | null | undefined, field: string): Date | undefined {
  if (!timestamp) return undefined;
  const seconds = Number(timestamp.seconds ?? 0);
  const nanos = timestamp.nanos ?? 0;
  if (!isTimestampInRange(seconds, nanos)) {
    throw new InvalidArgumentError(`GetTaskMetricsRequest ${field} ${seconds}s ${nanos}ns is not a Timestamp of the years 1 to 9999.`);
  }
  return new Date(seconds * 1000 + Math.floor(nanos / 1e6));
}

function durationToSeconds(duration: google.protobuf.IDuration | null | undefined): number | undefined {
  if (!duration) return undefined;
  return Number(duration.seconds ?? 0) + (duration.nanos ?? 0) / 1e9;
}
