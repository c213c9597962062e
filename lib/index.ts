/** The library connector authors import: flytekit's base_connector API in TypeScript. */
export {
  AsyncConnector,
  AsyncConnectorBase,
  ConnectorBase,
  SyncConnector,
  SyncConnectorBase,
  type AsyncConnectorOptions,
  type CallContext,
  type Connection,
  type Connector,
  type ConnectorOptions,
  type DeleteParams,
  type GetParams,
  type LogLine,
  type LogsParams,
  type MaybePromise,
  type MetricsParams,
  type TaskLogsPage,
  type TaskParams,
} from "./connector/connector.js";
export {
  CancelledError,
  ConnectorError,
  ConnectorNotFoundError,
  DeadlineExceededError,
  FailedPreconditionError,
  InternalError,
  InvalidArgumentError,
  Status,
  TaskFailedError,
  UnavailableError,
  UnimplementedError,
  statusName,
  type StatusCode,
  type StatusName,
} from "./connector/errors.js";
export { Phase, convertToFlytePhase, endsAttempt, isTerminalPhase } from "./connector/phase.js";
export { ConnectorRegistry, type LazyConnector } from "./connector/registry.js";
export { Resource, type LinkType, type LogLink, type ResourceInit } from "./connector/resource.js";
export {
  ResourceMetaError,
  defineResourceMeta,
  field,
  type Field,
  type FieldMap,
  type ResourceMeta,
  type ResourceMetaClass,
  type ResourceMetaInit,
  type ResourceMetaInstance,
  type ResourceMetaType,
} from "./connector/resource-meta.js";
export { SecretNotFoundError, findSecret, getConnectorSecret, getSecret, type SecretChainOptions, type SecretLookupOptions } from "./connector/secrets.js";
export { clientToken, executionKey, uuidV5, type TokenShape } from "./connector/idempotency.js";
export {
  PlatformAuthError,
  PlatformClient,
  PlatformTaskError,
  PlatformUnavailableError,
  defaultErrorMessage,
  type HttpMethod,
  type PlatformClientOptions,
  type PlatformFailure,
  type PlatformRequest,
  type PlatformResponse,
} from "./connector/platform-client.js";
/** What `field.json()` holds: Python's JSON values (a PythonFloat, exported with the literals, is written as a float even when integral). */
export { type JsonValue as PythonJsonValue } from "./connector/python-json.js";
export { TaskCategory } from "./connector/task-category.js";
export { taskParams, type TaskParamsInit } from "./connector/task-params.js";
export { renderTaskTemplate } from "./connector/template.js";
export { flyteidl, google } from "./idl/index.js";
export * from "./literals/index.js";
export { metaSealerFromEnv, type MetaSealerProvider } from "./service/meta-keys.js";
export { MetaSealer, parseMetaKeys, type MetaKey } from "./service/meta-seal.js";
export { ConnectorService, type ConnectorServiceOptions, type ServiceLogger } from "./service/service.js";
export { operations, type Dispatch, type DispatchOptions, type OperationName, type Protocol } from "./service/operations.js";
