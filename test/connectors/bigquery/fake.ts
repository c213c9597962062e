/**
 * A BigQuery fake: the REST API v2 jobs endpoints the connector calls, Google's STS token
 * exchange and IAM Credentials impersonation for workload identity federation, and tripwires on
 * the metadata servers no call may reach. Request checks and answers follow the API reference:
 * - jobs.insert https://cloud.google.com/bigquery/docs/reference/rest/v2/jobs/insert (a used job
 *   id is 409 ALREADY_EXISTS "Already Exists: Job p:LOC.id"; job ids are [A-Za-z0-9_-], ≤ 1024);
 * - jobs.get https://cloud.google.com/bigquery/docs/reference/rest/v2/jobs/get (a job asked for
 *   in another location is 404 "Not found: Job p:LOC.id"; without a location only jobs in the US
 *   and EU multi-regions are found: "You must specify the location ... if the location to run a
 *   job is not in the us or the eu multi-regional location");
 * - jobs.cancel https://cloud.google.com/bigquery/docs/reference/rest/v2/jobs/cancel (answers
 *   `{kind, job}`; a DONE job stays as it was);
 * - Job.status https://cloud.google.com/bigquery/docs/reference/rest/v2/Job#JobStatus;
 * - errors https://cloud.google.com/bigquery/docs/error-messages (`{"error": {code, message,
 *   errors: [{reason, message}], status}}`);
 * - STS https://cloud.google.com/iam/docs/reference/sts/rest/v1/TopLevel/token, with an AWS
 *   subject token (a serialized, signed GetCallerIdentity request), per
 *   https://google.aip.dev/auth/4117;
 * - generateAccessToken https://cloud.google.com/iam/docs/reference/credentials/rest/v1/projects.serviceAccounts/generateAccessToken.
 * A request must carry a self-signed service-account JWT (RS256, verified against a registered
 * key's public half, with the BigQuery scope and an unexpired `exp`) or a token this fake issued.
 */
import { createVerify, randomUUID, type KeyObject } from "node:crypto";
import { type FakeRequest, type FakeResponse, PlatformFake } from "../../../lib/testing/platform-fake.js";

export const BIGQUERY_SCOPE = "https://www.googleapis.com/auth/bigquery";
const JOB_ID = /^[A-Za-z0-9_-]{1,1024}$/;
/** The locations jobs.get searches when the request names none. */
const MULTI_REGIONS = new Set(["US", "EU"]);
const PARAMETER_TYPES = new Set(["STRING", "INT64", "FLOAT64", "BOOL", "BYTES", "DATETIME", "ARRAY"]);

export interface TableReference {
  readonly projectId: string;
  readonly datasetId: string;
  readonly tableId: string;
}

/** How the next inserted job behaves. */
export interface JobPlan {
  /** Where it runs when the insert names no location, as its datasets' location decides (default US). */
  readonly location?: string;
  /** The states it shows, one more per jobs.get, the last kept (default PENDING, RUNNING, DONE). */
  readonly states?: readonly string[];
  /** Set once the job reaches DONE: the job failed. */
  readonly errorResult?: { reason: string; message: string; location?: string };
  /** Set once DONE: non-fatal errors (or the errorResult's details). */
  readonly errors?: readonly { reason: string; message: string }[];
  /** Its destination table; null for none (default: an anonymous table, as BigQuery makes one). */
  readonly destination?: TableReference | null;
}

export interface FakeJob {
  readonly projectId: string;
  readonly jobId: string;
  readonly location: string;
  readonly query: string;
  readonly body: Record<string, unknown>;
  readonly plan: JobPlan;
  step: number;
  cancelled: boolean;
}

export interface Federation {
  /** The workload identity pool provider the STS exchange is for. */
  readonly audience: string;
  /** The AWS access key id the subject token must be signed with. */
  readonly awsAccessKeyId: string;
  readonly awsSessionToken: string;
  /** The service account impersonated, when the config names one. */
  readonly serviceAccount?: string;
}

export class BigQueryFake extends PlatformFake {
  readonly jobs = new Map<string, FakeJob>();
  readonly #keys = new Map<string, { email: string; publicKey: KeyObject }>();
  readonly #tokens = new Set<string>();
  readonly #plans: JobPlan[] = [];
  federation: Federation | undefined;
  /** Tokens handed out by STS and IAM, for the redaction checks. */
  readonly issuedTokens: string[] = [];

