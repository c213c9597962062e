/**
 * A typed caller of the eight operations over any transport: the same methods whether the
 * service runs in this process, behind Lambda Invoke, behind HTTP or behind the gRPC front.
 */
import { InternalError } from "../connector/errors.js";
import type { ConnectorRegistry } from "../connector/registry.js";
import type { flyteidl } from "../idl/index.js";
import type { Dispatch, DispatchOptions, OperationName } from "../service/operations.js";
import { ConnectorService, type ConnectorServiceOptions } from "../service/service.js";
import { overFlyteidl2 } from "./flyteidl2.js";
import { createGrpcDispatch, type GrpcDispatchOptions } from "./grpc-transport.js";
import { createHttpDispatch, type HttpDispatchOptions } from "./http-transport.js";
import { createLambdaDispatch, type LambdaDispatchOptions } from "./lambda-transport.js";
import { withRetries, type RetryPolicy } from "./retry.js";

/** A dispatch that holds a connection (gRPC's channel) has a `close`. */
export type ClosableDispatch = Dispatch & { close?(): void };

/** One page of task logs: the token of the next page ("" when none) and the lines. */
export interface TaskLogs {
  readonly token: string;
  readonly lines: string[];
}

export class ConnectorClient {
  constructor(readonly dispatch: ClosableDispatch) {}

  /** Calls the service in this process: no network, same messages and errors. */
  static inProcess(registry: ConnectorRegistry, options?: ConnectorServiceOptions): ConnectorClient {
    return new ConnectorClient(new ConnectorService(registry, options).dispatch);
  }

  static lambda(options: LambdaDispatchOptions = {}): ConnectorClient {
    return new ConnectorClient(createLambdaDispatch(options));
  }

  static http(options: HttpDispatchOptions): ConnectorClient {
    return new ConnectorClient(createHttpDispatch(options));
  }

  /** Holds a channel: call `close()` when done. Idempotent operations are retried as over Lambda and HTTP. */
  static grpc(options: GrpcDispatchOptions & { readonly retry?: RetryPolicy }): ConnectorClient {
    const dispatch = createGrpcDispatch(options);
    return new ConnectorClient(Object.assign(withRetries(dispatch, options.retry), { close: dispatch.close }));
  }

  /**
   * The same calls through Flyte 2's protocol (`flyteidl2.connector`), as its executor makes them:
   * the transport must reach a service that serves it (this project's does, on every transport).
   */
  overFlyteidl2(): ConnectorClient {
    return new ConnectorClient(Object.assign(overFlyteidl2(this.dispatch), { close: this.dispatch.close }));
  }

  /** Releases the transport's connection, if it holds one. */
  close(): void {
    this.dispatch.close?.();
  }

  async createTask(
    request: flyteidl.admin.ICreateTaskRequest,
    options?: DispatchOptions,
  ): Promise<flyteidl.admin.CreateTaskResponse> {
    return this.#unary("createTask", request, options);
  }

  async getTask(request: flyteidl.admin.IGetTaskRequest, options?: DispatchOptions): Promise<flyteidl.admin.GetTaskResponse> {
    return this.#unary("getTask", request, options);
  }

  async deleteTask(
    request: flyteidl.admin.IDeleteTaskRequest,
    options?: DispatchOptions,
  ): Promise<flyteidl.admin.DeleteTaskResponse> {
    return this.#unary("deleteTask", request, options);
  }

  async getTaskMetrics(
    request: flyteidl.admin.IGetTaskMetricsRequest,
    options?: DispatchOptions,
  ): Promise<flyteidl.admin.GetTaskMetricsResponse> {
    return this.#unary("getTaskMetrics", request, options);
  }

  /** The stream's header gives the next page's token, its bodies the lines. */
  async getTaskLogs(request: flyteidl.admin.IGetTaskLogsRequest, options?: DispatchOptions): Promise<TaskLogs> {
    const [header, ...bodies] = (await this.dispatch("getTaskLogs", [request], options)) as flyteidl.admin.IGetTaskLogsResponse[];
    if (!header?.header) throw new InternalError("GetTaskLogs answered without a header message first.");
    return {
      token: header.header.token ?? "",
      lines: bodies.flatMap((message) => message.body?.results ?? []),
    };
  }

  /** Sends the header, then the inputs; the one answer's resource holds the terminal phase and outputs. */
  async executeTaskSync(
    header: flyteidl.admin.ICreateRequestHeader,
    inputs?: flyteidl.core.ILiteralMap | null,
    options?: DispatchOptions,
  ): Promise<flyteidl.admin.Resource> {
    const requests: flyteidl.admin.IExecuteTaskSyncRequest[] = [{ header }];
    if (inputs) requests.push({ inputs });
    const [response] = (await this.dispatch("executeTaskSync", requests, options)) as flyteidl.admin.IExecuteTaskSyncResponse[];
    const resource = response?.header?.resource;
    if (!resource) throw new InternalError("ExecuteTaskSync answered without a resource.");
    return resource as flyteidl.admin.Resource;
  }

  async getAgent(name: string, options?: DispatchOptions): Promise<flyteidl.admin.Agent> {
    const { agent } = await this.#unary<flyteidl.admin.GetAgentResponse>("getAgent", { name }, options);
    if (!agent) throw new InternalError(`GetAgent answered no agent for ${name}.`);
    // Every transport decodes into the generated classes; the field is typed by its interface.
    return agent as flyteidl.admin.Agent;
  }

  async listAgents(options?: DispatchOptions): Promise<flyteidl.admin.Agent[]> {
    const { agents } = await this.#unary<flyteidl.admin.ListAgentsResponse>("listAgents", {}, options);
    return agents as flyteidl.admin.Agent[];
  }

  async #unary<T>(name: OperationName, request: object, options: DispatchOptions | undefined): Promise<T> {
    const [response] = await this.dispatch(name, [request], options);
    if (!response) throw new InternalError(`${name} answered no message.`);
    return response as T;
  }
}
