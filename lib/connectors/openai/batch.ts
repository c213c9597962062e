/**
 * The `openai-batch` async connector, flytekit's BatchEndpointConnector
 * (plugins/flytekit-openai/flytekitplugins/openai/batch/connector.py): create is `batches.create`
 * of `custom.config` (completion_window "24h" and endpoint "/v1/chat/completions" unless set) with
 * the input `input_file_id`; get is `batches.retrieve`, every poll answering the output `result`,
 * the batch object as flytekit's `to_dict()` gives it (the API's JSON), as a MessagePack dict;
 * delete is `batches.cancel`, idempotent.
 *
 * The API takes no idempotency key, so a create sent twice starts two batches. With the task
 * execution id at hand (it includes the retry attempt), each batch carries it in its metadata
 * (`flyte_execution`, when the task's own metadata leaves room), and a create first looks for
 * its batch among the most recent ones, as it does again before resending a create whose answer
 * was lost: the same attempt's CreateTask reaching the service again finds the batch it started.
 * Two such calls at the same moment may still start two, and without an execution id (a run by
 * hand) each create starts a batch; an operator finds any duplicate by its metadata.
 */
import type { Batch, BatchCreateParams } from "openai/resources/batches";
import { AsyncConnectorBase, type CallContext, type GetParams, type TaskParams } from "../../connector/connector.js";
import { InvalidArgumentError } from "../../connector/errors.js";
import { clientToken, executionKey } from "../../connector/idempotency.js";
import { PlatformTaskError, PlatformUnavailableError } from "../../connector/platform-client.js";
import { Resource } from "../../connector/resource.js";
import { type JsonObject, type JsonValue } from "../../literals/index.js";
import { pythonOutputs } from "../../literals/python.js";
import { batchState } from "./batch-status.js";
import { OpenAIClient } from "./client.js";
import { BatchEndpointMetadata } from "./meta.js";
import { openAIRequest, type RequestOptions } from "./request-options.js";
import { readOpenAITask, stringInput } from "./task.js";

export const OPENAI_BATCH_TASK_TYPE = "openai-batch";

/** The metadata key that carries the task execution id. */
export const EXECUTION_METADATA_KEY = "flyte_execution";
/** The API's metadata limits: 16 pairs, values of at most 512 characters. */
const MAX_METADATA_PAIRS = 16;
const MAX_METADATA_VALUE_CHARS = 512;
/** How many of the most recent batches a create looks through (the API's largest page). */
const RECENT_BATCHES = 100;
/** Statuses in which a batch still runs, so a refused cancel is a real failure. */
const CANCELLABLE = new Set(["validating", "in_progress", "finalizing"]);

export class BatchEndpointConnector extends AsyncConnectorBase<BatchEndpointMetadata> {
  constructor() {
    super({ name: "OpenAI Batch Endpoint Connector", taskTypeName: OPENAI_BATCH_TASK_TYPE, metadataType: BatchEndpointMetadata });
  }

  async create(params: TaskParams): Promise<BatchEndpointMetadata> {
    const { organization, config } = readOpenAITask(params, OPENAI_BATCH_TASK_TYPE, "config");
    const inputFileId = stringInput(params, OPENAI_BATCH_TASK_TYPE, "input_file_id");
    if (Object.hasOwn(config, "input_file_id")) {
      throw new InvalidArgumentError("openai-batch task's custom.config cannot set input_file_id: it is the task's input.");
    }
    // flytekit's setdefault (lines 73-74): a key present, even null, is kept.
    if (!Object.hasOwn(config, "completion_window")) config["completion_window"] = "24h";
    if (!Object.hasOwn(config, "endpoint")) config["endpoint"] = "/v1/chat/completions";
    const { body, options: request } = openAIRequest(config, "openai-batch task's custom.config", { input_file_id: inputFileId });
    // The metadata the API gets, extra_body's over the config's, is what carries the execution id.
    const tag = executionTag(body["metadata"], params);
    if (tag) body["metadata"] = tag.metadata;
    const client = await OpenAIClient.connect(params, organization);
    const search = tag ? () => findTagged(client, tag.value, inputFileId, request) : undefined;
    // A server with no batch list still starts batches, as flytekit, which never lists, would have it.
    const started = search ? await search().catch(unlessNoBatchList) : undefined;
    const batch = started ?? (await client.call({
      action: "create the batch",
      send: (api, options) => api.batches.create(body as unknown as BatchCreateParams, { ...options, headers: request.headers, query: request.query }),
      check: isBatch,
      resend: false,
      recover: search,
      timeoutMs: request.timeoutMs,
    }));
    return new BatchEndpointMetadata({ openai_org: organization, batch_id: batch.id });
  }

