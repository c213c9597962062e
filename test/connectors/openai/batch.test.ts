/**
 * The `openai-batch` connector through the service, against the OpenAI fake (reached through
 * OPENAI_BASE_URL), with templates as flytekit's BatchEndpointTask writes them.
 */
import { decode as decodeMessagePack } from "@msgpack/msgpack";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { Status } from "../../../lib/connector/errors.js";
import { Phase } from "../../../lib/connector/phase.js";
import { ConnectorRegistry } from "../../../lib/connector/registry.js";
import { BatchEndpointConnector } from "../../../lib/connectors/openai/batch.js";
import type { flyteidl } from "../../../lib/idl/index.js";
import { ConnectorService } from "../../../lib/service/service.js";
import type { DispatchOptions } from "../../../lib/service/operations.js";
import { rejection } from "../../support/rejection.js";
import { OpenAIFake } from "./fake.js";
import { batchTemplate, executionMetadata, stringInputs } from "./templates.js";
import { useFake } from "../../support/use-fake.js";

const fake = useFake(new OpenAIFake());
fake.organizations.add("testorg");
const service = new ConnectorService(new ConnectorRegistry().register(new BatchEndpointConnector()));
const taskCategory = { name: "openai-batch", version: 0 };

beforeEach(() => {
  vi.stubEnv("OPENAI_BASE_URL", fake.baseUrl);
  vi.stubEnv("_FSEC_FLYTE_OPENAI_API_KEY", fake.apiKey);
});
afterEach(() => {
  vi.unstubAllEnvs();
  fake.clearState();
});

/** flytekit's own connector test: openai_batch/test_connector.py lines 124-127 and 175-181. */
const flytekitConfig = { metadata: { batch_description: "Nightly eval job" } };
const flytekitOrganization = "test-openai-orgnization-id";
/** The task execution id the metadata carries: executionKey's `org/project/domain/execution/node/task/attempt`. */
const EXECUTION = "/proj/dom/f6a3c9e1b2d4/n0/batch-task/0";

async function create(
  config: Record<string, unknown> = flytekitConfig,
  options: { organization?: string | null; inputFileId?: string; metadata?: flyteidl.admin.ITaskExecutionMetadata | null } & DispatchOptions = {},
): Promise<Uint8Array> {
  const { organization = flytekitOrganization, inputFileId = "file-xuefauew", metadata = executionMetadata(), ...dispatch } = options;
  const response = await service.createTask(
    {
      template: batchTemplate(config, organization),
      inputs: stringInputs({ input_file_id: inputFileId }),
      outputPrefix: "s3://bucket/out",
      taskExecutionMetadata: metadata,
    },
    dispatch,
  );
  return response.resourceMeta;
}

