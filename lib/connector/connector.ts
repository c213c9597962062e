/**
 * The base classes connector authors extend, mirroring flytekit's ConnectorBase,
 * SyncConnectorBase and AsyncConnectorBase. Every method may be sync or async (flytekit's
 * mirror_async_methods): the service awaits whatever comes back.
 */
import type { flyteidl } from "../idl/index.js";
import type { JsonObject, PlainValue } from "../literals/index.js";
import type { Resource } from "./resource.js";
import type { ResourceMetaClass, ResourceMetaInstance } from "./resource-meta.js";
import { TaskCategory } from "./task-category.js";

export type MaybePromise<T> = T | Promise<T>;

/**
 * Flyte 2's `core.Connection`: the secrets (resolved values) and configs the executor sends with
 * Create, Get and Delete, keyed as the task's `custom.secrets` names them (flyte-sdk's kwargs).
 */
export interface Connection {
  readonly secrets: Readonly<Record<string, string>>;
  readonly configs: Readonly<Record<string, string>>;
}

/** What every call receives besides its own arguments (flytekit's `**kwargs`). */
export interface CallContext {
  /**
   * Aborted when the caller's deadline is about to pass, or when the caller cancels the call (a gRPC
   * client's cancel, a closed connection); long calls should listen to it.
   */
  readonly signal: AbortSignal;
  /**
   * Epoch milliseconds at which `signal` aborts, when the caller set a deadline: work that
   * retries stops in time to answer its own error instead.
   */
  readonly deadline?: number;
  /** The request's connection (Flyte 2), read first by getSecret; absent on Flyte 1 calls. */
  readonly connection?: Connection;
  /**
   * Flyte 2's `Inputs.context` on create and do: key-value pairs an action hands to the actions it
   * spawns, not inputs; absent on Flyte 1 calls, which have none.
   */
  readonly actionContext?: Readonly<Record<string, string>>;
}

export interface TaskParams extends CallContext {
  readonly taskTemplate: flyteidl.core.ITaskTemplate;
  readonly outputPrefix: string;
  readonly inputs?: flyteidl.core.ILiteralMap | null;
  readonly taskExecutionMetadata?: flyteidl.admin.ITaskExecutionMetadata | null;
  /** `taskTemplate.custom` as plain JSON (`{}` when the template has none), made when first read. */
  readonly custom: JsonObject;
  /**
   * `inputs` as plain values (fromLiteral), each read as the template declares it; `{}` when
   * there are none. Made when first read; a literal that cannot be read throws INVALID_ARGUMENT.
   */
  readonly inputValues: Readonly<Record<string, PlainValue>>;
}

export interface GetParams extends CallContext {
  readonly taskCategory: TaskCategory;
  readonly outputPrefix: string;
}

export interface DeleteParams extends CallContext {
  readonly taskCategory: TaskCategory;
}

export interface MetricsParams extends CallContext {
  readonly queries: readonly string[];
  readonly startTime?: Date;
  readonly endTime?: Date;
  /** Seconds between points. */
  readonly step?: number;
}

export interface LogsParams extends CallContext {
  readonly lines: number;
  readonly token: string;
}

/**
 * One line of a task's log as flyte-sdk's connectors give it (LogLine): its text, and when and by
 * whom it was written, which Flyte 2 shows beside it.
 */
export interface LogLine {
  readonly message: string;
  readonly timestamp?: Date;
  /** The task's own code, or the platform that ran it. */
  readonly originator?: "user" | "system";
}

/** One page of logs: the token of the next page ("" when none) and its lines. */
export interface TaskLogsPage {
  readonly token?: string;
  /** Each line as text, or as a LogLine; both protocols carry both forms (`results` and the lines). */
  readonly results: readonly (string | LogLine)[];
}

export interface ConnectorOptions {
  readonly taskTypeName: string;
  readonly taskTypeVersion?: number;
  /** The connector's name in ListAgents; connectors sharing one name are listed as one. */
  readonly name?: string;
}

export abstract class ConnectorBase {
  readonly name: string;
  readonly taskCategory: TaskCategory;

  /** Named by the kind that extends it (Sync or Async), as flytekit's base classes are. */
  constructor(options: ConnectorOptions & { readonly name: string }) {
    this.name = options.name;
    this.taskCategory = new TaskCategory(options.taskTypeName, options.taskTypeVersion ?? 0);
  }

  abstract readonly isSync: boolean;
}

/** A connector that answers in the same call (flytekit's SyncConnectorBase). */
export abstract class SyncConnectorBase extends ConnectorBase {
  readonly isSync = true;

  /** Unnamed, it is flytekit's "Base Sync Connector": never listed as one with an async connector. */
  constructor(options: ConnectorOptions) {
    super({ ...options, name: options.name ?? "Base Sync Connector" });
  }

  abstract do(params: TaskParams): MaybePromise<Resource>;
}

export interface AsyncConnectorOptions<M extends ResourceMetaInstance> extends ConnectorOptions {
  /** Encodes and decodes the meta that `create` returns and `get`/`delete` receive. */
  readonly metadataType: ResourceMetaClass<M>;
}

/** A connector for long jobs: create returns a meta, get polls it (flytekit's AsyncConnectorBase). */
export abstract class AsyncConnectorBase<M extends ResourceMetaInstance = ResourceMetaInstance> extends ConnectorBase {
  readonly isSync = false;
  readonly metadataType: ResourceMetaClass<M>;

  /** Unnamed, it is flytekit's "Base Async Connector". */
  constructor(options: AsyncConnectorOptions<M>) {
    super({ ...options, name: options.name ?? "Base Async Connector" });
    this.metadataType = options.metadataType;
  }

  abstract create(params: TaskParams): MaybePromise<M>;
  abstract get(resourceMeta: M, params: GetParams): MaybePromise<Resource>;
  /** Idempotent: deleting a finished or already deleted task succeeds. */
  abstract delete(resourceMeta: M, params: DeleteParams): MaybePromise<void>;

  getMetrics?(resourceMeta: M, params: MetricsParams): MaybePromise<flyteidl.admin.IGetTaskMetricsResponse>;
  getLogs?(resourceMeta: M, params: LogsParams): MaybePromise<TaskLogsPage>;
}

export type Connector = SyncConnectorBase | AsyncConnectorBase<any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export { AsyncConnectorBase as AsyncConnector, SyncConnectorBase as SyncConnector };
