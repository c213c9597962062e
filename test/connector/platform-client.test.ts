import { afterAll, afterEach, beforeAll, describe, expect, test } from "vitest";
import { Status } from "../../lib/connector/errors.js";
import {
  PlatformAuthError,
  PlatformClient,
  PlatformTaskError,
  PlatformUnavailableError,
  type PlatformClientOptions,
} from "../../lib/connector/platform-client.js";
import { knownSecrets } from "../../lib/connector/redact.js";
import { PlatformFake, type FakeRequest } from "../../lib/testing/platform-fake.js";
import { rejection } from "../support/rejection.js";

const TOKEN = "dapi-platform-client-test-token";

/** A small platform: jobs by id, a submit, and a route that echoes the credential back in its error. */
class JobsFake extends PlatformFake {
  readonly jobs = new Map<string, { state: string }>();
  constructor() {
    super();
    this.route("GET", "/api/jobs/{id}", ({ params }) => {
      const job = this.jobs.get(params["id"]!);
      return job ? { json: { id: params["id"], ...job } } : this.error(404, `job ${params["id"]} does not exist`);
    });
    this.route("POST", "/api/jobs", ({ json }) => {
      const id = `j${this.jobs.size + 1}`;
      this.jobs.set(id, { state: "PENDING" });
      return { json: { id, got: json } };
    });
    this.route("POST", "/api/jobs/{id}/cancel", () => ({ status: 204 }));
    this.route("GET", "/api/echo-credential", ({ headers }) => this.error(400, `bad request from ${headers.authorization}`));
    this.route("GET", "/api/query", ({ query }) => ({ json: Object.fromEntries(query) }));
  }
  protected override authenticate(request: FakeRequest) {
    return request.headers.authorization === `Bearer ${TOKEN}` ? undefined : this.error(401, "invalid access token");
  }
}

const fake = new JobsFake();
beforeAll(() => fake.start());
afterAll(() => fake.stop());
afterEach(() => {
  fake.reset();
  fake.jobs.clear();
});

function client(options: Partial<PlatformClientOptions> = {}) {
  return new PlatformClient({
    platform: "Jobs",
    baseUrl: fake.url,
    auth: () => ({ authorization: `Bearer ${TOKEN}` }),
    backoffMs: { base: 5, cap: 20 },
    ...options,
  });
}

const context = () => ({ signal: new AbortController().signal });

