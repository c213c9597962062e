/**
 * A Databricks workspace on loopback: the Jobs API 2.1 calls the connector makes and the OAuth M2M
 * token endpoint, with the checks and answers the reference documents.
 *
 * - POST /oidc/v1/token: HTTP Basic client id and secret, form body grant_type=client_credentials
 *   and scope=all-apis; answers {access_token, token_type "Bearer", scope, expires_in}, an unknown
 *   client 401 {error: "invalid_client", error_description}
 *   (https://docs.databricks.com/aws/en/dev-tools/auth/oauth-m2m, "Manually generate tokens").
 * - Every /api/ call needs `Authorization: Bearer <PAT or OAuth token>`: none is 401; an unknown,
 *   revoked or expired token 403 "Invalid access token.".
 * - POST /api/2.1/jobs/runs/submit (https://docs.databricks.com/api/workspace/jobs/submit): a JSON
 *   object; `idempotency_token` at most 64 characters (null or "" is none, as proto3 JSON reads
 *   them), and a second submit with a token already used answers the same run_id without
 *   launching another run; `git_source` needs git_url,
 *   git_provider and one of git_branch/git_tag/git_commit; the run's work is either `tasks` (each
 *   with a task_key and one task) or one top-level task (the 2.0 form 2.1 still takes); a
 *   spark_python_task needs python_file, and source GIT needs git_source; a classic task needs
 *   new_cluster or existing_cluster_id, a serverless one an environment_key defined in
 *   `environments`. Answers {"run_id": <int64>}.
 * - GET /api/2.1/jobs/runs/get?run_id= (https://docs.databricks.com/api/workspace/jobs/getrun):
 *   {job_id, run_id, number_in_job, run_name, state: {life_cycle_state, result_state?,
 *   state_message, user_cancelled_or_timedout}, status?, run_page_url}; `status` (RunStatus:
 *   state, termination_details {code, type, message}) only for a finished run a test gave
 *   termination details; an unknown run 400 INVALID_PARAMETER_VALUE "Run <id> does not exist.".
 * - POST /api/2.1/jobs/runs/cancel {run_id} (https://docs.databricks.com/api/workspace/jobs/cancelrun):
 *   a no-op on a run already terminal; an unknown run 400 INVALID_PARAMETER_VALUE.
 * run_id is int64: proto3 JSON takes a number or a string of digits. Errors are
 * {"error_code": "...", "message": "..."}.
 */
import { type JsonValue, toPythonJson } from "../../../lib/connector/python-json.js";
import { PlatformFake, type FakeRequest, type FakeResponse } from "../../../lib/testing/platform-fake.js";

export interface FakeRunState {
  life_cycle_state: string;
  result_state?: string;
  state_message: string;
  /** runs/get's `status.termination_details` (TerminationDetails: code, type, message) of a finished run. */
  termination_details?: { code: string; type: string; message: string };
}

export interface FakeRun {
  readonly runId: bigint;
  readonly jobId: bigint;
  readonly spec: Record<string, unknown>;
  state: FakeRunState;
}

interface IssuedToken {
  readonly clientId: string;
  readonly expiresAt: number;
}

const TASK_KINDS = [
  "spark_python_task",
  "notebook_task",
  "spark_jar_task",
  "spark_submit_task",
  "python_wheel_task",
  "sql_task",
  "dbt_task",
  "pipeline_task",
  "run_job_task",
  "condition_task",
  "for_each_task",
];

export class DatabricksFake extends PlatformFake {
  /** Personal access tokens the workspace accepts. */
  readonly tokens = new Set<string>();
  /** OAuth clients: client id -> secret. */
  readonly clients = new Map<string, string>();
  /** Lifetime of the OAuth tokens it issues. */
  tokenLifetimeS = 3600;
  readonly runs = new Map<bigint, FakeRun>();
  /** The id of the next run: int64, past 2^53 too (a test sets one there). */
  nextRunId = FIRST_RUN_ID;
  readonly #byIdempotencyToken = new Map<string, bigint>();
  readonly #issued = new Map<string, IssuedToken>();
  #nextToken = 1;

