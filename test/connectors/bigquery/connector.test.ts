/**
 * The BigQuery connector through the service, against the BigQuery fake: the plugins' templates
 * and metas, every job state, every fault, idempotent create, each credential source, redaction.
 */
import { generateKeyPairSync } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Connection } from "../../../lib/connector/connector.js";
import { Status } from "../../../lib/connector/errors.js";
import { Phase } from "../../../lib/connector/phase.js";
import { ConnectorRegistry } from "../../../lib/connector/registry.js";
import { BigQueryConnector } from "../../../lib/connectors/bigquery/connector.js";
import { flyteidl } from "../../../lib/idl/index.js";
import { flyteidl2 } from "../../../lib/idl/flyteidl2.js";
import { toFlyteidl2Request } from "../../../lib/service/flyteidl2/messages.js";
import type { DispatchOptions } from "../../../lib/service/operations.js";
import { ConnectorService } from "../../../lib/service/service.js";
import { rejection } from "../../support/rejection.js";
import { BIGQUERY_SCOPE, BigQueryFake } from "./fake.js";
import { serviceAccountKey, type ServiceAccountKey } from "./service-account.js";
import { TASK_TYPE, executionMetadata, flyteSdkTemplate, flytekitTemplate, inputMap, literal, types, type PluginTask } from "./templates.js";
import { useFake } from "../../support/use-fake.js";

const fake = useFake(new BigQueryFake());
const logged: unknown[][] = [];
const service = new ConnectorService(new ConnectorRegistry().register(new BigQueryConnector()), {
  logger: { error: (...args: unknown[]) => logged.push(args) },
});
const category = { name: TASK_TYPE, version: 0 };
const directory = mkdtempSync(join(tmpdir(), "bigquery-test-"));

/** A service-account key the fake accepts. */
function serviceAccount(keyId: string, email?: string): ServiceAccountKey {
  const key = serviceAccountKey(keyId, email);
  fake.addServiceAccount(keyId, key.email, key.publicKey);
  return key;
}

const adcKey = serviceAccount("adc-key");
const connectionKey = serviceAccount("connection-key");

function writeFile(name: string, text: string): string {
  const path = join(directory, name);
  writeFileSync(path, text);
  return path;
}

/** Flyte 2's connection, as the executor fills it from custom.secrets: the secret's value by kwarg. */
function connection(secrets: Record<string, string>): Connection {
  return { secrets, configs: {} };
}

const dogecoin: PluginTask = {
  // The flytekit BigQuery example's query, with a named parameter.
  query: "SELECT * FROM `bigquery-public-data.crypto_dogecoin.transactions` WHERE version = @version LIMIT 10;",
  projectId: "dummy-project",
  location: "us-central1",
  inputs: { version: types.integer },
};

async function create(
  template: flyteidl.core.ITaskTemplate,
  inputs: Record<string, flyteidl.core.ILiteral> = { version: literal.integer(1) },
  options: DispatchOptions = {},
  attempt: number | null = 0,
): Promise<Uint8Array> {
  const request = {
    template,
    inputs: inputMap(inputs),
    outputPrefix: "s3://bucket/metadata/n0/data/0",
    taskExecutionMetadata: attempt === null ? null : executionMetadata(attempt),
  };
  return (await service.createTask(request, options)).resourceMeta;
}

async function get(resourceMeta: Uint8Array, options: DispatchOptions = {}): Promise<flyteidl.admin.IResource> {
  return (await service.getTask({ taskCategory: category, resourceMeta, outputPrefix: "s3://bucket/out" }, options)).resource!;
}

function text(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString("utf8");
}


afterAll(async () => {
  rmSync(directory, { recursive: true, force: true });
});

beforeEach(() => {
  logged.length = 0;
  for (const name of [
    "GOOGLE_APPLICATION_CREDENTIALS",
    "_FSEC_GOOGLE_APPLICATION_CREDENTIALS",
    "FLYTE_CONNECTOR_SECRETS_ID",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_REGION",
    "AWS_DEFAULT_REGION",
    "AWS_PROFILE",
  ]) {
    vi.stubEnv(name, undefined);
  }
  vi.stubEnv("FLYTE_BIGQUERY_ENDPOINT", fake.url);
  // gcp-metadata's override: were anything to probe the GCE metadata server, the fake would see it.
  vi.stubEnv("GCE_METADATA_HOST", fake.url.replace("http://", ""));
  vi.stubEnv("GOOGLE_APPLICATION_CREDENTIALS", writeFile("adc-key.json", adcKey.json));
});

afterEach(() => {
  vi.unstubAllEnvs();
  expect(fake.metadataCalls()).toEqual([]);
});