function meta(batchId: string, organization: string | null = flytekitOrganization): Uint8Array {
  return new TextEncoder().encode(JSON.stringify({ openai_org: organization, batch_id: batchId }).replace(/":/g, '": ').replace(/,"/g, ', "'));
}

async function get(resourceMeta: Uint8Array, options: DispatchOptions = {}): Promise<flyteidl.admin.IResource> {
  return (await service.getTask({ taskCategory, resourceMeta }, options)).resource!;
}

function result(resource: flyteidl.admin.IResource): unknown {
  const binary = resource.outputs?.literals?.["result"]?.scalar?.binary;
  expect(binary?.tag).toBe("msgpack");
  return decodeMessagePack(binary!.value!);
}

describe("openai-batch create", () => {
  it("creates the batch with flytekit's defaults and the input file, and answers flytekit's meta as JSON", async () => {
    const resourceMeta = await create();
    expect(new TextDecoder().decode(resourceMeta)).toBe('{"openai_org": "test-openai-orgnization-id", "batch_id": "batch_000001"}');
    const [lookup, call, ...more] = fake.calls;
    expect(more).toEqual([]);
    // First, whether this attempt already started its batch (the API has no idempotency key).
    expect(`${lookup!.method} ${lookup!.path}?${lookup!.query}`).toBe("GET /v1/batches?limit=100");
    expect(call!.method).toBe("POST");
    expect(call!.path).toBe("/v1/batches");
    expect(call!.headers.authorization).toBe(`Bearer ${fake.apiKey}`);
    expect(call!.headers["openai-organization"]).toBe(flytekitOrganization);
    // connector.py lines 73-79: setdefault completion_window and endpoint, then input_file_id.
    expect(call!.json).toEqual({
      metadata: { batch_description: "Nightly eval job", flyte_execution: EXECUTION },
      completion_window: "24h",
      endpoint: "/v1/chat/completions",
      input_file_id: "file-xuefauew",
    });
  });

  it("keeps what the config sets (test_task.py lines 26-30), and adds no metadata without an execution id", async () => {
    await create({ completion_window: "24h", endpoint: "/v1/embeddings" }, { organization: "testorg", metadata: null });
    expect(fake.calls[0]!.json).toEqual({ completion_window: "24h", endpoint: "/v1/embeddings", input_file_id: "file-xuefauew" });
  });

  it("tags the metadata extra_body sends, which replaces the config's (openai-python merges extra_body over the body)", async () => {
    await create({ metadata: { a: "config" }, extra_body: { metadata: { b: "extra" } } });
    expect((fake.calls.find((call) => call.method === "POST")!.json as { metadata: unknown }).metadata).toEqual({ b: "extra", flyte_execution: EXECUTION });
  });

  it("leaves the metadata alone when it has no room or names the key itself", async () => {
    const full = Object.fromEntries(Array.from({ length: 16 }, (_, i) => [`k${i}`, "v"]));
    await create({ metadata: full });
    expect((fake.calls[0]!.json as { metadata: unknown }).metadata).toEqual(full);
    fake.reset();
    await create({ metadata: { flyte_execution: "mine" } });
    expect((fake.calls[0]!.json as { metadata: unknown }).metadata).toEqual({ flyte_execution: "mine" });
  });

  it("sends no organization when the task names none, whatever OPENAI_ORG_ID says", async () => {
    vi.stubEnv("OPENAI_ORG_ID", "org-from-the-environment");
    vi.stubEnv("OPENAI_API_KEY", "sk-from-the-environment-0000");
    const resourceMeta = await create(flytekitConfig, { organization: null });
    expect(new TextDecoder().decode(resourceMeta)).toBe('{"openai_org": null, "batch_id": "batch_000001"}');
    expect(fake.calls[0]!.headers["openai-organization"]).toBeUndefined();
    expect(fake.calls[0]!.headers.authorization).toBe(`Bearer ${fake.apiKey}`);
  });

  it("takes the key from the Flyte 2 connection on create, get and delete", async () => {
    vi.stubEnv("_FSEC_FLYTE_OPENAI_API_KEY", undefined);
    const connection = { secrets: { FLYTE_OPENAI_API_KEY: fake.apiKey }, configs: {} };
    const resourceMeta = await create(flytekitConfig, { connection });
    expect((await get(resourceMeta, { connection })).phase).toBe(Phase.RUNNING);
    await service.deleteTask({ taskCategory, resourceMeta }, { connection });
    expect(fake.calls.map((call) => `${call.method} ${call.path} ${call.status}`)).toEqual([
      "GET /v1/batches 200",
      "POST /v1/batches 200",
      "GET /v1/batches/batch_000001 200",
      "POST /v1/batches/batch_000001/cancel 200",
    ]);
  });

  it("sends openai-python's request options as options, not fields: batches.create(**config) takes extra_body, extra_headers, extra_query and timeout", async () => {
    const config = { extra_body: { output_expires_after: { anchor: "created_at", seconds: 3600 } }, extra_headers: { "X-Team": "evals" }, extra_query: { trace: "1" }, timeout: 30 };
    await create(config, { metadata: null });
    const [call] = fake.calls;
    // The fake refuses unknown body fields, as the API does ("Unrecognized request argument supplied").
    expect(call!.status).toBe(200);
    expect(call!.json).toEqual({ completion_window: "24h", endpoint: "/v1/chat/completions", input_file_id: "file-xuefauew", output_expires_after: { anchor: "created_at", seconds: 3600 } });
    expect(call!.headers["x-team"]).toBe("evals");
    expect(call!.query.get("trace")).toBe("1");
    const error = await rejection(create({ extra_headers: { "X-Bad": "line\nbreak" } }));
    expect(error.code).toBe(Status.INVALID_ARGUMENT);
    expect(error.message).toContain("extra_headers");
  });

  it("refuses what the plugin would not send, before any call: INVALID_ARGUMENT", async () => {
    let error = await rejection(create({ input_file_id: "file-other" }));
    expect(error.code).toBe(Status.INVALID_ARGUMENT);
    expect(error.message).toContain("cannot set input_file_id");
    error = await rejection(service.createTask({ template: batchTemplate(flytekitConfig), outputPrefix: "s3://b" }));
    expect(error.code).toBe(Status.INVALID_ARGUMENT);
    expect(error.message).toContain('needs the input "input_file_id"');
    expect(fake.calls).toEqual([]);
  });

  it("reports the API's refusal of the batch as INVALID_ARGUMENT with its message", async () => {
    const error = await rejection(create({ endpoint: "/v1/nothing" }));
    expect(error.code).toBe(Status.INVALID_ARGUMENT);
    expect(error.message).toMatch(/^OpenAI could not create the batch: HTTP 400: Invalid value: '\/v1\/nothing'\. Supported values are: .* \(invalid_value\)$/);
    expect(fake.batches.size).toBe(0);
  });

  it("retries a throttled create: it was refused unprocessed", async () => {
    fake.fault({ route: "POST /v1/batches", status: 429, retryAfter: 0 });
    await create();
    expect(fake.callsTo("POST /v1/batches").map((call) => call.status)).toEqual([429, 200]);
    expect(fake.batches.size).toBe(1);
  });

  describe("idempotency by the execution id in the batch's metadata (the API has no idempotency key)", () => {
    it("a CreateTask of the same attempt again answers the batch the first started", async () => {
      const first = await create();
      const again = await create();
      expect(again).toEqual(first);
      expect(fake.batches.size).toBe(1);
      expect(fake.calls.map((call) => `${call.method} ${call.path}`)).toEqual(["GET /v1/batches", "POST /v1/batches", "GET /v1/batches"]);
    });

    it("the next attempt starts a batch of its own", async () => {
      await create();
      await create(flytekitConfig, { metadata: executionMetadata(1) });
      expect([...fake.batches.values()].map((batch) => batch.metadata?.["flyte_execution"])).toEqual([EXECUTION, EXECUTION.replace(/0$/, "1")]);
    });

    it("searches with the task's extra_headers and extra_query, as it creates: an OpenAI-Project header scopes both, Azure wants its api-version on each", async () => {
      await create({ ...flytekitConfig, extra_headers: { "OpenAI-Project": "proj_evals" }, extra_query: { "api-version": "2024-10-21" } });
      expect(fake.calls.map((call) => `${call.method} ${call.path} ${call.headers["openai-project"]} ${call.query.get("api-version")}`)).toEqual([
        "GET /v1/batches proj_evals 2024-10-21",
        "POST /v1/batches proj_evals 2024-10-21",
      ]);
      expect(fake.calls[0]!.query.get("limit")).toBe("100");
    });

    it.each([404, 405])("still starts the batch when the server has no batch list (%d), as flytekit, which never lists", async (status) => {
      fake.fault({ route: "GET /v1/batches", status, times: Infinity });
      await create();
      expect(fake.calls.map((call) => `${call.method} ${call.path} ${call.status}`)).toEqual([`GET /v1/batches ${status}`, "POST /v1/batches 200"]);
      expect(fake.batches.size).toBe(1);
    });

    it("is UNAVAILABLE, having started nothing, when the search fails", async () => {
      fake.fault({ route: "GET /v1/batches", status: 503, times: Infinity, retryAfter: 0 });
      const error = await rejection(create());
      expect(error.code).toBe(Status.UNAVAILABLE);
      expect(error.message).toBe("OpenAI could not list the recent batches: HTTP 503: injected fault 503");
      expect(fake.callsTo("POST")).toEqual([]);
    });
  });

  describe("a create whose answer is lost", () => {
    it("finds the batch it made by the execution id instead of making a second", async () => {
      fake.loseNextCreateAnswer = true;
      const resourceMeta = await create();
      expect(fake.batches.size).toBe(1);
      expect(new TextDecoder().decode(resourceMeta)).toContain('"batch_id": "batch_000001"');
      expect(fake.calls.map((call) => `${call.method} ${call.path} ${call.status}`)).toEqual([
        "GET /v1/batches 200",
        "POST /v1/batches 502",
        "GET /v1/batches 200",
      ]);
    });

    it("does not take another attempt's batch for its own", async () => {
      fake.addBatch({ id: "batch_earlier", input_file_id: "file-xuefauew", metadata: { flyte_execution: "/proj/dom/f6a3c9e1b2d4/n0/batch-task/1" } });
      fake.fault({ route: "POST /v1/batches", malformed: true });
      await create();
      expect(fake.calls.map((call) => `${call.method} ${call.path} ${call.status}`)).toEqual([
        "GET /v1/batches 200",
        "POST /v1/batches 200",
        "GET /v1/batches 200",
        "POST /v1/batches 200",
      ]);
    });

    it("sends it again when the batch was not made", async () => {
      fake.fault({ route: "POST /v1/batches", status: 500 });
      const resourceMeta = await create();
      expect(fake.batches.size).toBe(1);
      expect(new TextDecoder().decode(resourceMeta)).toContain(`"batch_id": "${[...fake.batches.keys()][0]}"`);
      expect(fake.calls.map((call) => call.status)).toEqual([200, 500, 200, 200]);
    });

    it("without an execution id, is UNAVAILABLE saying the batch may exist, and does not send it again", async () => {
      fake.loseNextCreateAnswer = true;
      const error = await rejection(create(flytekitConfig, { metadata: null }));
      expect(error.code).toBe(Status.UNAVAILABLE);
      expect(error.message).toBe("OpenAI could not create the batch: HTTP 502: Bad gateway. (it may have been done all the same)");
      expect(fake.calls).toHaveLength(1);
    });

    it("with no batch list to look in, is UNAVAILABLE saying whether it did is unknown, and does not send it again", async () => {
      fake.loseNextCreateAnswer = true;
      fake.fault({ route: "GET /v1/batches", status: 404, times: Infinity });
      const error = await rejection(create());
      expect(error.code).toBe(Status.UNAVAILABLE);
      expect(error.message).toMatch(/^OpenAI could not create the batch: HTTP 502: Bad gateway\., and whether it did is unknown: OpenAI could not list the recent batches: HTTP 404/);
      expect(fake.callsTo("POST /v1/batches")).toHaveLength(1);
    });

    it("is UNAVAILABLE when the search fails too", async () => {
      fake.loseNextCreateAnswer = true;
      fake.onCreate = () => fake.fault({ route: "GET /v1/batches", status: 503, times: Infinity, retryAfter: 0 });
      const error = await rejection(create());
      expect(error.code).toBe(Status.UNAVAILABLE);
      expect(error.message).toBe(
        "OpenAI could not create the batch: HTTP 502: Bad gateway., and whether it did is unknown: OpenAI could not list the recent batches: HTTP 503: injected fault 503",
      );
    });
  });
});

describe("openai-batch get", () => {
  it.each([
    ["validating", Phase.RUNNING, "Batch batch_1 is validating."],
    ["in_progress", Phase.RUNNING, "Batch batch_1 is in_progress."],
    ["finalizing", Phase.RUNNING, "Batch batch_1 is finalizing."],
    ["completed", Phase.SUCCEEDED, "Batch batch_1 is completed: 95 of 100 requests completed, 5 failed."],
    ["failed", Phase.FAILED, "Batch batch_1 failed."],
    ["expired", Phase.FAILED, "Batch batch_1 expired: it did not complete within its completion window (24h)."],
    ["cancelling", Phase.FAILED, "Batch batch_1 was cancelled (cancelling)."],
    ["cancelled", Phase.FAILED, "Batch batch_1 was cancelled (cancelled)."],
    ["paused", Phase.RUNNING, 'OpenAI reports batch batch_1 as "paused", a status this connector does not know; still waiting.'],
  ])("%s is %s", async (status, phase, message) => {
    fake.addBatch({ id: "batch_1" });
    const batch = fake.transition("batch_1", status);
    const resource = await get(meta("batch_1"));
    expect(resource.phase).toBe(phase);
    expect(resource.message).toBe(message);
    // connector.py lines 105-110: every answer carries the batch as flytekit's to_dict() gives it.
    expect(result(resource)).toEqual(JSON.parse(JSON.stringify(batch)));
    expect(fake.calls[0]!.path).toBe("/v1/batches/batch_1");
    expect(fake.calls[0]!.headers["openai-organization"]).toBe(flytekitOrganization);
  });

  it("a failed batch says its first error, as flytekit does (test_connector.py lines 71-108, 167-171)", async () => {
    fake.addBatch({ id: "batch_JneJt99rNcZZncptC5Ec58hw", endpoint: "/v1/chat/completions" });
    fake.transition("batch_JneJt99rNcZZncptC5Ec58hw", "failed", {
      object: "list",
      data: [
        { code: "invalid_json_line", line: 1, message: "This line is not parseable as valid JSON.", param: null },
        { code: "invalid_json_line", line: 10, message: "This line is not parseable as valid JSON.", param: null },
      ],
    });
    const resource = await get(meta("batch_JneJt99rNcZZncptC5Ec58hw"));
    expect(resource.phase).toBe(Phase.FAILED);
    expect(resource.message).toBe("This line is not parseable as valid JSON.");
  });

  it("follows a batch from create to completion", async () => {
    const resourceMeta = await create();
    const id = [...fake.batches.keys()][0]!;
    expect((await get(resourceMeta)).phase).toBe(Phase.RUNNING);
    fake.transition(id, "in_progress");
    expect((await get(resourceMeta)).phase).toBe(Phase.RUNNING);
    fake.transition(id, "completed");
    const done = await get(resourceMeta);
    expect(done.phase).toBe(Phase.SUCCEEDED);
    expect(result(done)).toMatchObject({ id, status: "completed", output_file_id: "file-cvaTdG", metadata: { flyte_execution: EXECUTION } });
  });

  it("an unknown batch is FAILED with the API's message", async () => {
    const resource = await get(meta("batch_gone"));
    expect(resource.phase).toBe(Phase.FAILED);
    expect(resource.message).toBe("OpenAI could not read batch batch_gone: HTTP 404: No batch found with id 'batch_gone'.");
  });

  it("a refused key is FAILED_PRECONDITION", async () => {
    fake.addBatch({ id: "batch_1" });
    vi.stubEnv("_FSEC_FLYTE_OPENAI_API_KEY", "sk-proj-revokedKEY9876543210zyxw");
    const error = await rejection(get(meta("batch_1")));
    expect(error.code).toBe(Status.FAILED_PRECONDITION);
    expect(error.message).not.toContain("revokedKEY");
  });

  describe("faults", () => {
    it("retries throttling and 5xx", async () => {
      fake.addBatch({ id: "batch_1" });
      fake.fault({ status: 429, retryAfter: 0 }).fault({ status: 502 });
      expect((await get(meta("batch_1"))).phase).toBe(Phase.RUNNING);
      expect(fake.calls.map((call) => call.status)).toEqual([429, 502, 200]);
    });

    it("retries a 409, as the package does: the API's conflict with another request passes", async () => {
      fake.addBatch({ id: "batch_1" });
      fake.fault({ status: 409, body: { error: { message: "The resource was updated by another request.", type: "invalid_request_error", param: null, code: null } } });
      expect((await get(meta("batch_1"))).phase).toBe(Phase.RUNNING);
      expect(fake.calls.map((call) => call.status)).toEqual([409, 200]);
    });

    it.each([
      ["throttling", { status: 429, retryAfter: 0 }, "HTTP 429"],
      ["a 5xx", { status: 500 }, "HTTP 500"],
      ["malformed answers", { malformed: true }, "answered with a body that is not JSON"],
      ["an answer that is no batch", { status: 200, body: { id: 7 } }, "answered with something else than the API's object"],
    ])("is UNAVAILABLE when %s outlast the retries", async (_, fault, expected) => {
      fake.addBatch({ id: "batch_1" });
      fake.fault({ ...fault, times: Infinity });
      const error = await rejection(get(meta("batch_1")));
      expect(error.code).toBe(Status.UNAVAILABLE);
      expect(error.message).toContain(`OpenAI could not read batch batch_1: ${expected}`);
      expect(fake.calls).toHaveLength(3);
    });

    it("answers UNAVAILABLE itself, before the deadline, when the API is too slow", async () => {
      fake.addBatch({ id: "batch_1" });
      fake.fault({ delayMs: 10_000, times: Infinity });
      const error = await rejection(get(meta("batch_1"), { deadline: Date.now() + 1_500 }));
      expect(error.code).toBe(Status.UNAVAILABLE);
      expect(error.message).toMatch(/^OpenAI could not read batch batch_1: no answer within \d+ ms$/);
    });
  });
});

describe("openai-batch delete", () => {
  it("cancels a running batch, and a second delete succeeds too", async () => {
    fake.addBatch({ id: "batch_1" });
    fake.transition("batch_1", "in_progress");
    await service.deleteTask({ taskCategory, resourceMeta: meta("batch_1") });
    expect(fake.batches.get("batch_1")!.status).toBe("cancelling");
    await service.deleteTask({ taskCategory, resourceMeta: meta("batch_1") });
    expect(fake.calls.map((call) => `${call.method} ${call.path} ${call.status}`)).toEqual([
      "POST /v1/batches/batch_1/cancel 200",
      "POST /v1/batches/batch_1/cancel 400",
      "GET /v1/batches/batch_1 200",
    ]);
  });

  it.each(["completed", "failed", "expired", "cancelled"])("succeeds on a %s batch", async (status) => {
    fake.addBatch({ id: "batch_1" });
    fake.transition("batch_1", status);
    await service.deleteTask({ taskCategory, resourceMeta: meta("batch_1") });
    expect(fake.batches.get("batch_1")!.status).toBe(status);
  });

  it("succeeds on a batch the API does not know", async () => {
    await service.deleteTask({ taskCategory, resourceMeta: meta("batch_gone") });
    expect(fake.calls.map((call) => call.status)).toEqual([404]);
  });

  it("fails when the API refuses to cancel a batch that still runs", async () => {
    fake.addBatch({ id: "batch_1" });
    fake.fault({ route: "/cancel", status: 400, body: { error: { message: "Batch is busy.", type: "invalid_request_error", param: null, code: null } } });
    const error = await rejection(service.deleteTask({ taskCategory, resourceMeta: meta("batch_1") }));
    expect(error.message).toBe("OpenAI could not cancel batch batch_1: HTTP 400: Batch is busy.");
  });

  it("retries a cancel that met a 409; one that keeps meeting it succeeds on a batch that no longer runs", async () => {
    fake.addBatch({ id: "batch_1" });
    fake.fault({ route: "/cancel", status: 409, retryAfter: 0 });
    await service.deleteTask({ taskCategory, resourceMeta: meta("batch_1") });
    expect(fake.batches.get("batch_1")!.status).toBe("cancelling");
    fake.reset();
    fake.addBatch({ id: "batch_2" });
    fake.transition("batch_2", "completed");
    fake.fault({ route: "/cancel", status: 409, retryAfter: 0, times: Infinity });
    await service.deleteTask({ taskCategory, resourceMeta: meta("batch_2") });
    expect(fake.calls.map((call) => `${call.method} ${call.path} ${call.status}`)).toEqual([
      "POST /v1/batches/batch_2/cancel 409",
      "POST /v1/batches/batch_2/cancel 409",
      "POST /v1/batches/batch_2/cancel 409",
      "GET /v1/batches/batch_2 200",
    ]);
  });

  it("retries a cancel that met a 5xx, and is UNAVAILABLE when it stays", async () => {
    fake.addBatch({ id: "batch_1" });
    fake.fault({ route: "/cancel", status: 500 });
    await service.deleteTask({ taskCategory, resourceMeta: meta("batch_1") });
    expect(fake.batches.get("batch_1")!.status).toBe("cancelling");
    fake.reset();
    fake.fault({ status: 503, times: Infinity, retryAfter: 0 });
    const error = await rejection(service.deleteTask({ taskCategory, resourceMeta: meta("batch_1") }));
    expect(error.code).toBe(Status.UNAVAILABLE);
  });
});

describe("the API key", () => {
  it("never reaches a meta, an answer or a message", async () => {
    const resourceMeta = await create();
    expect(new TextDecoder().decode(resourceMeta)).not.toContain(fake.apiKey);
    const id = [...fake.batches.keys()][0]!;
    fake.transition(id, "failed", { object: "list", data: [{ code: "x", line: null, message: `line echoes ${fake.apiKey}`, param: null }] });
    const resource = await get(resourceMeta);
    expect(resource.message).toBe("line echoes [redacted]");
  });
});