  constructor() {
    super();
    this.route("POST", "/oidc/v1/token", (request) => this.#issueToken(request));
    this.route("POST", "/api/2.1/jobs/runs/submit", (request) => this.#submit(request));
    this.route("GET", "/api/2.1/jobs/runs/get", (request) => this.#get(request));
    this.route("POST", "/api/2.1/jobs/runs/cancel", (request) => this.#cancel(request));
  }

  /** Forgets the calls, faults, runs, tokens and clients. */
  override reset(): void {
    super.reset();
    this.runs.clear();
    this.tokens.clear();
    this.clients.clear();
    this.#byIdempotencyToken.clear();
    this.#issued.clear();
    this.tokenLifetimeS = 3600;
    this.nextRunId = FIRST_RUN_ID;
  }

  /** The run submitted last. */
  lastRun(): FakeRun {
    const run = [...this.runs.values()].at(-1);
    if (!run) throw new Error("no run was submitted");
    return run;
  }

  setState(runId: bigint | string, state: FakeRunState): void {
    this.#run(runId).state = state;
  }

  /** Revokes every OAuth token issued so far (a workspace admin revoking the principal's tokens). */
  revokeTokens(): void {
    this.#issued.clear();
  }

  protected override error(status: number, message: string): FakeResponse {
    const code = { 400: "INVALID_PARAMETER_VALUE", 401: "UNAUTHENTICATED", 403: "PERMISSION_DENIED", 404: "ENDPOINT_NOT_FOUND", 429: "REQUEST_LIMIT_EXCEEDED" }[status];
    return { status, json: { error_code: code ?? "INTERNAL_ERROR", message } };
  }

  protected override authenticate(request: FakeRequest): FakeResponse | undefined {
    if (!request.path.startsWith("/api/")) return undefined;
    const header = request.headers.authorization;
    const token = typeof header === "string" ? /^Bearer (.+)$/.exec(header)?.[1] : undefined;
    if (token === undefined) return this.error(401, "Credential was not sent or was of an unsupported type for this API.");
    if (this.tokens.has(token)) return undefined;
    const issued = this.#issued.get(token);
    // Unknown, revoked and expired tokens alike: Databricks answers an OAuth token past its hour
    // 403 "Invalid access token.", not 401 (n8n-io/n8n#34147, fixed by n8n-io/n8n#34483).
    if (!issued || Date.now() >= issued.expiresAt) return this.error(403, "Invalid access token.");
    return undefined;
  }

  #issueToken(request: FakeRequest): FakeResponse {
    const basic = /^Basic (.+)$/.exec(String(request.headers.authorization ?? ""))?.[1];
    const [clientId, ...rest] = basic ? Buffer.from(basic, "base64").toString("utf8").split(":") : [];
    const form = new URLSearchParams(request.text);
    if (!String(request.headers["content-type"]).startsWith("application/x-www-form-urlencoded")) {
      return { status: 400, json: { error: "invalid_request", error_description: "Expected a form-encoded body." } };
    }
    if (form.get("grant_type") !== "client_credentials") {
      return { status: 400, json: { error: "unsupported_grant_type", error_description: "Only client_credentials is supported." } };
    }
    if (form.get("scope") !== "all-apis") return { status: 400, json: { error: "invalid_scope", error_description: "Unknown scope." } };
    if (clientId === undefined || this.clients.get(clientId) !== rest.join(":")) {
      return { status: 401, json: { error: "invalid_client", error_description: "Client authentication failed" } };
    }
    const token = `dapi-oauth-${this.#nextToken++}-${clientId}`;
    this.#issued.set(token, { clientId, expiresAt: Date.now() + this.tokenLifetimeS * 1000 });
    return { json: { access_token: token, token_type: "Bearer", scope: "all-apis", expires_in: this.tokenLifetimeS } };
  }

  #submit(request: FakeRequest): FakeResponse {
    const spec = request.json;
    if (spec === null || typeof spec !== "object" || Array.isArray(spec)) return this.error(400, "Malformed request: expected a JSON object.");
    const body = spec as Record<string, unknown>;
    const problem = submitProblem(body);
    if (problem) return this.error(400, problem);
    // proto3 JSON: null and "" leave the field unset, so they are no token.
    const token = body["idempotency_token"] === "" || body["idempotency_token"] === null ? undefined : (body["idempotency_token"] as string | undefined);
    const existing = token === undefined ? undefined : this.#byIdempotencyToken.get(token);
    if (existing !== undefined) return int64Json({ run_id: existing });
    const runId = this.nextRunId++;
    this.runs.set(runId, { runId, jobId: 1000n + runId, spec: body, state: { life_cycle_state: "PENDING", state_message: "Waiting for cluster" } });
    if (token !== undefined) this.#byIdempotencyToken.set(token, runId);
    return int64Json({ run_id: runId });
  }

  #get(request: FakeRequest): FakeResponse {
    const runId = request.query.get("run_id");
    if (runId === null || !/^\d+$/.test(runId)) return this.error(400, "Missing required field: run_id");
    const run = this.runs.get(BigInt(runId));
    if (!run) return this.error(400, `Run ${runId} does not exist.`);
    const { termination_details: details, ...state } = run.state;
    return int64Json({
      job_id: run.jobId,
      run_id: run.runId,
      number_in_job: run.runId,
      run_name: (run.spec["run_name"] as JsonValue | undefined) ?? "Untitled",
      state: { ...state, user_cancelled_or_timedout: state.result_state === "CANCELED" },
      ...(details && { status: { state: "TERMINATED", termination_details: details } }),
      run_page_url: `https://fake.cloud.databricks.com/?o=1#job/${run.jobId}/run/${run.runId}`,
    });
  }

  #cancel(request: FakeRequest): FakeResponse {
    const runId = (request.json as { run_id?: unknown } | undefined)?.run_id;
    if (!isInt64(runId)) return this.error(400, "Missing required field: run_id");
    const run = this.runs.get(BigInt(runId as string | number));
    if (!run) return this.error(400, `Run ${String(runId)} does not exist.`);
    if (!["TERMINATED", "SKIPPED", "INTERNAL_ERROR"].includes(run.state.life_cycle_state)) {
      run.state = { life_cycle_state: "TERMINATED", result_state: "CANCELED", state_message: "Run cancelled." };
    }
    return { json: {} };
  }

