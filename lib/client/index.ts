/** Calling the connector service from TypeScript: the client, its transports, and running a task to the end. */
export { ConnectorClient, type ClosableDispatch, type TaskLogs } from "./client.js";
export {
  MissingOutputsError,
  runTask,
  TaskCancelledError,
  TaskRunFailedError,
  type RunTaskOptions,
  type TaskResult,
  type TaskStatus,
} from "./executor.js";
export { overFlyteidl2 } from "./flyteidl2.js";
export { createGrpcDispatch, type GrpcDispatch, type GrpcDispatchOptions } from "./grpc-transport.js";
export { createHttpDispatch, type HttpDispatchOptions, type HttpSigningOptions } from "./http-transport.js";
export { createLambdaDispatch, DEFAULT_FUNCTION_PREFIX, type LambdaDispatchOptions } from "./lambda-transport.js";
export { formatElapsed, ProgressDisplay, type ProgressDisplayOptions, type ProgressStream } from "./progress.js";
export { idempotentOperations, isRetryable, withRetries, type RetryPolicy } from "./retry.js";
