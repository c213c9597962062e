/**
 * Every depth and size limit the service enforces, in one place: whatever a caller sends, an
 * answer costs bounded time and memory. LIMITS.md lists each with what a caller gets beyond it.
 */

/**
 * How deeply messages nest, counted as protobufjs counts (the request is level 0; each message
 * field, repeated element and map value one level below its parent): protobufjs's own recursion
 * limit (`util.recursionLimit`), which its decode, encode, fromObject and toObject enforce.
 * Proto3 JSON input is held to the same count, so whatever is read also encodes.
 */
export const MAX_MESSAGE_DEPTH = 100;

/**
 * How deeply a request nests, counted the same way: what a request carries sits at least 1 level
 * down (`CreateTaskRequest.inputs`, `.template.custom`) and its answer carries it at most 3 levels
 * down (`ExecuteTaskSyncResponse.header.resource.outputs`, `.customInfo`), so outputs that echo
 * their inputs, or custom info its template, still encode within MAX_MESSAGE_DEPTH.
 */
export const MAX_REQUEST_DEPTH = MAX_MESSAGE_DEPTH - 2;

/**
 * Lambda's limit on a synchronous invocation's payload: no larger request reaches a deployed
 * function, so the functions' handlers and the local HTTP server refuse one as well.
 */
export const MAX_LAMBDA_PAYLOAD_BYTES = 6 * 1024 * 1024;

/**
 * The largest gRPC request message: grpc-js's default, and the limit of FlytePropeller's own
 * client. It keeps a request relayed to the Lambda backend (base64, 4/3 larger) under
 * MAX_LAMBDA_PAYLOAD_BYTES.
 */
export const MAX_GRPC_MESSAGE_BYTES = 4 * 1024 * 1024;

/**
 * The most request messages an operation takes (ExecuteTaskSync: a header, then the inputs): a
 * longer stream is refused as soon as it is one, before its messages are decoded or held.
 */
export const MAX_REQUEST_MESSAGES = 2;

/**
 * Error messages are cut to this length: they may quote what a caller sent (a task type of a
 * megabyte), and gRPC carries them in a trailer, whose size HTTP/2 peers cap (Node's at 64 KB).
 */
export const MAX_ERROR_MESSAGE_CHARS = 1024;

/** How many `cause` links of an error the log and the secret redaction follow: causes can form a cycle. */
export const MAX_ERROR_CAUSES = 5;

/**
 * The largest resource meta that carries a sync connector's finished Resource over Flyte 2, which
 * has no sync service (docs/CONTRACT.md §7): the executor keeps a task's meta in the plugin state of a
 * Kubernetes resource, which etcd holds under 1.5 MiB whole. A larger result is answered as a
 * FAILED Resource naming this limit (the task failed: running it again would give the same).
 */
export const MAX_SYNC_RESULT_META_BYTES = 256 * 1024;

/**
 * Passing secrets (tokens, the secrets a request's connection carries) a process keeps redacting:
 * the most recently seen. Each use sees them again, so only ones out of use leave; without a bound
 * a process living for weeks would gather every hourly token it was ever given.
 */
export const MAX_PASSING_SECRETS = 1024;

/**
 * Distinct `task_type` label values the gRPC front's metrics keep, and the longest: a caller
 * names the task type, and each value is a series kept for the life of the process. Types beyond
 * either are counted as "other".
 */
export const MAX_TASK_TYPE_LABELS = 256;
export const MAX_TASK_TYPE_LABEL_CHARS = 128;

/**
 * The longest delay Node's timers hold (2^31 - 1 ms, about 24.8 days): a longer one fires at once.
 * A deadline further away than this arms no timer, as none could fire while a call runs.
 */
export const MAX_TIMER_MS = 2 ** 31 - 1;