describe("flytekit's template (Flyte 1, Application Default Credentials)", () => {
  it("inserts a standard-SQL query job with named parameters, in the project and location of custom", async () => {
    const template = flytekitTemplate({ ...dogecoin, queryJobConfig: { useQueryCache: false, maximumBytesBilled: "1000000000" } });
    const meta = await create(template);
    const [insert] = fake.callsTo("POST /bigquery/v2/projects/dummy-project/jobs");
    expect(insert?.status).toBe(200);
    const jobId = (insert!.json as { jobReference: { jobId: string } }).jobReference.jobId;
    expect(insert!.json).toEqual({
      jobReference: { projectId: "dummy-project", jobId, location: "us-central1" },
      configuration: {
        query: {
          query: dogecoin.query,
          useLegacySql: false,
          parameterMode: "NAMED",
          queryParameters: [{ name: "version", parameterType: { type: "INT64" }, parameterValue: { value: "1" } }],
        },
      },
    });
    // flytekit's user agent (connector.py:69-72).
    expect(insert!.headers["user-agent"]).toBe("Flytekit/1.16.24 (GPN:Union;development)");
    // flytekit's BigQueryMetadata, as json.dumps(asdict(...)) writes it (connector.py:33-37, :81).
    expect(text(meta)).toBe(`{"job_id": "${jobId}", "project": "dummy-project", "location": "us-central1"}`);
  });

  it("authenticates with a JWT self-signed by the key GOOGLE_APPLICATION_CREDENTIALS names, scoped to BigQuery", async () => {
    await create(flytekitTemplate(dogecoin));
    const authorization = String(fake.calls[0]!.headers.authorization);
    const [header, payload] = authorization
      .replace("Bearer ", "")
      .split(".")
      .slice(0, 2)
      .map((part) => JSON.parse(Buffer.from(part, "base64url").toString()));
    expect(header).toMatchObject({ alg: "RS256", kid: "adc-key" });
    expect(payload).toMatchObject({ iss: "flyte-adc-key@dummy-project.iam.gserviceaccount.com", scope: BIGQUERY_SCOPE });
  });

  it("moves through PENDING, RUNNING and DONE, then answers the destination table as `results`", async () => {
    const meta = await create(flytekitTemplate(dogecoin));
    fake.plan();
    const phases: [number, string][] = [];
    let resource: flyteidl.admin.IResource;
    do {
      resource = await get(meta);
      phases.push([resource.phase!, resource.message!]);
    } while (resource.phase !== Phase.SUCCEEDED && phases.length < 5);
    expect(phases).toEqual([
      [Phase.RUNNING, "RUNNING"],
      [Phase.SUCCEEDED, "DONE"],
    ]);
    const job = [...fake.jobs.values()][0]!;
    const results = resource.outputs?.literals?.["results"]?.scalar?.structuredDataset;
    expect(results?.uri).toBe(`bq://dummy-project:_8c5b2a.anon${job.jobId.slice(-8)}`);
    expect(results?.metadata?.structuredDatasetType?.format).toBe("");
    // The plugins' console link (connector.py:85-88), whatever the API endpoint.
    expect(resource.logLinks).toEqual([
      expect.objectContaining({
        name: "BigQuery Console",
        uri: `https://console.cloud.google.com/bigquery?project=dummy-project&j=bq:us-central1:${job.jobId}&page=queryresults`,
      }),
    ]);
    // jobs.get names the job's location.
    expect(fake.callsTo("GET /bigquery/v2/projects/dummy-project/jobs/").every((call) => call.query.get("location") === "us-central1")).toBe(true);
  });

  it("PENDING is INITIALIZING", async () => {
    fake.plan({ states: ["PENDING"] });
    const resource = await get(await create(flytekitTemplate(dogecoin)));
    expect([resource.phase, resource.message]).toEqual([Phase.INITIALIZING, "PENDING"]);
  });

  it("a task without Location (null in custom) stores the location BigQuery chose", async () => {
    const meta = await create(flytekitTemplate({ ...dogecoin, location: null }));
    const insert = fake.callsTo("POST /bigquery/v2/projects/dummy-project/jobs")[0]!;
    expect((insert.json as { jobReference: object }).jobReference).not.toHaveProperty("location");
    expect(text(meta)).toMatch(/"location": "US"\}$/);
    expect((await get(meta)).phase).toBe(Phase.RUNNING);
  });

  it("reads a meta flytekit's connector wrote (a job id of its own, location null)", async () => {
    // A job the Python connector started: its id is a uuid4, its meta as connector.py:81 writes it.
    fake.plan({ states: ["DONE"], destination: null });
    await create(flytekitTemplate({ ...dogecoin, location: null }));
    const job = [...fake.jobs.values()][0]!;
    const pythonMeta = Buffer.from(`{"job_id": "${job.jobId}", "project": "dummy-project", "location": null}`);
    const resource = await get(pythonMeta);
    expect([resource.phase, resource.message]).toEqual([Phase.SUCCEEDED, "DONE"]);
    // No destination table: no outputs, as in the plugins (connector.py:98-102).
    expect(resource.outputs).toBeFalsy();
    expect(resource.logLinks?.[0]?.uri).toBe(`https://console.cloud.google.com/bigquery?project=dummy-project&j=bq:None:${job.jobId}&page=queryresults`);
    expect(fake.callsTo("GET /bigquery")[0]!.query.has("location")).toBe(false);
  });

  it("an optional list input that is None is a NULL ARRAY parameter, which BigQuery takes", async () => {
    const task = { ...dogecoin, query: "SELECT * FROM t WHERE @ids IS NULL OR id IN UNNEST(@ids)", inputs: { ids: types.optional(types.listOf(types.integer)) } };
    await create(flytekitTemplate(task), { ids: literal.none() });
    const insert = fake.callsTo("POST /bigquery")[0]!;
    expect(insert.status).toBe(200);
    expect((insert.json as { configuration: { query: { queryParameters: unknown } } }).configuration.query.queryParameters).toEqual([
      { name: "ids", parameterType: { type: "ARRAY", arrayType: { type: "INT64" } }, parameterValue: {} },
    ]);
  });
});

