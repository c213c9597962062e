/**
 * A fake of the OpenAI API (https://platform.openai.com/docs/api-reference), the endpoints the
 * OpenAI connectors use, served under `/v1` as api.openai.com serves them:
 * - POST /v1/chat/completions (reference: Chat > Create chat completion);
 * - POST /v1/batches, GET /v1/batches/{batch_id}, POST /v1/batches/{batch_id}/cancel, GET
 *   /v1/batches (reference: Batch > Create, Retrieve, Cancel, List).
 *
 * Requests are checked as the API checks them: `Authorization: Bearer <key>` (401
 * invalid_api_key, quoting the key masked as the API does), the OpenAI-Organization header (401
 * mismatched_organization), the body's required fields and limits. Errors have the API's shape,
 * `{"error": {"message", "type", "param", "code"}}` (reference: Error codes). Batches move
 * through their statuses when a test says so (`transition`), stamping the `<status>_at` times the
 * Batch object documents.
 */
import { PlatformFake, type FakeRequest, type FakeResponse } from "../../../lib/testing/platform-fake.js";

/** The Batch object (reference: Batch > The batch object), as the API answers it. */
export interface FakeBatch {
  id: string;
  object: "batch";
  endpoint: string;
  errors: { object: "list"; data: { code: string; line: number | null; message: string; param: string | null }[] } | null;
  input_file_id: string;
  completion_window: string;
  status: string;
  output_file_id: string | null;
  error_file_id: string | null;
  created_at: number;
  in_progress_at: number | null;
  expires_at: number;
  finalizing_at: number | null;
  completed_at: number | null;
  failed_at: number | null;
  expired_at: number | null;
  cancelling_at: number | null;
  cancelled_at: number | null;
  request_counts: { total: number; completed: number; failed: number };
  metadata: Record<string, string> | null;
}

/** What the model says to a chat: its text, or a refusal. */
export type FakeReply = { content: string } | { refusal: string } | { toolCall: string };

/** The endpoints a batch may run against (reference: Create batch, `endpoint`). */
const BATCH_ENDPOINTS = new Set([
  "/v1/responses",
  "/v1/chat/completions",
  "/v1/embeddings",
  "/v1/completions",
  "/v1/moderations",
  "/v1/images/generations",
  "/v1/images/edits",
  "/v1/videos",
]);
const BATCH_PARAMS = new Set(["input_file_id", "endpoint", "completion_window", "metadata", "output_expires_after"]);
/** Statuses a cancel applies to; others are refused. */
const RUNNING = new Set(["validating", "in_progress", "finalizing"]);

export class OpenAIFake extends PlatformFake {
  /** The one key the fake accepts. */
  apiKey = "sk-proj-fakeKEY0123456789abcdefXYZ";
  /** The organizations the key belongs to (OpenAI-Organization may name one, or be absent). */
  readonly organizations = new Set(["org-flyte", "test-openai-orgnization-id"]);
  readonly models = new Set(["gpt-3.5-turbo", "gpt-4o-mini"]);
  /** Uploaded files of purpose "batch". */
  readonly files = new Set(["file-abc123", "file-xuefauew"]);
  /** A chat whose messages are longer than this (in characters) is over the context length. */
  contextChars = 4_000;
  /** The model's answer to a chat's last message. */
  reply: (message: string) => FakeReply = (message) => ({ content: `You said: ${message}` });
  readonly batches = new Map<string, FakeBatch>();
  /** An answer that arrives without its 200 (the connection drops after the work is done). */
  loseNextCreateAnswer = false;
  /** Called with each batch created, e.g. to inject faults from then on. */
  onCreate: (batch: FakeBatch) => void = () => {};
  #next = 1;