  #run(runId: bigint | string): FakeRun {
    const run = this.runs.get(BigInt(runId));
    if (!run) throw new Error(`no run ${runId}`);
    return run;
  }
}

const FIRST_RUN_ID = 455_644_833n;

/** A JSON answer whose int64 ids are written exactly (JSON.stringify refuses a bigint). */
function int64Json(value: JsonValue): FakeResponse {
  return { text: toPythonJson(value), contentType: "application/json" };
}

function isInt64(value: unknown): boolean {
  return (typeof value === "number" && Number.isSafeInteger(value)) || (typeof value === "string" && /^\d+$/.test(value));
}

/** What the reference says makes a runs/submit request invalid, or undefined. */
function submitProblem(body: Record<string, unknown>): string | undefined {
  const token = body["idempotency_token"];
  if (token !== undefined && token !== null && (typeof token !== "string" || token.length > 64)) return "idempotency_token must be a string of at most 64 characters.";
  const git = body["git_source"] as Record<string, unknown> | undefined;
  if (git !== undefined) {
    if (typeof git["git_url"] !== "string" || typeof git["git_provider"] !== "string") return "git_source needs git_url and git_provider.";
    if (!["git_branch", "git_tag", "git_commit"].some((key) => typeof git[key] === "string")) return "git_source needs one of git_branch, git_tag or git_commit.";
  }
  const environments = Array.isArray(body["environments"]) ? (body["environments"] as Record<string, unknown>[]) : [];
  const tasks = body["tasks"];
  if (tasks !== undefined) {
    if (!Array.isArray(tasks) || tasks.length === 0) return "tasks must be a non-empty list.";
    for (const task of tasks as Record<string, unknown>[]) {
      if (typeof task["task_key"] !== "string") return "Each task needs a task_key.";
      const problem = taskProblem(task, body, environments);
      if (problem) return problem;
    }
    return undefined;
  }
  return taskProblem(body, body, environments);
}

function taskProblem(task: Record<string, unknown>, body: Record<string, unknown>, environments: Record<string, unknown>[]): string | undefined {
  const kinds = TASK_KINDS.filter((kind) => task[kind] !== undefined);
  if (kinds.length !== 1) return `A task needs exactly one of ${TASK_KINDS.join(", ")}.`;
  const work = task[kinds[0]!] as Record<string, unknown>;
  if (kinds[0] === "spark_python_task" && typeof work["python_file"] !== "string") return "spark_python_task needs python_file.";
  if (kinds[0] === "notebook_task" && typeof work["notebook_path"] !== "string") return "notebook_task needs notebook_path.";
  if (work["source"] === "GIT" && body["git_source"] === undefined) return "source GIT needs git_source.";
  if (task["environment_key"] !== undefined) {
    if (!environments.some((environment) => environment["environment_key"] === task["environment_key"])) {
      return `Environment ${String(task["environment_key"])} is not defined in environments.`;
    }
    return undefined;
  }
  if (task["new_cluster"] === undefined && task["existing_cluster_id"] === undefined) return "A task needs new_cluster, existing_cluster_id or an environment_key.";
  return undefined;
}