describe("flyte-sdk's template (Flyte 2)", () => {
  it("takes the key from the connection, writes flyte-sdk's meta and user agent", async () => {
    vi.stubEnv("GOOGLE_APPLICATION_CREDENTIALS", undefined);
    const template = flyteSdkTemplate({ ...dogecoin, query: "SELECT *\n\tFROM t\n  WHERE version = @version" }, "gcp-key");
    const options = { connection: connection({ google_application_credentials: connectionKey.json }) };
    const meta = await create(template, undefined, options);
    const insert = fake.callsTo("POST /bigquery")[0]!;
    expect((insert.json as { configuration: { query: { query: string } } }).configuration.query.query).toBe("SELECT * FROM t WHERE version = @version");
    expect(String(insert.headers.authorization)).toMatch(/^Bearer /);
    const kid = JSON.parse(Buffer.from(String(insert.headers.authorization).slice(7).split(".")[0]!, "base64url").toString()).kid;
    expect(kid).toBe("connection-key");
    expect(insert.headers["user-agent"]).toBe("Flyte/2.0.0 (GPN:Union;development)");
    const jobId = (insert.json as { jobReference: { jobId: string } }).jobReference.jobId;
    // flyte-sdk's BigQueryMetadata (connector.py:36-41, :99).
    expect(text(meta)).toBe(
      `{"job_id": "${jobId}", "project": "dummy-project", "location": "us-central1", "user_agent": "Flyte/2.0.0 (GPN:Union;development)"}`,
    );
    const resource = await get(meta, options);
    expect(resource.phase).toBe(Phase.RUNNING);
    // flyte-sdk's get sends the meta's user agent (connector.py:104-109).
    expect(fake.callsTo("GET /bigquery")[0]!.headers["user-agent"]).toBe("Flyte/2.0.0 (GPN:Union;development)");
    await service.deleteTask({ taskCategory: category, resourceMeta: meta }, options);
    expect(fake.callsTo(/cancel$/)).toHaveLength(1);
  });

  it("over Flyte 2's own protocol, the executor's connection reaches the connector", async () => {
    vi.stubEnv("GOOGLE_APPLICATION_CREDENTIALS", undefined);
    const v1 = { template: flyteSdkTemplate(dogecoin, "gcp-key"), inputs: inputMap({ version: literal.integer(3) }), outputPrefix: "s3://b/o", taskExecutionMetadata: executionMetadata(0) };
    const request = toFlyteidl2Request("createTask", v1, { connection: connection({ google_application_credentials: connectionKey.json }) });
    const [response] = (await service.dispatch("createTask", [request], { protocol: "flyteidl2" })) as { resourceMeta: Uint8Array }[];
    expect(text(response!.resourceMeta)).toContain('"user_agent": "Flyte/2.0.0 (GPN:Union;development)"');
    const insert = fake.callsTo("POST /bigquery")[0]!;
    expect((insert.json as { configuration: { query: { queryParameters: unknown } } }).configuration.query.queryParameters).toEqual([
      { name: "version", parameterType: { type: "INT64" }, parameterValue: { value: "3" } },
    ]);
    const kid = JSON.parse(Buffer.from(String(insert.headers.authorization).slice(7).split(".")[0]!, "base64url").toString()).kid;
    expect(kid).toBe("connection-key");
    // The console link as flyte-sdk's connector makes it (connector.py:110-115): a ready dashboard.
    const get = toFlyteidl2Request("getTask", { taskCategory: category, resourceMeta: response!.resourceMeta, outputPrefix: "s3://b/o" }, { connection: connection({ google_application_credentials: connectionKey.json }) });
    const [answer] = (await service.dispatch("getTask", [get], { protocol: "flyteidl2" })) as flyteidl2.connector.GetTaskResponse[];
    expect(answer!.resource?.logLinks?.map(({ name, ready, linkType }) => ({ name, ready, linkType }))).toEqual([
      { name: "BigQuery Console", ready: true, linkType: flyteidl2.core.TaskLog.LinkType.DASHBOARD },
    ]);
  });

  it("a Flyte 2 create with no connection (its action context tells) still writes flyte-sdk's meta", async () => {
    const meta = await create(flyteSdkTemplate(dogecoin), undefined, { actionContext: {} });
    expect(text(meta)).toMatch(/, "user_agent": "Flyte\/2\.0\.0 \(GPN:Union;development\)"\}$/);
  });

  it("a flyte-sdk template without secrets, on a connection without them, falls back to ADC", async () => {
    const meta = await create(flyteSdkTemplate(dogecoin), undefined, { connection: connection({}) });
    expect(text(meta)).toContain('"user_agent": "Flyte/2.0.0');
    const kid = JSON.parse(Buffer.from(String(fake.calls[0]!.headers.authorization).slice(7).split(".")[0]!, "base64url").toString()).kid;
    expect(kid).toBe("adc-key");
  });
});