  constructor() {
    super();
    this.route("POST", "/bigquery/v2/projects/{project}/jobs", (request) => this.#insert(request));
    this.route("GET", "/bigquery/v2/projects/{project}/jobs/{jobId}", (request) => this.#get(request));
    this.route("POST", "/bigquery/v2/projects/{project}/jobs/{jobId}/cancel", (request) => this.#cancel(request));
    this.route("POST", "/sts/v1/token", (request) => this.#exchange(request));
    this.route("POST", /^\/iamcredentials\/v1\/projects\/-\/serviceAccounts\/(?<account>[^/]+):generateAccessToken$/, (request) =>
      this.#impersonate(request),
    );
    // Tripwires: the GCE metadata server (GCE_METADATA_HOST) and AWS's instance metadata.
    this.route("GET", /^\/computeMetadata\//, () => this.error(500, "the GCE metadata server must not be asked"));
    this.route("GET", /^\/latest\//, () => this.error(500, "the AWS instance metadata must not be asked"));
    this.route("PUT", /^\/latest\//, () => this.error(500, "the AWS instance metadata must not be asked"));
  }

  /** Accepts JWTs signed by this key (its `kid`) for this service account. */
  addServiceAccount(keyId: string, email: string, publicKey: KeyObject): this {
    this.#keys.set(keyId, { email, publicKey });
    return this;
  }

  /** Plans the next inserted job (then the one after, ...); unplanned jobs take the defaults. */
  plan(...plans: JobPlan[]): this {
    this.#plans.push(...plans);
    return this;
  }

  /** Calls that reached a metadata server: there must be none. */
  metadataCalls(): FakeRequest[] {
    return this.calls.filter((call) => /^\/(computeMetadata|latest)\//.test(call.path));
  }

  override reset(): void {
    super.reset();
    this.jobs.clear();
    this.#plans.length = 0;
    this.federation = undefined;
  }

  protected override error(status: number, message: string, reason = defaultReason(status)): FakeResponse {
    return { status, json: { error: { code: status, message, errors: [{ message, domain: "global", reason }], status: statusName(status) } } };
  }

  protected override authenticate(request: FakeRequest): FakeResponse | undefined {
    if (request.path.startsWith("/sts/") || /^\/(computeMetadata|latest)\//.test(request.path)) return undefined;
    const token = /^Bearer (.+)$/.exec(String(request.headers.authorization ?? ""))?.[1];
    if (token !== undefined && (this.#tokens.has(token) || this.#validJwt(token))) return undefined;
    return this.error(401, "Request is missing required authentication credential. Expected OAuth 2 access token.", "unauthorized");
  }

  #validJwt(token: string): boolean {
    const [header, payload, signature] = token.split(".");
    if (header === undefined || payload === undefined || signature === undefined) return false;
    const { alg, kid } = JSON.parse(Buffer.from(header, "base64url").toString()) as { alg?: string; kid?: string };
    const account = kid === undefined ? undefined : this.#keys.get(kid);
    if (alg !== "RS256" || !account) return false;
    const verifier = createVerify("RSA-SHA256").update(`${header}.${payload}`);
    if (!verifier.verify(account.publicKey, Buffer.from(signature, "base64url"))) return false;
    const claims = JSON.parse(Buffer.from(payload, "base64url").toString()) as Record<string, unknown>;
    const now = Date.now() / 1000;
    const scopes = typeof claims["scope"] === "string" ? claims["scope"].split(" ") : [];
    return (
      claims["iss"] === account.email &&
      claims["sub"] === account.email &&
      scopes.includes(BIGQUERY_SCOPE) &&
      typeof claims["exp"] === "number" &&
      claims["exp"] > now &&
      claims["exp"] - now <= 3600
    );
  }

  #insert(request: FakeRequest): FakeResponse {
    const body = request.json as Record<string, any> | undefined; // eslint-disable-line @typescript-eslint/no-explicit-any
    const reference = body?.["jobReference"];
    const query = body?.["configuration"]?.["query"];
    if (!reference || typeof reference.jobId !== "string" || !JOB_ID.test(reference.jobId)) {
      return this.error(400, "Invalid job ID. Job IDs must be alphanumeric (plus underscores and dashes) and at most 1024 characters.", "invalid");
    }
    if (reference.projectId !== undefined && reference.projectId !== request.params["project"]) {
      return this.error(400, "Job reference project does not match the request's project.", "invalid");
    }
    if (typeof query?.query !== "string" || query.query === "") return this.error(400, "Required parameter is missing: query", "required");
    const parameters: unknown[] = query.queryParameters ?? [];
    // The REST default (useLegacySql unset) is legacy SQL, which has no query parameters.
    if (query.useLegacySql !== false && parameters.length > 0) {
      return this.error(400, "Query parameters cannot be used in Legacy SQL queries.", "invalidQuery");
    }
    const problem = parameters.map(parameterProblem).find((found) => found !== undefined);
    if (problem) return this.error(400, problem, "invalidQuery");
    if (parameters.length > 0 && query.parameterMode !== "NAMED") {
      return this.error(400, "Query parameters must be NAMED for @name references.", "invalidQuery");
    }
    const projectId = request.params["project"]!;
    const key = `${projectId}/${reference.jobId}`;
    const existing = this.jobs.get(key);
    if (existing) {
      return this.error(409, `Already Exists: Job ${projectId}:${existing.location}.${reference.jobId}`, "duplicate");
    }
    const plan = this.#plans.shift() ?? {};
    const location = typeof reference.location === "string" ? reference.location : (plan.location ?? "US");
    const job: FakeJob = { projectId, jobId: reference.jobId, location, query: query.query, body: body!, plan, step: 0, cancelled: false };
    this.jobs.set(key, job);
    return { json: this.#resource(job) };
  }

  #get(request: FakeRequest): FakeResponse {
    const { job, refusal } = this.#find(request);
    if (!job) return refusal;
    const states = job.plan.states ?? ["PENDING", "RUNNING", "DONE"];
    if (!job.cancelled) job.step = Math.min(job.step + 1, states.length - 1);
    return { json: this.#resource(job) };
  }

  #cancel(request: FakeRequest): FakeResponse {
    const { job, refusal } = this.#find(request);
    if (!job) return refusal;
    if (this.#state(job) !== "DONE") job.cancelled = true;
    return { json: { kind: "bigquery#jobCancelResponse", job: this.#resource(job) } };
  }

  #find(request: FakeRequest): { job: FakeJob; refusal?: never } | { job?: never; refusal: FakeResponse } {
    const { project, jobId } = request.params as { project: string; jobId: string };
    const job = this.jobs.get(`${project}/${jobId}`);
    const location = request.query.get("location");
    const found = location === null ? MULTI_REGIONS.has(job?.location.toUpperCase() ?? "") : location.toLowerCase() === job?.location.toLowerCase();
    if (!job || !found) {
      return { refusal: this.error(404, `Not found: Job ${project}:${location ?? "US"}.${jobId}`, "notFound") };
    }
    return { job };
  }

  #state(job: FakeJob): string {
    if (job.cancelled) return "DONE";
    const states = job.plan.states ?? ["PENDING", "RUNNING", "DONE"];
    return states[job.step]!;
  }

  #resource(job: FakeJob): Record<string, unknown> {
    const state = this.#state(job);
    const done = state === "DONE";
    const { errorResult, errors } = job.cancelled
      ? { errorResult: { reason: "stopped", message: "Job execution was cancelled: User requested cancellation" }, errors: undefined }
      : job.plan;
    const destination =
      job.plan.destination === undefined ? { projectId: job.projectId, datasetId: "_8c5b2a", tableId: `anon${job.jobId.slice(-8)}` } : job.plan.destination;
    const query = (job.body["configuration"] as { query: Record<string, unknown> }).query;
    return {
      kind: "bigquery#job",
      id: `${job.projectId}:${job.location}.${job.jobId}`,
      jobReference: { projectId: job.projectId, jobId: job.jobId, location: job.location },
      configuration: { jobType: "QUERY", query: { ...query, ...(destination ? { destinationTable: destination } : {}) } },
      status: { state, ...(done && errorResult ? { errorResult } : {}), ...(done && errors ? { errors } : {}) },
    };
  }

  /** STS token exchange of an AWS subject token (the signed GetCallerIdentity request). */
  #exchange(request: FakeRequest): FakeResponse {
    const form = new URLSearchParams(request.text);
    const federation = this.federation;
    const refuse = (description: string): FakeResponse => ({ status: 400, json: { error: "invalid_grant", error_description: description } });
    if (!federation) return refuse("no workload identity pool is configured");
    if (form.get("grant_type") !== "urn:ietf:params:oauth:grant-type:token-exchange") return refuse("bad grant_type");
    if (form.get("audience") !== federation.audience) return refuse("The audience is not a known workload identity pool provider.");
    if (form.get("subject_token_type") !== "urn:ietf:params:aws:token-type:aws4_request") return refuse("bad subject_token_type");
    if (form.get("requested_token_type") !== "urn:ietf:params:oauth:token-type:access_token") return refuse("bad requested_token_type");
    let subject: { url?: string; method?: string; headers?: { key: string; value: string }[] };
    try {
      subject = JSON.parse(decodeURIComponent(form.get("subject_token") ?? "")) as typeof subject;
    } catch {
      return refuse("The subject token is not a serialized AWS request.");
    }
    const header = (name: string) => subject.headers?.find((entry) => entry.key.toLowerCase() === name)?.value;
    if (subject.method !== "POST" || !/^https:\/\/sts\.[a-z0-9-]+\.amazonaws\.com\?Action=GetCallerIdentity&Version=2011-06-15$/.test(subject.url ?? "")) {
      return refuse("The subject token is not a GetCallerIdentity request.");
    }
    if (!header("authorization")?.startsWith(`AWS4-HMAC-SHA256 Credential=${federation.awsAccessKeyId}/`)) return refuse("The AWS signature is not by the expected key.");
    if (header("x-amz-security-token") !== federation.awsSessionToken) return refuse("The AWS session token is missing.");
    if (header("x-goog-cloud-target-resource") !== federation.audience) return refuse("The subject token is for another audience.");
    // Without impersonation the federated token is used directly, with the scope asked for.
    if (!federation.serviceAccount && !(form.get("scope") ?? "").split(" ").includes(BIGQUERY_SCOPE)) return refuse("missing the BigQuery scope");
    const token = this.#issue("sts");
    return { json: { access_token: token, issued_token_type: "urn:ietf:params:oauth:token-type:access_token", token_type: "Bearer", expires_in: 3600 } };
  }

  #impersonate(request: FakeRequest): FakeResponse {
    const account = decodeURIComponent(request.params["account"] ?? "");
    if (account !== this.federation?.serviceAccount) return this.error(403, `Permission 'iam.serviceAccounts.getAccessToken' denied on ${account}`, "forbidden");
    const scope = (request.json as { scope?: unknown } | undefined)?.scope;
    if (!Array.isArray(scope) || !scope.includes(BIGQUERY_SCOPE)) return this.error(400, "scope must include the BigQuery scope", "invalid");
    return { json: { accessToken: this.#issue("iam"), expireTime: new Date(Date.now() + 3600_000).toISOString() } };
  }

  #issue(kind: string): string {
    const token = `ya29.${kind}-${randomUUID()}`;
    this.#tokens.add(token);
    this.issuedTokens.push(token);
    return token;
  }
}

function parameterProblem(parameter: unknown): string | undefined {
  const { name, parameterType, parameterValue } = (parameter ?? {}) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  if (typeof name !== "string" || name === "") return "Query parameters must have names in NAMED mode.";
  const type = parameterType?.type;
  if (!PARAMETER_TYPES.has(type)) return `Invalid type for query parameter ${name}: ${String(type)}`;
  if (type === "ARRAY") {
    if (!PARAMETER_TYPES.has(parameterType.arrayType?.type) || parameterType.arrayType.type === "ARRAY") return `Invalid array type for query parameter ${name}`;
    // No arrayValues is a NULL array, as BigQuery reads an empty one too (googleapis/python-bigquery#2325).
    if (parameterValue?.arrayValues !== undefined && !Array.isArray(parameterValue.arrayValues)) return `Array query parameter ${name} arrayValues must be a list`;
    return undefined;
  }
  if (parameterValue?.value !== undefined && typeof parameterValue.value !== "string") return `Query parameter ${name} value must be a string`;
  return undefined;
}

function defaultReason(status: number): string {
  return { 400: "invalid", 401: "unauthorized", 403: "forbidden", 404: "notFound", 409: "duplicate", 429: "rateLimitExceeded" }[status] ?? "backendError";
}

function statusName(status: number): string {
  return (
    { 400: "INVALID_ARGUMENT", 401: "UNAUTHENTICATED", 403: "PERMISSION_DENIED", 404: "NOT_FOUND", 409: "ALREADY_EXISTS", 429: "RESOURCE_EXHAUSTED", 503: "UNAVAILABLE" }[status] ??
    "INTERNAL"
  );
}