describe("PlatformClient", () => {
  test("sends JSON with the credentials and answers the parsed body", async () => {
    fake.jobs.set("7", { state: "RUNNING" });
    const answer = await client().request({ path: "/api/jobs/7", action: "read the job" }, context());
    expect(answer).toMatchObject({ status: 200, body: { id: "7", state: "RUNNING" } });
    const submitted = await client().request({ method: "POST", path: "/api/jobs", json: { a: 1 }, action: "submit" }, context());
    expect(submitted.body).toEqual({ id: "j2", got: { a: 1 } });
    expect(fake.calls.at(-1)?.headers["content-type"]).toBe("application/json");
  });

  test("sets query parameters, leaving out undefined ones", async () => {
    const answer = await client().request({ path: "/api/query", query: { run_id: 42, flag: true, none: undefined }, action: "query" }, context());
    expect(answer.body).toEqual({ run_id: "42", flag: "true" });
  });

  test("answers an empty body as undefined, and an accepted status as a result", async () => {
    const cancelled = await client().request({ method: "POST", path: "/api/jobs/1/cancel", retry: true, action: "cancel" }, context());
    expect(cancelled).toMatchObject({ status: 204, body: undefined });
    const missing = await client().request({ path: "/api/jobs/404", accept: [404], action: "read" }, context());
    expect(missing.status).toBe(404);
    expect(missing.body).toMatchObject({ error: { message: "job 404 does not exist" } });
  });

  test("a body the caller does not want is left unread, by status; an error's is read, and retried as before", async () => {
    fake.jobs.set("1", { state: "DONE" });
    const unlessOk = (status: number) => status !== 200;
    fake.fault({ route: "GET /api/jobs", status: 503 });
    const answer = await client().request({ path: "/api/jobs/1", readBody: unlessOk, action: "read" }, context());
    expect(answer).toMatchObject({ status: 200, body: undefined });
    expect(fake.callsTo("GET /api/jobs/1").map((call) => call.status)).toEqual([503, 200]);
    fake.fault({ route: "GET /api/jobs", status: 503, times: Infinity, body: { message: "temporarily overloaded" } });
    const error = await rejection(client({ maxAttempts: 2 }).request({ path: "/api/jobs/1", readBody: unlessOk, action: "read" }, context()));
    expect(error).toMatchObject({ code: Status.UNAVAILABLE, httpStatus: 503, platformMessage: "temporarily overloaded" });
    fake.reset();
    const missing = await client().request({ path: "/api/jobs/404", accept: [404], readBody: unlessOk, action: "read" }, context());
    expect(missing.body).toMatchObject({ error: { message: "job 404 does not exist" } });
  });

  test("retries a 429 inside the call, honouring Retry-After", async () => {
    fake.jobs.set("1", { state: "RUNNING" });
    fake.fault({ route: "GET /api/jobs", status: 429, retryAfter: 0, times: 2 });
    const answer = await client().request({ path: "/api/jobs/1", action: "read" }, context());
    expect(answer.status).toBe(200);
    expect(fake.callsTo("GET /api/jobs/1").map((call) => call.status)).toEqual([429, 429, 200]);
  });

  test.each([500, 502, 503, 504])("retries a %i on a read", async (status) => {
    fake.jobs.set("1", { state: "RUNNING" });
    fake.fault({ route: "GET /api/jobs", status });
    await client().request({ path: "/api/jobs/1", action: "read" }, context());
    expect(fake.callsTo("GET /api/jobs/1").map((call) => call.status)).toEqual([status, 200]);
  });

  test("never retries a POST unless told it is safe", async () => {
    fake.fault({ route: "POST /api/jobs", status: 503, times: 5 });
    const error = await rejection(client().request({ method: "POST", path: "/api/jobs", json: {}, action: "submit the job" }, context()));
    expect(error).toBeInstanceOf(PlatformUnavailableError);
    expect(fake.callsTo("POST /api/jobs")).toHaveLength(1);
    fake.reset();
    fake.fault({ route: "POST /api/jobs", status: 503 });
    const retried = await client().request({ method: "POST", path: "/api/jobs", json: {}, retry: true, action: "submit" }, context());
    expect(retried.status).toBe(200);
  });

  test("a platform that stays at 5xx answers UNAVAILABLE with its message, after the attempts", async () => {
    fake.fault({ route: "GET /api/jobs", status: 503, times: Infinity, body: { message: "temporarily overloaded" } });
    const error = await rejection(client({ maxAttempts: 3 }).request({ path: "/api/jobs/1", action: "read the job" }, context()));
    expect(error).toBeInstanceOf(PlatformUnavailableError);
    expect(error).toMatchObject({ code: Status.UNAVAILABLE, httpStatus: 503, platformMessage: "temporarily overloaded" });
    expect((error as Error).message).toBe("Jobs could not read the job: HTTP 503: temporarily overloaded (after 3 attempts)");
    expect(fake.callsTo("GET /api/jobs/1")).toHaveLength(3);
  });

  test("stops retrying in time to answer UNAVAILABLE before the caller's deadline", async () => {
    fake.fault({ route: "GET /api/jobs", status: 503, times: Infinity });
    const deadline = Date.now() + 600;
    const error = await rejection(
      client({ maxAttempts: 1000, backoffMs: { base: 50, cap: 100 } }).request({ path: "/api/jobs/1", action: "read" }, { signal: new AbortController().signal, deadline }),
    );
    expect(error).toBeInstanceOf(PlatformUnavailableError);
    expect(Date.now()).toBeLessThan(deadline);
    const sent = fake.callsTo("GET /api/jobs/1").length;
    expect(sent).toBeGreaterThan(1);
    expect((error as Error).message).toMatch(new RegExp(`\\(after ${sent} attempts\\)$`));
  });

  test("a Retry-After beyond the deadline is not waited for", async () => {
    fake.fault({ route: "GET /api/jobs", status: 429, retryAfter: 30, times: Infinity });
    const deadline = Date.now() + 2000;
    const error = await rejection(client().request({ path: "/api/jobs/1", action: "read" }, { signal: new AbortController().signal, deadline }));
    expect(error).toMatchObject({ code: Status.UNAVAILABLE, httpStatus: 429 });
    expect(fake.callsTo("GET /api/jobs/1")).toHaveLength(1);
    // One request was sent: the message counts no second attempt it did not make.
    expect((error as Error).message).not.toContain("attempts");
  });

  test("a slow answer times out per attempt and is retried", async () => {
    fake.jobs.set("1", { state: "RUNNING" });
    fake.fault({ route: "GET /api/jobs", delayMs: 500 });
    const answer = await client({ timeoutMs: 100 }).request({ path: "/api/jobs/1", action: "read" }, context());
    expect(answer.status).toBe(200);
    fake.fault({ route: "GET /api/jobs", delayMs: 500 });
    const error = await rejection(client({ timeoutMs: 100, maxAttempts: 1 }).request({ path: "/api/jobs/1", action: "read" }, context()));
    expect((error as Error).message).toBe("Jobs could not read: no answer within 100 ms");
  });

  test("malformed JSON is retried, then UNAVAILABLE", async () => {
    fake.fault({ route: "GET /api/jobs", malformed: true, times: Infinity });
    const error = await rejection(client({ maxAttempts: 2 }).request({ path: "/api/jobs/1", action: "read" }, context()));
    expect(error).toBeInstanceOf(PlatformUnavailableError);
    expect((error as Error).message).toContain("answered 200 with a body that is not JSON");
    expect(fake.callsTo("GET /api/jobs/1")).toHaveLength(2);
  });

  test("a dropped connection is retried on a read", async () => {
    fake.jobs.set("1", { state: "RUNNING" });
    fake.fault({ route: "GET /api/jobs", reset: true });
    const answer = await client().request({ path: "/api/jobs/1", action: "read" }, context());
    expect(answer.status).toBe(200);
  });

  test("an unreachable platform is UNAVAILABLE naming why", async () => {
    const closed = await new JobsFake().start();
    const baseUrl = closed.url;
    await closed.stop();
    const error = await rejection(
      new PlatformClient({ platform: "Jobs", baseUrl, maxAttempts: 2, backoffMs: { base: 1, cap: 1 } }).request({ path: "/x", action: "read" }, context()),
    );
    expect(error).toBeInstanceOf(PlatformUnavailableError);
    expect((error as Error).message).toMatch(/^Jobs could not read: cannot reach it \(.*ECONNREFUSED.*\) \(after 2 attempts\)$/);
  });

  test("401 and 403 are FAILED_PRECONDITION; other 4xx fail the task with the platform's message", async () => {
    const auth = await rejection(client({ auth: () => ({ authorization: "Bearer wrong-token-value" }) }).request({ path: "/api/jobs/1", action: "read" }, context()));
    expect(auth).toBeInstanceOf(PlatformAuthError);
    expect(auth).toMatchObject({ code: Status.FAILED_PRECONDITION, httpStatus: 401 });
    expect((auth as Error).message).toBe("Jobs could not read: HTTP 401: invalid access token (check the credentials and their permissions)");
    const task = await rejection(client().request({ path: "/api/jobs/99", action: "read the job" }, context()));
    expect(task).toBeInstanceOf(PlatformTaskError);
    expect(task).toMatchObject({ code: Status.INVALID_ARGUMENT, httpStatus: 404, platformMessage: "job 99 does not exist" });
    expect(fake.callsTo("GET /api/jobs/99")).toHaveLength(1);
  });

  test("a platform's own 'not now' answer (transient) is retried as a 429 is, and only where it says so", async () => {
    fake.jobs.set("1", { state: "RUNNING" });
    const transient = (status: number, body: unknown) => status === 403 && JSON.stringify(body).includes("rateLimited");
    const throttled = { error: { message: "slow down", reason: "rateLimited" } };
    fake.fault({ route: "GET /api/jobs", status: 403, body: throttled });
    expect((await client({ transient }).request({ path: "/api/jobs/1", action: "read" }, context())).status).toBe(200);
    expect(fake.callsTo("GET /api/jobs/1").map((call) => call.status)).toEqual([403, 200]);
    // Still never for a POST not marked safe; a 403 of another kind stays a credential problem.
    fake.fault({ route: "POST /api/jobs", status: 403, body: throttled, times: 2 });
    const submit = await rejection(client({ transient }).request({ method: "POST", path: "/api/jobs", json: {}, action: "submit" }, context()));
    expect(submit).toMatchObject({ code: Status.UNAVAILABLE, httpStatus: 403, platformMessage: "slow down" });
    fake.fault({ route: "GET /api/jobs", status: 403, body: { error: { message: "forbidden" } } });
    expect(await rejection(client({ transient }).request({ path: "/api/jobs/1", action: "read" }, context()))).toBeInstanceOf(PlatformAuthError);
  });

  test("a credential no header can carry is FAILED_PRECONDITION, never quoted, and nothing is sent", async () => {
    const error = await rejection(client({ auth: () => ({ authorization: "Bearer dapi-first\ndapi-second" }) }).request({ path: "/api/jobs/1", action: "read" }, context()));
    expect(error).toMatchObject({ code: Status.FAILED_PRECONDITION, message: "The Jobs credentials cannot be sent: they hold characters an HTTP header cannot carry." });
    expect(fake.calls).toEqual([]);
  });

  test("a credential the platform echoes never reaches a message", async () => {
    const error = await rejection(client().request({ path: "/api/echo-credential", action: "read" }, context()));
    expect((error as Error).message).not.toContain(TOKEN);
    expect((error as Error).message).toContain("[redacted]");
    expect(knownSecrets.text(`Bearer ${TOKEN}`)).not.toContain(TOKEN);
  });

  test("an auth header that is no credential stays readable: Google's quota project names the project", async () => {
    const auth = () => ({ authorization: `Bearer ${TOKEN}`, "x-goog-user-project": "analytics-quota-project" });
    fake.fault({ route: "GET /api/jobs", status: 400, body: { error: { message: "job lives in analytics-quota-project" } } });
    const error = await rejection(client({ auth }).request({ path: "/api/jobs/1", action: "read" }, context()));
    expect((error as Error).message).toContain("job lives in analytics-quota-project");
    expect(knownSecrets.text(`Bearer ${TOKEN}`)).toBe("Bearer [redacted]");
  });

  test("the caller's abort ends the call at once with its reason", async () => {
    fake.fault({ route: "GET /api/jobs", delayMs: 2000 });
    const controller = new AbortController();
    const pending = client().request({ path: "/api/jobs/1", action: "read" }, { signal: controller.signal });
    setTimeout(() => controller.abort(new Error("deadline")), 50);
    await expect(pending).rejects.toThrow("deadline");
  });
});