describe("job states", () => {
  it("an errorResult is FAILED with its message and the errors", async () => {
    fake.plan({
      states: ["DONE"],
      errorResult: { reason: "invalidQuery", location: "query", message: "Syntax error: Unexpected keyword FROM at [1:8]" },
      errors: [
        { reason: "invalidQuery", message: "Syntax error: Unexpected keyword FROM at [1:8]" },
        { reason: "invalid", message: "Query column 2 has type STRING which cannot be inserted" },
      ],
    });
    const resource = await get(await create(flytekitTemplate(dogecoin)));
    expect(resource.phase).toBe(Phase.FAILED);
    expect(resource.message).toBe(
      "BigQuery job failed: invalidQuery: Syntax error: Unexpected keyword FROM at [1:8]; invalid: Query column 2 has type STRING which cannot be inserted",
    );
    expect(resource.outputs).toBeFalsy();
    expect(resource.logLinks?.[0]?.name).toBe("BigQuery Console");
  });

  // Google's client starts a query job again for these reasons (python-bigquery retry.py,
  // job_retry_reasons and _RETRYABLE_REASONS); a new Flyte attempt has a new job id.
  it.each(["backendError", "internalError", "rateLimitExceeded", "jobRateLimitExceeded", "badGateway"])(
    "an errorResult for a transient reason (%s) is RETRYABLE_FAILED, so the task's retries run it again",
    async (reason) => {
      fake.plan({ states: ["DONE"], errorResult: { reason, message: "An internal error occurred and the request could not be completed." } });
      const resource = await get(await create(flytekitTemplate(dogecoin)));
      expect(resource.phase).toBe(Phase.RETRYABLE_FAILED);
      expect(resource.message).toBe(
        `BigQuery job failed for a transient reason (a new attempt runs it again): ${reason}: An internal error occurred and the request could not be completed.`,
      );
    },
  );

  it("an errorResult for any other reason (quotaExceeded, stopped) is FAILED", async () => {
    for (const reason of ["quotaExceeded", "stopped"]) {
      fake.plan({ states: ["DONE"], errorResult: { reason, message: "no" } });
      expect((await get(await create(flytekitTemplate(dogecoin)))).phase).toBe(Phase.FAILED);
    }
  });

  it("errors without an errorResult are non-fatal: SUCCEEDED, and the message says so", async () => {
    fake.plan({ states: ["DONE"], errors: [{ reason: "invalid", message: "Skipped 1 bad row" }] });
    const resource = await get(await create(flytekitTemplate(dogecoin)));
    expect(resource.phase).toBe(Phase.SUCCEEDED);
    expect(resource.message).toBe("DONE, with non-fatal errors: invalid: Skipped 1 bad row");
    expect(resource.outputs?.literals?.["results"]).toBeTruthy();
  });

  it("a state BigQuery does not document is not DONE: RUNNING, naming it", async () => {
    fake.plan({ states: ["SUSPENDED"] });
    const resource = await get(await create(flytekitTemplate(dogecoin)));
    expect([resource.phase, resource.message]).toEqual([Phase.RUNNING, "SUSPENDED (not DONE: still running)"]);
  });

  it("a job answer without a state is UNAVAILABLE", async () => {
    const meta = await create(flytekitTemplate(dogecoin));
    fake.fault({ route: "GET /bigquery", status: 200, body: { kind: "bigquery#job" } });
    const error = await rejection(get(meta));
    expect(error.code).toBe(Status.UNAVAILABLE);
    expect(error.message).toMatch(/without the job's state/);
  });

  it("a job that is gone is FAILED with BigQuery's message", async () => {
    const meta = Buffer.from('{"job_id": "nope", "project": "dummy-project", "location": "US"}');
    const resource = await get(meta);
    expect(resource.phase).toBe(Phase.FAILED);
    expect(resource.message).toBe("BigQuery could not get the job: HTTP 404: Not found: Job dummy-project:US.nope");
  });

  it("delete cancels the job; again, and on a job that is gone, it succeeds", async () => {
    const meta = await create(flytekitTemplate(dogecoin));
    await service.deleteTask({ taskCategory: category, resourceMeta: meta });
    const resource = await get(meta);
    expect(resource.phase).toBe(Phase.FAILED);
    expect(resource.message).toMatch(/stopped: Job execution was cancelled/);
    await service.deleteTask({ taskCategory: category, resourceMeta: meta });
    fake.jobs.clear();
    await service.deleteTask({ taskCategory: category, resourceMeta: meta });
    const cancels = fake.callsTo(/cancel$/);
    expect(cancels.map((call) => call.status)).toEqual([200, 200, 404]);
    expect(cancels.every((call) => call.query.get("location") === "us-central1")).toBe(true);
  });
});

describe("idempotent create", () => {
  it("the same attempt twice is one job: the second insert's 409 reads the job", async () => {
    const template = flytekitTemplate(dogecoin);
    const first = await create(template);
    const second = await create(template);
    expect(text(second)).toBe(text(first));
    expect(fake.jobs.size).toBe(1);
    expect(fake.callsTo("POST /bigquery").map((call) => call.status)).toEqual([200, 409]);
    expect(fake.callsTo("GET /bigquery")).toHaveLength(1);
  });

  it("a task without Location whose job ran in a region: the 409 names where, and the job is read there", async () => {
    // flytekit task.py:24 and flyte-sdk task.py:27: Location is Optional, None in custom (:74 / :76);
    // BigQuery then runs the job where the queried datasets are.
    const template = flytekitTemplate({ ...dogecoin, location: null });
    fake.plan({ location: "asia-northeast1" });
    const first = await create(template);
    const second = await create(template);
    expect(text(second)).toBe(text(first));
    expect(text(second)).toMatch(/"location": "asia-northeast1"\}$/);
    expect(fake.jobs.size).toBe(1);
    expect(fake.callsTo("GET /bigquery").map((call) => [call.status, call.query.get("location")])).toEqual([[200, "asia-northeast1"]]);
  });

  it("a new attempt is a new job", async () => {
    const template = flytekitTemplate(dogecoin);
    const first = await create(template, undefined, {}, 0);
    const second = await create(template, undefined, {}, 1);
    expect(text(second)).not.toBe(text(first));
    expect(fake.jobs.size).toBe(2);
  });

  it("an insert answered 500 after the job was made is retried, and its 409 is that job", async () => {
    // The first insert reaches BigQuery but its answer is lost: the fault answers in its place.
    fake.fault({ route: "POST /bigquery", status: 503 });
    const template = flytekitTemplate(dogecoin);
    await create(template);
    expect(fake.callsTo("POST /bigquery").map((call) => call.status)).toEqual([503, 200]);
    expect(fake.jobs.size).toBe(1);
  });

  it("a job id taken by another query is an error, not that job", async () => {
    await create(flytekitTemplate(dogecoin));
    const error = await rejection(create(flytekitTemplate({ ...dogecoin, query: "SELECT 2 WHERE 1 = @version" })));
    expect(error.code).toBe(Status.INVALID_ARGUMENT);
    expect(error.message).toMatch(/^BigQuery job id flyte-\S+ is already taken by another job in project dummy-project\.$/);
  });

  it("the job id is BigQuery's alphabet, derived from the execution id and attempt", async () => {
    await create(flytekitTemplate(dogecoin), undefined, {}, 2);
    const jobId = [...fake.jobs.values()][0]!.jobId;
    expect(jobId).toMatch(/^flyte-[A-Za-z0-9_-]+$/);
    expect(jobId).toContain("flytesnacks-development-f6a1b2c3d4e5-n0-bigquery-query-2-");
    expect(jobId.length).toBeLessThanOrEqual(1024);
  });

  it("without execution metadata each create is a new job", async () => {
    const template = flytekitTemplate(dogecoin);
    await create(template, undefined, {}, null);
    await create(template, undefined, {}, null);
    expect(fake.jobs.size).toBe(2);
  });
});

