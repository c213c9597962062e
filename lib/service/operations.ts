/**
 * The eight connector operations (docs/CONTRACT.md §1): for each, its messages, its streaming shape,
 * its gRPC method and the HTTP route flyteidl annotates it with. Every transport is driven by
 * this one table; nothing else names a method, a path or a message type.
 */
import type { IConversionOptions, Reader, Type, Writer } from "protobufjs";
import type { Connection } from "../connector/connector.js";
import { InvalidArgumentError } from "../connector/errors.js";
import { descriptor, flyteidl, type HttpRule } from "../idl/index.js";
import { MAX_REQUEST_MESSAGES } from "../limits.js";

/** The static codec surface protobufjs generates for each message type. */
export interface MessageType<T extends object = object> {
  new (properties?: object): T;
  /** The reflected type: its decode takes more arguments than the class's static one passes on. */
  readonly $type: Type;
  encode(message: T, writer?: Writer): Writer;
  decode(reader: Reader | Uint8Array, length?: number): T;
  fromObject(object: { [k: string]: unknown }): T;
  toObject(message: T, options?: IConversionOptions): { [k: string]: unknown };
}

export interface Operation<Req extends object = object, Res extends object = object> {
  /** The function key, e.g. `createTask`. */
  readonly name: OperationName;
  readonly protocol: Protocol;
  /** Full gRPC service name, e.g. `flyteidl.service.AsyncAgentService`. */
  readonly service: string;
  /** gRPC method name, e.g. `CreateTask`. */
  readonly method: string;
  /** gRPC path, e.g. `/flyteidl.service.AsyncAgentService/CreateTask`. */
  readonly path: string;
  readonly requestType: MessageType<Req>;
  readonly responseType: MessageType<Res>;
  /** Full names of the message types, as in the descriptor. */
  readonly requestTypeName: string;
  readonly responseTypeName: string;
  readonly requestStream: boolean;
  readonly responseStream: boolean;
  readonly http: HttpRule;
}

const admin = flyteidl.admin;

function define<Req extends object, Res extends object>(
  name: OperationName,
  service: string,
  method: string,
  requestType: MessageType<Req>,
  responseType: MessageType<Res>,
): Operation<Req, Res> {
  const fullService = `flyteidl.service.${service}`;
  const described = descriptor.services[fullService]?.[method];
  if (!described?.http) throw new Error(`flyteidl has no annotated method ${fullService}/${method}`);
  return {
    name,
    protocol: "flyteidl",
    service: fullService,
    method,
    path: `/${fullService}/${method}`,
    requestType,
    responseType,
    requestTypeName: described.requestType,
    responseTypeName: described.responseType,
    requestStream: described.requestStream,
    responseStream: described.responseStream,
    http: described.http,
  };
}

export type OperationName =
  | "createTask"
  | "getTask"
  | "deleteTask"
  | "getTaskMetrics"
  | "getTaskLogs"
  | "executeTaskSync"
  | "getAgent"
  | "listAgents";

export const operations = {
  createTask: define("createTask", "AsyncAgentService", "CreateTask", admin.CreateTaskRequest, admin.CreateTaskResponse),
  getTask: define("getTask", "AsyncAgentService", "GetTask", admin.GetTaskRequest, admin.GetTaskResponse),
  deleteTask: define("deleteTask", "AsyncAgentService", "DeleteTask", admin.DeleteTaskRequest, admin.DeleteTaskResponse),
  getTaskMetrics: define(
    "getTaskMetrics",
    "AsyncAgentService",
    "GetTaskMetrics",
    admin.GetTaskMetricsRequest,
    admin.GetTaskMetricsResponse,
  ),
  getTaskLogs: define("getTaskLogs", "AsyncAgentService", "GetTaskLogs", admin.GetTaskLogsRequest, admin.GetTaskLogsResponse),
  executeTaskSync: define(
    "executeTaskSync",
    "SyncAgentService",
    "ExecuteTaskSync",
    admin.ExecuteTaskSyncRequest,
    admin.ExecuteTaskSyncResponse,
  ),
  getAgent: define("getAgent", "AgentMetadataService", "GetAgent", admin.GetAgentRequest, admin.GetAgentResponse),
  listAgents: define("listAgents", "AgentMetadataService", "ListAgents", admin.ListAgentsRequest, admin.ListAgentsResponse),
} as const satisfies Record<OperationName, Operation<any, any>>; // eslint-disable-line @typescript-eslint/no-explicit-any

export const operationNames = Object.keys(operations) as OperationName[];

export function isOperationName(name: string): name is OperationName {
  return Object.hasOwn(operations, name);
}

/**
 * What a transport answers a request stream longer than any operation takes, as soon as it is one:
 * its messages are then neither decoded nor held (the service words the exact rule for shorter ones).
 */
export function tooManyRequestMessages(operation: Operation): InvalidArgumentError {
  return new InvalidArgumentError(`${operation.method} takes at most ${MAX_REQUEST_MESSAGES} request messages; more were sent.`);
}

/** The options every dispatch carries from its transport. */
export interface DispatchOptions {
  /** Epoch milliseconds by which the answer must be back; the service answers DEADLINE_EXCEEDED before it. */
  readonly deadline?: number;
  /**
   * Aborted when the caller went away (a gRPC client cancelled the call, or its connection
   * closed): the work in flight is stopped, and the call rejects with CANCELLED.
   */
  readonly signal?: AbortSignal;
  /** The request's connection (Flyte 2 only), handed to create, get, delete and do. */
  readonly connection?: Connection;
  /** The request's `Inputs.context` (Flyte 2 only), handed to create and do. */
  readonly actionContext?: Readonly<Record<string, string>>;
  /** The protocol of the request and response messages (default flyteidl, Flyte 1's). */
  readonly protocol?: Protocol;
}

/** Flyte 1's `flyteidl` or Flyte 2's `flyteidl2.connector` (docs/CONTRACT.md §7), served side by side. */
export type Protocol = "flyteidl" | "flyteidl2";

/**
 * What every transport calls: decoded request messages in, response messages out (one each for
 * unary operations). Failures are thrown as ConnectorError with their gRPC status.
 */
export type Dispatch = (name: OperationName, requests: readonly object[], options?: DispatchOptions) => Promise<object[]>;