  constructor() {
    super();
    this.route("POST", "/v1/chat/completions", (request) => this.#chat(request));
    this.route("POST", "/v1/batches", (request) => this.#createBatch(request));
    this.route("GET", "/v1/batches", (request) => this.#listBatches(request));
    this.route("GET", "/v1/batches/{id}", (request) => this.#batch(request.params["id"]!, (batch) => ({ json: batch })));
    this.route("POST", "/v1/batches/{id}/cancel", (request) => this.#batch(request.params["id"]!, (batch) => this.#cancel(batch)));
  }

  /** The base URL the connectors are given (OPENAI_BASE_URL). */
  get baseUrl(): string {
    return `${this.url}/v1`;
  }

  /** Forgets every batch and restarts the ids (calls and faults are reset()'s). */
  clearState(): void {
    this.batches.clear();
    this.loseNextCreateAnswer = false;
    this.onCreate = () => {};
    this.#next = 1;
  }

  /** Adds a batch as if created by someone, for tests that start from an existing batch. */
  addBatch(batch: Partial<FakeBatch> & { id: string }): FakeBatch {
    const made = { ...this.#newBatch(batch.input_file_id ?? "file-abc123", "/v1/chat/completions", "24h", null), ...batch };
    this.batches.set(made.id, made);
    return made;
  }

  /**
   * Moves a batch to `status` (any string, so unknown statuses can be served), stamping its time;
   * completed batches get an output file and their counts, failed ones `errors` when given.
   */
  transition(id: string, status: string, errors?: FakeBatch["errors"]): FakeBatch {
    const batch = this.batches.get(id);
    if (!batch) throw new Error(`no batch ${id}`);
    batch.status = status;
    const stamp = `${status}_at` as keyof FakeBatch;
    if (stamp in batch) (batch as unknown as Record<string, unknown>)[stamp] = now();
    if (status === "completed") {
      batch.output_file_id = "file-cvaTdG";
      batch.request_counts = { total: 100, completed: 95, failed: 5 };
    }
    if (errors !== undefined) batch.errors = errors;
    return batch;
  }

  protected override authenticate(request: FakeRequest): FakeResponse | undefined {
    const authorization = request.headers.authorization;
    if (!authorization) {
      return this.#error(401, "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).", null);
    }
    const key = /^Bearer (.+)$/.exec(authorization)?.[1];
    if (key !== this.apiKey) {
      // The API quotes the refused key, masked but for its ends.
      const masked = key ? `${key.slice(0, 8)}${"*".repeat(Math.max(0, key.length - 12))}${key.slice(-4)}` : "";
      return this.#error(401, `Incorrect API key provided: ${masked}. You can find your API key at https://platform.openai.com/account/api-keys.`, "invalid_api_key");
    }
    const organization = request.headers["openai-organization"];
    // As the API answers (e.g. github.com/openai/codex/issues/1000).
    if (typeof organization === "string" && !this.organizations.has(organization)) {
      return this.#error(401, "OpenAI-Organization header should match organization for API key", "mismatched_organization");
    }
    return undefined;
  }

  protected override error(status: number, message: string): FakeResponse {
    const type = status === 429 ? "requests" : status >= 500 ? "server_error" : "invalid_request_error";
    return { status, json: { error: { message, type, param: null, code: status === 429 ? "rate_limit_exceeded" : null } } };
  }

  #error(status: number, message: string, code: string | null, param: string | null = null, type = "invalid_request_error"): FakeResponse {
    return { status, json: { error: { message, type, param, code } } };
  }

  #chat(request: FakeRequest): FakeResponse {
    const body = request.json as Record<string, unknown> | undefined;
    if (typeof body !== "object" || body === null) return this.#error(400, "We could not parse the JSON body of your request.", null);
    if (typeof body["model"] !== "string") return this.#error(400, "you must provide a model parameter", null);
    const messages = body["messages"];
    if (!Array.isArray(messages) || messages.length === 0) {
      return this.#error(400, "Invalid 'messages': empty array. Expected an array with minimum length 1.", "empty_array", "messages");
    }
    for (const [index, message] of messages.entries()) {
      const { role, content } = (message ?? {}) as Record<string, unknown>;
      if (!["system", "developer", "user", "assistant", "tool"].includes(String(role)) || typeof content !== "string") {
        return this.#error(400, `Invalid value for 'messages[${index}]'.`, "invalid_value", `messages[${index}]`);
      }
    }
    if (!this.models.has(body["model"])) {
      return this.#error(404, `The model \`${body["model"]}\` does not exist or you do not have access to it.`, "model_not_found");
    }
    const text = messages.map((message: { content: string }) => message.content).join("");
    if (text.length > this.contextChars) {
      return this.#error(
        400,
        `This model's maximum context length is ${this.contextChars} tokens. However, your messages resulted in ${text.length} tokens. Please reduce the length of the messages.`,
        "context_length_exceeded",
        "messages",
      );
    }
    const reply = this.reply((messages.at(-1) as { content: string }).content);
    const message =
      "content" in reply
        ? { role: "assistant", content: reply.content, refusal: null, annotations: [] }
        : "refusal" in reply
          ? { role: "assistant", content: null, refusal: reply.refusal, annotations: [] }
          : { role: "assistant", content: null, refusal: null, tool_calls: [{ id: "call_1", type: "function", function: { name: reply.toolCall, arguments: "{}" } }] };
    return {
      json: {
        id: `chatcmpl-${this.#next++}`,
        object: "chat.completion",
        created: now(),
        model: body["model"],
        choices: [{ index: 0, message, logprobs: null, finish_reason: "toolCall" in reply ? "tool_calls" : "stop" }],
        usage: { prompt_tokens: text.length, completion_tokens: 5, total_tokens: text.length + 5 },
        service_tier: "default",
        system_fingerprint: "fp_fake",
      },
      headers: { "x-request-id": `req_${this.#next}` },
    };
  }

  #createBatch(request: FakeRequest): FakeResponse {
    const body = request.json as Record<string, unknown> | undefined;
    if (typeof body !== "object" || body === null) return this.#error(400, "We could not parse the JSON body of your request.", null);
    const unknown = Object.keys(body).find((key) => !BATCH_PARAMS.has(key));
    if (unknown !== undefined) return this.#error(400, `Unrecognized request argument supplied: ${unknown}`, null);
    const { input_file_id: inputFileId, endpoint, completion_window: window, metadata } = body;
    for (const [name, value] of [["input_file_id", inputFileId], ["endpoint", endpoint], ["completion_window", window]] as const) {
      if (typeof value !== "string") return this.#error(400, `Missing required parameter: '${name}'.`, "missing_required_parameter", name);
    }
    if (!BATCH_ENDPOINTS.has(endpoint as string)) {
      return this.#error(400, `Invalid value: '${String(endpoint)}'. Supported values are: ${[...BATCH_ENDPOINTS].map((e) => `'${e}'`).join(", ")}.`, "invalid_value", "endpoint");
    }
    if (window !== "24h") return this.#error(400, `Invalid value: '${String(window)}'. Supported values are: '24h'.`, "invalid_value", "completion_window");
    const problem = metadataProblem(metadata);
    if (problem) return this.#error(400, problem, "invalid_value", "metadata");
    if (!this.files.has(inputFileId as string)) return this.#error(400, `Invalid 'input_file_id': '${String(inputFileId)}'. File not found.`, "invalid_value", "input_file_id");
    const batch = this.#newBatch(inputFileId as string, endpoint as string, window, (metadata as Record<string, string> | null | undefined) ?? null);
    this.batches.set(batch.id, batch);
    this.onCreate(batch);
    if (this.loseNextCreateAnswer) {
      this.loseNextCreateAnswer = false;
      return this.error(502, "Bad gateway.");
    }
    return { json: batch };
  }

  /** Newest first, `limit` 1-100 (default 20), `after` a batch id (reference: List batch). */
  #listBatches(request: FakeRequest): FakeResponse {
    const limit = Number(request.query.get("limit") ?? 20);
    if (!Number.isInteger(limit) || limit < 1 || limit > 100) return this.#error(400, `Invalid 'limit': ${limit}.`, "invalid_value", "limit");
    let all = [...this.batches.values()].reverse();
    const after = request.query.get("after");
    if (after) all = all.slice(all.findIndex((batch) => batch.id === after) + 1);
    const data = all.slice(0, limit);
    return { json: { object: "list", data, first_id: data[0]?.id ?? null, last_id: data.at(-1)?.id ?? null, has_more: all.length > limit } };
  }

  #batch(id: string, then: (batch: FakeBatch) => FakeResponse): FakeResponse {
    const batch = this.batches.get(id);
    return batch ? then(batch) : this.#error(404, `No batch found with id '${id}'.`, null);
  }