  async get(meta: BatchEndpointMetadata, params: GetParams): Promise<Resource> {
    const client = await OpenAIClient.connect(params, meta.openai_org);
    const batch = await retrieve(client, meta.batch_id);
    const { phase, message } = batchState(batch);
    return new Resource({ phase, message, outputs: pythonOutputs({ result: batch }) });
  }

  /**
   * Cancels the batch. A batch that no longer runs (finished, cancelled, cancelling, or unknown
   * to the API) has nothing to cancel, which is success: the API refuses such a cancel (its
   * reference documents only the 200), so a refusal, a 409 that outlasted the retries included,
   * is checked against the batch's status.
   */
  async delete(meta: BatchEndpointMetadata, params: CallContext): Promise<void> {
    const client = await OpenAIClient.connect(params, meta.openai_org);
    try {
      await client.call({
        action: `cancel batch ${meta.batch_id}`,
        send: (api, options) => api.batches.cancel(meta.batch_id, options),
        check: isBatch,
        resend: true,
      });
    } catch (refused) {
      if (!(refused instanceof PlatformTaskError || (refused instanceof PlatformUnavailableError && refused.httpStatus === 409))) throw refused;
      if (refused.httpStatus !== 404 && CANCELLABLE.has((await retrieveIfAny(client, meta.batch_id))?.status ?? "")) throw refused;
    }
  }
}

/** The batch, or undefined when the API knows no such batch (404). */
async function retrieveIfAny(client: OpenAIClient, batchId: string): Promise<Batch | undefined> {
  try {
    return await retrieve(client, batchId);
  } catch (error) {
    if (error instanceof PlatformTaskError && error.httpStatus === 404) return undefined;
    throw error;
  }
}

function retrieve(client: OpenAIClient, batchId: string): Promise<Batch> {
  return client.call({
    action: `read batch ${batchId}`,
    send: (api, options) => api.batches.retrieve(batchId, options),
    check: isBatch,
    resend: true,
  });
}

/**
 * The task's metadata with the execution id added, when there is an id and the metadata has
 * room for it and does not set the key itself; anything but an object or null is left for the
 * API to refuse.
 */
function executionTag(metadata: JsonValue | undefined, params: TaskParams): { value: string; metadata: JsonObject } | undefined {
  const key = executionKey(params.taskExecutionMetadata);
  if (key === undefined) return undefined;
  if (metadata !== undefined && metadata !== null && (typeof metadata !== "object" || Array.isArray(metadata))) return undefined;
  const own = metadata ?? {};
  if (Object.hasOwn(own, EXECUTION_METADATA_KEY) || Object.keys(own).length >= MAX_METADATA_PAIRS) return undefined;
  const value = key.length <= MAX_METADATA_VALUE_CHARS ? key : clientToken(key, { maxLength: MAX_METADATA_VALUE_CHARS, allowed: /[\s\S]/ });
  return { value, metadata: { ...own, [EXECUTION_METADATA_KEY]: value } };
}

/**
 * The batch this attempt made, among the most recent ones: same execution id and input file. The
 * list is asked with the task's extra headers and query, as the create is: an OpenAI-Project
 * header scopes both, and a server may want its query on every request (Azure's api-version).
 */
async function findTagged(client: OpenAIClient, value: string, inputFileId: string, { headers, query }: RequestOptions): Promise<Batch | undefined> {
  const page = await client.call({
    action: "list the recent batches",
    // The raw list, not the package's page, which reads a garbled answer as an empty page.
    send: (api, options) => api.get("/batches", { ...options, headers, query: { ...query, limit: RECENT_BATCHES } }),
    check: (answer: unknown): answer is { data: unknown[] } => Array.isArray((answer as { data?: unknown } | null)?.data),
    resend: true,
  });
  return page.data.find(
    (batch): batch is Batch => isBatch(batch) && batch.metadata?.[EXECUTION_METADATA_KEY] === value && batch.input_file_id === inputFileId,
  );
}

/**
 * No batch found when the server has no batch list (404, 405: an OPENAI_BASE_URL server that only
 * creates); any other failure thrown. Only before the first create: after a lost answer, not being
 * able to look means not knowing whether the batch was made.
 */
function unlessNoBatchList(error: unknown): undefined {
  if (error instanceof PlatformTaskError && (error.httpStatus === 404 || error.httpStatus === 405)) return undefined;
  throw error;
}

function isBatch(answer: unknown): answer is Batch {
  const batch = answer as Partial<Batch> | null;
  return typeof batch?.id === "string" && typeof batch.status === "string";
}