describe("faults", () => {
  it("429 and 500 are retried (Retry-After honoured), then answer", async () => {
    const meta = await create(flytekitTemplate(dogecoin));
    fake.fault({ route: "GET /bigquery", status: 429, retryAfter: 0 }).fault({ route: "GET /bigquery", status: 500 });
    expect((await get(meta)).phase).toBe(Phase.RUNNING);
    expect(fake.callsTo("GET /bigquery").map((call) => call.status)).toEqual([429, 500, 200]);
  });

  it("a platform that stays down is UNAVAILABLE", async () => {
    const meta = await create(flytekitTemplate(dogecoin));
    fake.fault({ route: "GET /bigquery", status: 503, times: Infinity });
    const error = await rejection(get(meta));
    expect(error.code).toBe(Status.UNAVAILABLE);
    expect(error.message).toMatch(/^BigQuery could not get the job: HTTP 503: injected fault 503\b/);
  });

  // https://cloud.google.com/bigquery/docs/error-messages: rateLimitExceeded and quotaExceeded are 403s, to retry with backoff.
  const throttled = (reason: string) => ({ error: { code: 403, message: "Exceeded rate limits: too many api requests per user per method", errors: [{ reason }] } });

  it.each(["rateLimitExceeded", "quotaExceeded"])("a 403 %s is retried within the call, as a 429 is", async (reason) => {
    fake.fault({ route: "POST /bigquery", status: 403, body: throttled(reason) });
    const meta = await create(flytekitTemplate(dogecoin));
    fake.fault({ route: "GET /bigquery", status: 403, body: throttled(reason) });
    expect((await get(meta)).phase).toBe(Phase.RUNNING);
    expect(fake.callsTo("POST /bigquery").map((call) => call.status)).toEqual([403, 200]);
    expect(fake.callsTo("GET /bigquery").map((call) => call.status)).toEqual([403, 200]);
  });

  it("a 403 rateLimitExceeded that lasts is UNAVAILABLE, not a credential problem", async () => {
    const meta = await create(flytekitTemplate(dogecoin));
    fake.fault({ route: "GET /bigquery", status: 403, body: throttled("rateLimitExceeded"), times: Infinity });
    const error = await rejection(get(meta));
    expect(error.code).toBe(Status.UNAVAILABLE);
    expect(error.message).toMatch(/^BigQuery could not get the job: HTTP 403: Exceeded rate limits: too many api requests per user per method \(after \d attempts\)$/);
  });

  it("a 403 accessDenied is FAILED_PRECONDITION", async () => {
    const body = { error: { code: 403, message: "Access Denied: Project dummy-project: User does not have bigquery.jobs.create permission", errors: [{ reason: "accessDenied" }] } };
    fake.fault({ route: "POST /bigquery", status: 403, body });
    const error = await rejection(create(flytekitTemplate(dogecoin)));
    expect(error.code).toBe(Status.FAILED_PRECONDITION);
    expect(error.message).toMatch(/bigquery\.jobs\.create permission \(check the credentials and their permissions\)$/);
  });

  it("malformed JSON is retried, then UNAVAILABLE", async () => {
    const meta = await create(flytekitTemplate(dogecoin));
    fake.fault({ route: "GET /bigquery", malformed: true });
    expect((await get(meta)).phase).toBe(Phase.RUNNING);
    fake.fault({ route: "GET /bigquery", malformed: true, times: Infinity });
    const error = await rejection(get(meta));
    expect(error.code).toBe(Status.UNAVAILABLE);
    expect(error.message).toMatch(/not JSON/);
  });

  it("a slow answer within the deadline is waited for; past it, UNAVAILABLE before the deadline", async () => {
    const meta = await create(flytekitTemplate(dogecoin));
    fake.fault({ route: "GET /bigquery", delayMs: 300 });
    expect((await get(meta, { deadline: Date.now() + 5_000 })).phase).toBe(Phase.RUNNING);
    fake.fault({ route: "GET /bigquery", delayMs: 3_000 });
    const error = await rejection(get(meta, { deadline: Date.now() + 1_000 }));
    expect([Status.UNAVAILABLE, Status.DEADLINE_EXCEEDED]).toContain(error.code);
  });

  it("a reset connection is retried", async () => {
    const meta = await create(flytekitTemplate(dogecoin));
    fake.fault({ route: "GET /bigquery", reset: true });
    expect((await get(meta)).phase).toBe(Phase.RUNNING);
  });

  it("an insert BigQuery refuses (400) is INVALID_ARGUMENT with its message", async () => {
    const body = { error: { code: 400, message: "Invalid value for type: INT64 is not a valid value", errors: [{ reason: "invalid" }] } };
    fake.fault({ route: "POST /bigquery", status: 400, body });
    const error = await rejection(create(flytekitTemplate(dogecoin)));
    expect(error.code).toBe(Status.INVALID_ARGUMENT);
    expect(error.message).toBe("BigQuery could not insert the query job: HTTP 400: Invalid value for type: INT64 is not a valid value");
  });
});

