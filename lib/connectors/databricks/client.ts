/**
 * The three Jobs API 2.1 calls the connector makes (https://docs.databricks.com/api/workspace/jobs),
 * authenticated with a personal access token or an OAuth M2M token, on PlatformClient (deadline,
 * retries, classified errors):
 *
 *   POST /api/2.1/jobs/runs/submit  {job spec..., idempotency_token?} -> {"run_id": 123}
 *   GET  /api/2.1/jobs/runs/get?run_id=123                           -> {"job_id", "run_id", "state": {...}, "status": {...}}
 *   POST /api/2.1/jobs/runs/cancel  {"run_id": "123"}                 -> {}
 *
 * Errors come as `{"error_code": "INVALID_PARAMETER_VALUE", "message": "..."}`.
 */
import type { CallContext } from "../../connector/connector.js";
import { parsePythonJson } from "../../connector/python-json.js";
import { UnavailableError } from "../../connector/errors.js";
import {
  defaultErrorMessage,
  PlatformAuthError,
  PlatformClient,
  type PlatformRequest,
  PlatformTaskError,
} from "../../connector/platform-client.js";
import type { JsonObject } from "../../literals/index.js";
import type { DatabricksCredential } from "./credentials.js";
import { forgetAccessToken, oauthAccessToken } from "./oauth.js";
import type { RunState, RunStatus } from "./run-state.js";

/** Replaces `https://<instance>` in every API call (docs/CONTRACT.md §8); log links keep the instance. */
export const ENDPOINT_ENV = "FLYTE_DATABRICKS_ENDPOINT";

const JOBS_API = "/api/2.1/jobs";

/** A workspace's host name, with a port at most: what both SDKs put after `https://`. */
const INSTANCE_PATTERN = /^[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?(?::\d{1,5})?$/;

export function isInstanceName(instance: string): boolean {
  return INSTANCE_PATTERN.test(instance);
}

/** The API's base URL for a workspace. */
export function apiBaseUrl(instance: string, env: NodeJS.ProcessEnv = process.env): string {
  return env[ENDPOINT_ENV] || `https://${instance}`;
}

/** The part of runs/get's answer the connector reads. */
export interface RunInfo {
  readonly job_id?: unknown;
  readonly state?: RunState;
  readonly status?: RunStatus;
}

export class DatabricksClient {
  readonly #baseUrl: string;
  readonly #credential: DatabricksCredential;
  readonly #context: Pick<CallContext, "signal" | "deadline">;
  readonly #http: PlatformClient;

  constructor(instance: string, credential: DatabricksCredential, context: Pick<CallContext, "signal" | "deadline">) {
    this.#baseUrl = apiBaseUrl(instance);
    this.#credential = credential;
    this.#context = context;
    this.#http = new PlatformClient({
      platform: "Databricks",
      baseUrl: this.#baseUrl,
      auth: async () => ({ authorization: `Bearer ${await this.#token()}` }),
      errorMessage: databricksErrorMessage,
      // run_id and job_id are int64: past 2^53, JSON.parse would round them to another run's.
      parseJson: parsePythonJson,
    });
  }

  /**
   * Submits a one-time run. With an idempotency token in `spec` the submit is retried like a read:
   * Databricks launches exactly one run per token and answers its run_id again.
   */
  async submitRun(spec: JsonObject): Promise<string> {
    const token = spec["idempotency_token"];
    const retry = typeof token === "string" && token !== "";
    const { body } = await this.#request<{ run_id?: unknown }>({
      method: "POST",
      path: `${JOBS_API}/runs/submit`,
      json: spec,
      retry,
      action: "submit the run",
    });
    const runId = body?.run_id;
    if ((typeof runId === "number" && Number.isSafeInteger(runId)) || (typeof runId === "bigint" && runId > 0n) || (typeof runId === "string" && /^\d+$/.test(runId))) {
      return String(runId);
    }
    throw new UnavailableError("Databricks accepted the run but answered no run_id.");
  }

  async getRun(runId: string): Promise<RunInfo> {
    const { body } = await this.#request<unknown>({ path: `${JOBS_API}/runs/get`, query: { run_id: runId }, action: `get run ${runId}` });
    return body !== null && typeof body === "object" && !Array.isArray(body) ? (body as RunInfo) : {};
  }

  /** Cancels a run; a run already finished is a no-op for Databricks, and one that no longer exists is cancelled enough. */
  async cancelRun(runId: string): Promise<void> {
    try {
      // run_id as the Python connectors send it: the meta's string (proto3 JSON reads it as int64).
      await this.#request({ method: "POST", path: `${JOBS_API}/runs/cancel`, json: { run_id: runId }, retry: true, action: `cancel run ${runId}` });
    } catch (error) {
      if (error instanceof PlatformTaskError && isGone(error)) return;
      throw error;
    }
  }

  /**
   * One request; with OAuth, a token the workspace refuses (revoked, expired early) is replaced
   * once. Databricks answers such a token 403 "Invalid access token." (some deployments 401), the
   * status it also gives a real permission denial: that one costs a token request, then fails alike.
   */
  async #request<T>(request: PlatformRequest): Promise<{ body: T }> {
    try {
      return await this.#http.request<T>(request, this.#context);
    } catch (error) {
      if (!(error instanceof PlatformAuthError && this.#credential.kind === "oauth")) throw error;
      forgetAccessToken(this.#baseUrl, this.#credential);
      return await this.#http.request<T>(request, this.#context);
    }
  }

  async #token(): Promise<string> {
    const credential = this.#credential;
    if (credential.kind === "token") return credential.token;
    return await oauthAccessToken(this.#baseUrl, credential, this.#context, databricksErrorMessage);
  }
}

/** `ERROR_CODE: message` of a Databricks error body, else the common shapes (an OAuth error's error_description). */
function databricksErrorMessage(body: unknown, text: string): string | undefined {
  const { error_code: code, message } = (body ?? {}) as { error_code?: unknown; message?: unknown };
  if (typeof code === "string" && typeof message === "string") return `${code}: ${message}`;
  return defaultErrorMessage(body, text);
}

/**
 * runs/cancel of a run deleted or never known: 404 RESOURCE_DOES_NOT_EXIST, or 400 "Run 1 does not
 * exist.". Not any 404: ENDPOINT_NOT_FOUND (a wrong FLYTE_DATABRICKS_ENDPOINT, a proxy) says nothing
 * of the run, which may still be running.
 */
function isGone(error: PlatformTaskError): boolean {
  const message = error.platformMessage ?? "";
  return message.startsWith("RESOURCE_DOES_NOT_EXIST") || /\bdoes not exist\b/i.test(message);
}