  /** "The batch will be in status cancelling for up to 10 minutes, before changing to cancelled." */
  #cancel(batch: FakeBatch): FakeResponse {
    if (!RUNNING.has(batch.status)) return this.#error(400, `Cannot cancel a batch with status '${batch.status}'.`, null);
    this.transition(batch.id, "cancelling");
    return { json: batch };
  }

  #newBatch(inputFileId: string, endpoint: string, window: string, metadata: Record<string, string> | null): FakeBatch {
    const created = now();
    return {
      id: `batch_${String(this.#next++).padStart(6, "0")}`,
      object: "batch",
      endpoint,
      errors: null,
      input_file_id: inputFileId,
      completion_window: window,
      status: "validating",
      output_file_id: null,
      error_file_id: null,
      created_at: created,
      in_progress_at: null,
      expires_at: created + 24 * 3600,
      finalizing_at: null,
      completed_at: null,
      failed_at: null,
      expired_at: null,
      cancelling_at: null,
      cancelled_at: null,
      request_counts: { total: 0, completed: 0, failed: 0 },
      metadata,
    };
  }
}

/** "Set of 16 key-value pairs ... Keys ... at most 64 characters. Values ... at most 512 characters." */
function metadataProblem(metadata: unknown): string | undefined {
  if (metadata === undefined || metadata === null) return undefined;
  if (typeof metadata !== "object" || Array.isArray(metadata)) return "Invalid type for 'metadata': expected an object.";
  const entries = Object.entries(metadata);
  if (entries.length > 16) return `Invalid 'metadata': too many properties. Expected an object with at most 16 properties, but got ${entries.length} instead.`;
  for (const [key, value] of entries) {
    if (key.length > 64) return `Invalid 'metadata': key '${key}' is longer than 64 characters.`;
    if (typeof value !== "string") return `Invalid type for 'metadata.${key}': expected a string.`;
    if (value.length > 512) return `Invalid 'metadata.${key}': string too long. Expected a string with maximum length 512.`;
  }
  return undefined;
}

function now(): number {
  return Math.floor(Date.now() / 1000);
}