describe("bad tasks", () => {
  it("no ProjectID, no query, an input type BigQuery has no parameter for: INVALID_ARGUMENT", async () => {
    const noProject = flytekitTemplate(dogecoin);
    noProject.custom!.fields!["ProjectID"] = { nullValue: 0 };
    expect((await rejection(create(noProject))).message).toMatch(/custom\.ProjectID/);
    expect((await rejection(create(flytekitTemplate({ ...dogecoin, query: "  " })))).message).toMatch(/no query/);
    const duration = flytekitTemplate({ ...dogecoin, inputs: { d: types.duration } });
    const error = await rejection(create(duration, { d: { scalar: { primitive: { duration: { seconds: 1 } } } } }));
    expect(error.code).toBe(Status.INVALID_ARGUMENT);
    expect(error.message).toMatch(/input "d" has type duration/);
    expect(fake.calls).toEqual([]);
  });

  it("a meta that is neither plugin's is INVALID_ARGUMENT", async () => {
    const error = await rejection(get(Buffer.from('{"job_id": "j", "location": "US"}')));
    expect(error.code).toBe(Status.INVALID_ARGUMENT);
  });
});

describe("credentials", () => {
  it("none anywhere is FAILED_PRECONDITION naming where they were looked for", async () => {
    vi.stubEnv("GOOGLE_APPLICATION_CREDENTIALS", undefined);
    const error = await rejection(create(flytekitTemplate(dogecoin)));
    expect(error.code).toBe(Status.FAILED_PRECONDITION);
    expect(error.message).toMatch(/^No Google credentials: .*looked in connection secret google_application_credentials, env _FSEC_GOOGLE_APPLICATION_CREDENTIALS, env GOOGLE_APPLICATION_CREDENTIALS, file \/etc\/secrets\/google_application_credentials\.$/);
    expect(fake.calls).toEqual([]);
  });

  it("the key's JSON in _FSEC_GOOGLE_APPLICATION_CREDENTIALS (flytekit's secret env) wins over ADC", async () => {
    vi.stubEnv("_FSEC_GOOGLE_APPLICATION_CREDENTIALS", connectionKey.json);
    await create(flytekitTemplate(dogecoin));
    const kid = JSON.parse(Buffer.from(String(fake.calls[0]!.headers.authorization).slice(7).split(".")[0]!, "base64url").toString()).kid;
    expect(kid).toBe("connection-key");
  });

  it("a key the fake does not know is FAILED_PRECONDITION (401)", async () => {
    const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const unknown = JSON.parse(adcKey.json) as Record<string, string>;
    unknown["private_key"] = privateKey.export({ type: "pkcs8", format: "pem" }).toString();
    vi.stubEnv("GOOGLE_APPLICATION_CREDENTIALS", writeFile("unknown-key.json", JSON.stringify(unknown)));
    const error = await rejection(create(flytekitTemplate(dogecoin)));
    expect(error.code).toBe(Status.FAILED_PRECONDITION);
    expect(error.message).toMatch(/HTTP 401/);
  });

  it("unusable credentials are FAILED_PRECONDITION without their content", async () => {
    const cases: [Connection, RegExp][] = [
      [connection({ google_application_credentials: "/etc/passwd" }), /is not a credentials JSON object/],
      [connection({ google_application_credentials: "{not json" }), /are not a JSON object/],
      [connection({ google_application_credentials: '{"type": "gdch_service_account"}' }), /type "gdch_service_account"/],
      [connection({ google_application_credentials: '{"type": "service_account", "client_email": "a@b"}' }), /lacks client_email or private_key/],
      [
        connection({ google_application_credentials: JSON.stringify({ type: "service_account", client_email: "a@b", private_key: "not a PEM key" }) }),
        /cannot be used/,
      ],
    ];
    for (const [given, message] of cases) {
      const error = await rejection(create(flyteSdkTemplate(dogecoin, "gcp"), undefined, { connection: given }));
      expect(error.code).toBe(Status.FAILED_PRECONDITION);
      expect(error.message).toMatch(message);
      expect(error.message).not.toContain("not a PEM key");
    }
    vi.stubEnv("GOOGLE_APPLICATION_CREDENTIALS", join(directory, "missing.json"));
    const missing = await rejection(create(flytekitTemplate(dogecoin)));
    expect(missing.message).toBe("GOOGLE_APPLICATION_CREDENTIALS names a credentials file that cannot be read (ENOENT).");
  });

  describe("workload identity federation with the function's AWS role", () => {
    /** The config `gcloud iam workload-identity-pools create-cred-config --aws` writes, pointed at the fake. */
    function federationConfig(audience: string, serviceAccount?: string): string {
      return JSON.stringify({
        universe_domain: "googleapis.com",
        type: "external_account",
        audience,
        subject_token_type: "urn:ietf:params:aws:token-type:aws4_request",
        token_url: `${fake.url}/sts/v1/token`,
        ...(serviceAccount
          ? { service_account_impersonation_url: `${fake.url}/iamcredentials/v1/projects/-/serviceAccounts/${serviceAccount}:generateAccessToken` }
          : {}),
        credential_source: {
          environment_id: "aws1",
          // Tripwires: a Lambda's credentials and region come from its environment, never from these.
          region_url: `${fake.url}/latest/meta-data/placement/availability-zone`,
          url: `${fake.url}/latest/meta-data/iam/security-credentials`,
          regional_cred_verification_url: "https://sts.{region}.amazonaws.com?Action=GetCallerIdentity&Version=2011-06-15",
        },
      });
    }

    /** What Lambda puts in a function's environment for its execution role. */
    function lambdaRole(): { accessKeyId: string; secret: string; sessionToken: string } {
      const role = { accessKeyId: "ASIAFAKELAMBDAROLE01", secret: "fake/lambda/role/secret/key", sessionToken: "FwoGZXIvYXdzEFAKE-session-token" };
      vi.stubEnv("AWS_ACCESS_KEY_ID", role.accessKeyId);
      vi.stubEnv("AWS_SECRET_ACCESS_KEY", role.secret);
      vi.stubEnv("AWS_SESSION_TOKEN", role.sessionToken);
      vi.stubEnv("AWS_REGION", "eu-west-1");
      return role;
    }

    const pool = (name: string) => `//iam.googleapis.com/projects/123456789/locations/global/workloadIdentityPools/flyte-${name}/providers/aws`;

    it("exchanges the role's signed GetCallerIdentity at the config's token_url and calls BigQuery with that token", async () => {
      const role = lambdaRole();
      const audience = pool("direct");
      fake.federation = { audience, awsAccessKeyId: role.accessKeyId, awsSessionToken: role.sessionToken };
      vi.stubEnv("GOOGLE_APPLICATION_CREDENTIALS", writeFile("federation-direct.json", federationConfig(audience)));
      const meta = await create(flytekitTemplate(dogecoin));
      expect((await get(meta)).phase).toBe(Phase.RUNNING);
      expect(fake.callsTo("POST /sts/v1/token")).toHaveLength(1);
      const [token] = fake.issuedTokens;
      expect(fake.callsTo("/bigquery/").map((call) => call.headers.authorization)).toEqual([`Bearer ${token}`, `Bearer ${token}`]);
    });

    it("impersonates the config's service account when it names one", async () => {
      const role = lambdaRole();
      const audience = pool("impersonation");
      const account = "flyte-bigquery@dummy-project.iam.gserviceaccount.com";
      fake.federation = { audience, awsAccessKeyId: role.accessKeyId, awsSessionToken: role.sessionToken, serviceAccount: account };
      // The config may also be the secret's value itself (here flytekit's secret env), not a file.
      vi.stubEnv("_FSEC_GOOGLE_APPLICATION_CREDENTIALS", federationConfig(audience, account));
      await create(flytekitTemplate(dogecoin));
      expect(fake.callsTo(":generateAccessToken")).toHaveLength(1);
      const iamToken = fake.issuedTokens.find((token) => token.startsWith("ya29.iam-"));
      expect(fake.callsTo("/bigquery/")[0]!.headers.authorization).toBe(`Bearer ${iamToken}`);
    });

    it("a pool that refuses the role is FAILED_PRECONDITION, with STS's reason", async () => {
      const role = lambdaRole();
      fake.federation = { audience: pool("other"), awsAccessKeyId: role.accessKeyId, awsSessionToken: role.sessionToken };
      vi.stubEnv("GOOGLE_APPLICATION_CREDENTIALS", writeFile("federation-refused.json", federationConfig(pool("refused"))));
      const error = await rejection(create(flytekitTemplate(dogecoin)));
      expect(error.code).toBe(Status.FAILED_PRECONDITION);
      expect(error.message).toMatch(/^Google refused the credentials \(HTTP 400\): .*not a known workload identity pool provider/);
      expect(fake.callsTo("/bigquery/")).toEqual([]);
    });

    it("a task's connection may not carry a federation config: it would read files and URLs, and sign with our role, for the task", async () => {
      const role = lambdaRole();
      const audience = pool("ours");
      fake.federation = { audience, awsAccessKeyId: role.accessKeyId, awsSessionToken: role.sessionToken };
      const configs = [
        federationConfig(audience),
        JSON.stringify({ ...JSON.parse(federationConfig(audience)), credential_source: { file: "/proc/self/environ" } }),
        JSON.stringify({ type: "impersonated_service_account", service_account_impersonation_url: `${fake.url}/x:generateAccessToken`, source_credentials: JSON.parse(federationConfig(audience)) }),
      ];
      for (const config of configs) {
        const error = await rejection(create(flyteSdkTemplate(dogecoin, "gcp"), undefined, { connection: connection({ google_application_credentials: config }) }));
        expect(error.code).toBe(Status.FAILED_PRECONDITION);
        expect(error.message).toMatch(/^The connection's "google_application_credentials" has type "(external_account|impersonated_service_account)": a task's connection may hold only a service-account key/);
      }
      expect(fake.calls).toEqual([]);
    });

    it("a config google-auth-library cannot use is FAILED_PRECONDITION, not INTERNAL", async () => {
      const base = JSON.parse(federationConfig(pool("broken"))) as Record<string, unknown>;
      const configs = [
        { ...base, credential_source: undefined },
        { ...base, credential_source: { environment_id: "aws2" } },
        { type: "impersonated_service_account", service_account_impersonation_url: `${fake.url}/x:generateAccessToken` },
      ];
      for (const config of configs) {
        vi.stubEnv("_FSEC_GOOGLE_APPLICATION_CREDENTIALS", JSON.stringify(config));
        const error = await rejection(create(flytekitTemplate(dogecoin)));
        expect(error.code).toBe(Status.FAILED_PRECONDITION);
        expect(error.message).toMatch(/^The Google credentials cannot be used: /);
      }
      expect(fake.calls).toEqual([]);
    });

    it("an STS that is down is UNAVAILABLE", async () => {
      const role = lambdaRole();
      const audience = pool("down");
      fake.federation = { audience, awsAccessKeyId: role.accessKeyId, awsSessionToken: role.sessionToken };
      fake.fault({ route: "POST /sts/", status: 503, times: Infinity });
      vi.stubEnv("GOOGLE_APPLICATION_CREDENTIALS", writeFile("federation-down.json", federationConfig(audience)));
      const error = await rejection(create(flytekitTemplate(dogecoin)));
      expect(error.code).toBe(Status.UNAVAILABLE);
      expect(error.message).toMatch(/token service failed \(HTTP 503\)/);
    });
  });
});

