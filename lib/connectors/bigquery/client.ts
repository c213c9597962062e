/**
 * The BigQuery REST API v2 calls the connector makes (jobs.insert, jobs.get, jobs.cancel), on
 * PlatformClient with google-auth-library's headers: PlatformClient gives every connector the same
 * deadline-bound retries, error classes and redaction, which google-auth-library's own request
 * (gaxios) would not; google-auth-library only authenticates.
 * https://cloud.google.com/bigquery/docs/reference/rest/v2/jobs
 */
import type { CallContext } from "../../connector/connector.js";
import { TaskFailedError } from "../../connector/errors.js";
import { PlatformClient, type PlatformRequest, type PlatformResponse } from "../../connector/platform-client.js";
import { googleAuthHeaders } from "../google/credentials.js";
import type { QueryParameter } from "./query-parameters.js";

/** Replaces https://bigquery.googleapis.com (docs/CONTRACT.md §8). */
export const BIGQUERY_ENDPOINT_ENV = "FLYTE_BIGQUERY_ENDPOINT";
const DEFAULT_ENDPOINT = "https://bigquery.googleapis.com";
export const BIGQUERY_SCOPE = "https://www.googleapis.com/auth/bigquery";

const PLATFORM = "BigQuery";

/** The reasons of a 403 that say "not now" rather than "not allowed" (BigQuery's error messages doc). */
const THROTTLED_REASONS = new Set(["rateLimitExceeded", "quotaExceeded", "backendError"]);

export interface JobReference {
  readonly projectId: string;
  readonly jobId: string;
  /** Absent: BigQuery picks the location (the job's reference then says which). */
  readonly location?: string | null;
}

export interface ErrorProto {
  readonly reason?: string;
  readonly location?: string;
  readonly message?: string;
}

export interface TableReference {
  readonly projectId?: string;
  readonly datasetId?: string;
  readonly tableId?: string;
}

/** The parts of a Job resource the connector reads. */
export interface BigQueryJob {
  readonly jobReference?: JobReference;
  readonly status?: { readonly state?: unknown; readonly errorResult?: ErrorProto; readonly errors?: readonly ErrorProto[] };
  readonly configuration?: { readonly query?: { readonly query?: string; readonly destinationTable?: TableReference } };
}

export interface QueryJob {
  readonly reference: JobReference;
  readonly query: string;
  readonly parameters: readonly QueryParameter[];
}

type Context = Pick<CallContext, "signal" | "deadline" | "connection">;

export class BigQueryClient {
  readonly #http: PlatformClient;
  readonly #headers: Readonly<Record<string, string>>;

  /** `userAgent`: the plugins' `Flytekit/<version> (GPN:Union;<domain>)`, sent as theirs is. */
  constructor(context: Context, userAgent?: string) {
    const baseUrl = process.env[BIGQUERY_ENDPOINT_ENV] || DEFAULT_ENDPOINT;
    this.#http = new PlatformClient({
      platform: PLATFORM,
      baseUrl,
      auth: () => googleAuthHeaders([BIGQUERY_SCOPE], context, baseUrl),
      errorMessage: googleErrorMessage,
      // BigQuery's throttling and quota answers are 403s: "not now", not a credential problem.
      transient: (status, body) => status === 403 && errorReasons(body).some((reason) => THROTTLED_REASONS.has(reason)),
    });
    this.#headers = userAgent ? { "user-agent": userAgent } : {};
  }

  /**
   * jobs.insert of a standard-SQL query with named parameters. The job id makes it idempotent, so
   * it is retried; a 409 says the id is taken, by this same job when a first insert got through
   * unanswered: that job is read and returned (as Google's clients do), provided it runs this query.
   * A task that names no location ran where its data is, and jobs.get finds a job outside the US
   * and EU multi-regions only in its location: the 409's message names it.
   */
  async insertQueryJob(job: QueryJob, context: Context): Promise<BigQueryJob> {
    const { reference } = job;
    const response = await this.#send<BigQueryJob>(
      {
        method: "POST",
        path: `/bigquery/v2/projects/${encodeURIComponent(reference.projectId)}/jobs`,
        json: {
          jobReference: definedOnly({ projectId: reference.projectId, jobId: reference.jobId, location: reference.location ?? undefined }),
          configuration: {
            query: {
              query: job.query,
              // The REST default is legacy SQL, where @name parameters fail (the Python client sets false too).
              useLegacySql: false,
              parameterMode: "NAMED",
              queryParameters: job.parameters,
            },
          },
        },
        retry: true,
        accept: [409],
        action: "insert the query job",
      },
      context,
    );
    if (response.status !== 409) return response.body;
    const location = reference.location ?? conflictLocation(response.body, reference.jobId);
    const existing = await this.getJob({ ...reference, location }, context);
    if (existing.configuration?.query?.query !== job.query) {
      throw new TaskFailedError(`BigQuery job id ${reference.jobId} is already taken by another job in project ${reference.projectId}.`);
    }
    return existing;
  }

  /** jobs.get. */
  async getJob(reference: JobReference, context: Context): Promise<BigQueryJob> {
    const response = await this.#send<BigQueryJob>(
      { path: jobPath(reference), query: { location: reference.location ?? undefined }, action: "get the job" },
      context,
    );
    return response.body;
  }

  /** jobs.cancel; a job already finished or gone is no error (cancel is idempotent). */
  async cancelJob(reference: JobReference, context: Context): Promise<void> {
    await this.#send(
      {
        method: "POST",
        path: `${jobPath(reference)}/cancel`,
        query: { location: reference.location ?? undefined },
        retry: true,
        accept: [404],
        action: "cancel the job",
      },
      context,
    );
  }

  /** A request with the connector's own headers (the plugins' user agent). */
  #send<T>(request: PlatformRequest, context: Context): Promise<PlatformResponse<T>> {
    return this.#http.request<T>({ ...request, headers: { ...this.#headers, ...request.headers } }, context);
  }
}

function jobPath(reference: JobReference): string {
  return `/bigquery/v2/projects/${encodeURIComponent(reference.projectId)}/jobs/${encodeURIComponent(reference.jobId)}`;
}

/** Google's error body: `{"error": {"code", "message", "errors": [{"reason", "message"}], "status"}}`. */
function googleErrorMessage(body: unknown, text: string): string | undefined {
  const error = (body as { error?: { message?: unknown } } | undefined)?.error;
  if (typeof error?.message === "string" && error.message !== "") return error.message;
  const trimmed = text.trim();
  return trimmed === "" ? undefined : trimmed.slice(0, 500);
}

/** The location in a 409's `Already Exists: Job <project>:<location>.<job id>`, if it says one. */
function conflictLocation(body: unknown, jobId: string): string | null {
  const message = (body as { error?: { message?: unknown } } | undefined)?.error?.message;
  if (typeof message !== "string") return null;
  // Job ids are [A-Za-z0-9_-]: nothing in one is special to a RegExp.
  return new RegExp(`Job \\S*:([A-Za-z0-9-]+)\\.${jobId}(?![\\w-])`).exec(message)?.[1] ?? null;
}

function errorReasons(body: unknown): string[] {
  const errors = (body as { error?: { errors?: unknown } } | undefined)?.error?.errors;
  if (!Array.isArray(errors)) return [];
  return errors.map((error) => (error as { reason?: unknown } | null)?.reason).filter((reason): reason is string => typeof reason === "string");
}

function definedOnly<T extends object>(object: T): T {
  return Object.fromEntries(Object.entries(object).filter(([, value]) => value !== undefined)) as T;
}