describe("registration", () => {
  it("the lazy registry entry for the functions loads this connector", async () => {
    const registry = new ConnectorRegistry().registerLazy({
      name: "Bigquery Connector",
      taskTypeName: "bigquery_query_job_task",
      isSync: false,
      load: () => import("../../../lib/connectors/bigquery/connector.js").then((m) => new m.BigQueryConnector()),
    });
    const lazyService = new ConnectorService(registry);
    expect(lazyService.listAgents().agents?.map((agent) => agent.name)).toEqual(["Bigquery Connector"]);
    const { resourceMeta } = await lazyService.createTask({ template: flytekitTemplate(dogecoin), inputs: inputMap({ version: literal.integer(1) }) });
    expect(text(resourceMeta)).toMatch(/^\{"job_id": "flyte-/);
  });
});

describe("redaction", () => {
  it("no private key or token in a meta, a message, or the log, even when the platform quotes one", async () => {
    vi.stubEnv("GOOGLE_APPLICATION_CREDENTIALS", undefined);
    const options = { connection: connection({ google_application_credentials: connectionKey.json }) };
    const meta = await create(flyteSdkTemplate(dogecoin, "gcp"), undefined, options);
    const token = String(fake.calls[0]!.headers.authorization).slice("Bearer ".length);
    // A platform error that echoes the request's credential back.
    fake.fault({ route: "GET /bigquery", status: 400, body: { error: { code: 400, message: `bad request with Bearer ${token}` } } });
    const failed = await get(meta, options);
    fake.fault({ route: "GET /bigquery", status: 503, times: Infinity, body: { error: { code: 503, message: `overloaded; token=${token}` } } });
    const error = await rejection(get(meta, options));
    const said = [text(meta), failed.message ?? "", error.message, JSON.stringify(logged, (_, value) => (value instanceof Error ? value.stack : value))].join("\n");
    expect(failed.message).toContain("[redacted]");
    expect(error.message).toContain("[redacted]");
    for (const secret of [token, connectionKey.privateKeyPem, JSON.parse(connectionKey.json).private_key as string, ...token.split(".")]) {
      expect(said).not.toContain(secret);
    }
    expect(said).not.toContain("PRIVATE KEY");
  });
});
