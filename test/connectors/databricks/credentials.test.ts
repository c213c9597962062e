/**
 * Credentials from each source and in their order of precedence (credentials.ts), OAuth M2M
 * (token cached, renewed before expiry, replaced when refused), the metas both SDKs wrote, and
 * redaction: no credential in an answer, a message, a meta or the log.
 */
import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { mockClient } from "aws-sdk-client-mock";
import { afterAll, afterEach, describe, expect, test, vi } from "vitest";
import { Status } from "../../../lib/connector/errors.js";
import { Phase } from "../../../lib/connector/phase.js";
import { toFlyteidl2Request } from "../../../lib/service/flyteidl2/messages.js";
import { attempt, flytekitCustom, flyteSdkCustom, INSTANCE, newClusterConf, PAT, template } from "./plugin-templates.js";
import { useDatabricks } from "./harness.js";

const h = useDatabricks();
const databricks = { name: "databricks", version: 0 };
const secretsManager = mockClient(SecretsManagerClient);

afterEach(() => {
  secretsManager.reset();
  vi.useRealTimers();
  vi.restoreAllMocks();
});
afterAll(() => {
  secretsManager.restore();
});

const flytekitTemplate = () => template("databricks", flytekitCustom({ databricksConf: newClusterConf(), databricksInstance: INSTANCE }));

/** The bearer tokens the fake received, in order. */
function bearers(): string[] {
  return h.fake.calls.filter((call) => call.path.startsWith("/api/")).map((call) => String(call.headers.authorization).replace(/^Bearer /, ""));
}

async function lifeCycle(options = {}): Promise<Uint8Array> {
  const { resourceMeta } = await h.service.createTask({ template: flytekitTemplate(), taskExecutionMetadata: attempt(0) }, options);
  await h.service.getTask({ taskCategory: databricks, resourceMeta }, options);
  await h.service.deleteTask({ taskCategory: databricks, resourceMeta }, options);
  return resourceMeta;
}

describe("a personal access token", () => {
  test.each([
    ["env FLYTE_DATABRICKS_ACCESS_TOKEN", "FLYTE_DATABRICKS_ACCESS_TOKEN"],
    ["flytekit's env _FSEC_FLYTE_DATABRICKS_ACCESS_TOKEN", "_FSEC_FLYTE_DATABRICKS_ACCESS_TOKEN"],
    ["env DATABRICKS_TOKEN (secret databricks_token)", "DATABRICKS_TOKEN"],
  ])("from %s", async (_, name) => {
    vi.stubEnv("FLYTE_DATABRICKS_ACCESS_TOKEN", undefined);
    vi.stubEnv(name, "dapi-from-env");
    h.fake.tokens.add("dapi-from-env");
    await lifeCycle();
    expect(bearers()).toEqual(["dapi-from-env", "dapi-from-env", "dapi-from-env"]);
  });

  test("from the Secrets Manager secret FLYTE_CONNECTOR_SECRETS_ID names", async () => {
    vi.stubEnv("FLYTE_DATABRICKS_ACCESS_TOKEN", undefined);
    vi.stubEnv("FLYTE_CONNECTOR_SECRETS_ID", "flyte/connectors");
    secretsManager.on(GetSecretValueCommand, { SecretId: "flyte/connectors" }).resolves({ SecretString: JSON.stringify({ FLYTE_DATABRICKS_ACCESS_TOKEN: "dapi-from-sm" }) });
    h.fake.tokens.add("dapi-from-sm");
    await lifeCycle();
    expect(bearers()).toEqual(["dapi-from-sm", "dapi-from-sm", "dapi-from-sm"]);
    // Read once per container, not per call.
    expect(secretsManager.commandCalls(GetSecretValueCommand)).toHaveLength(1);
  });

  test("from a Flyte 2 connection (flyte-sdk's databricks_token), ahead of the deployment's OAuth client", async () => {
    vi.stubEnv("FLYTE_DATABRICKS_ACCESS_TOKEN", undefined);
    vi.stubEnv("FLYTE_DATABRICKS_CLIENT_ID", "sp-id");
    vi.stubEnv("FLYTE_DATABRICKS_CLIENT_SECRET", "sp-secret");
    h.fake.clients.set("sp-id", "sp-secret");
    h.fake.tokens.add("dapi-from-connection");
    const options = h.connection({ databricks_token: "dapi-from-connection" });
    const custom = flyteSdkCustom({ databricksConf: newClusterConf(), databricksInstance: INSTANCE, databricksToken: "MY_PAT" });
    const { resourceMeta } = await h.service.createTask({ template: template("databricks", custom), taskExecutionMetadata: attempt(0) }, options);
    await h.service.getTask({ taskCategory: databricks, resourceMeta }, options);
    expect(bearers()).toEqual(["dapi-from-connection", "dapi-from-connection"]);
    expect(h.fake.callsTo("/oidc/v1/token")).toEqual([]);
  });

  test("over Flyte 2's own protocol (flyteidl2), the executor's connection carries the token to create, get and delete", async () => {
    vi.stubEnv("FLYTE_DATABRICKS_ACCESS_TOKEN", undefined);
    h.fake.tokens.add("dapi-from-connection");
    const { connection } = h.connection({ databricks_token: "dapi-from-connection" });
    const custom = flyteSdkCustom({ databricksConf: newClusterConf(), databricksInstance: INSTANCE, databricksToken: "MY_PAT" });
    const options = { connection, protocol: "flyteidl2" as const };
    const createRequest = toFlyteidl2Request("createTask", { template: template("databricks", custom), taskExecutionMetadata: attempt(0) }, { connection });
    const [created] = (await h.service.dispatch("createTask", [createRequest], options)) as { resourceMeta: Uint8Array }[];
    for (const op of ["getTask", "deleteTask"] as const) {
      await h.service.dispatch(op, [toFlyteidl2Request(op, { taskCategory: databricks, resourceMeta: created!.resourceMeta }, { connection })], options);
    }
    expect(bearers()).toEqual(["dapi-from-connection", "dapi-from-connection", "dapi-from-connection"]);
    expect(new TextDecoder().decode(created!.resourceMeta)).not.toContain("dapi-");
  });

  test("none anywhere is FAILED_PRECONDITION naming the secrets and where they were looked for; nothing is submitted", async () => {
    vi.stubEnv("FLYTE_DATABRICKS_ACCESS_TOKEN", undefined);
    const error = await h.service.createTask({ template: flytekitTemplate() }).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: Status.FAILED_PRECONDITION });
    const { message } = error as Error;
    for (const name of ["databricks_token", "FLYTE_DATABRICKS_ACCESS_TOKEN", "FLYTE_DATABRICKS_CLIENT_ID", "FLYTE_DATABRICKS_CLIENT_SECRET", "env _FSEC_FLYTE_DATABRICKS_ACCESS_TOKEN", "file /etc/secrets/flyte_databricks_access_token"]) {
      expect(message).toContain(name);
    }
    expect(h.fake.calls).toEqual([]);
  });

  test("a token Databricks refuses is FAILED_PRECONDITION on create, and never quoted", async () => {
    vi.stubEnv("FLYTE_DATABRICKS_ACCESS_TOKEN", "dapi-revoked-0000");
    const error = await h.service.createTask({ template: flytekitTemplate() }).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: Status.FAILED_PRECONDITION, message: expect.stringContaining("HTTP 403: PERMISSION_DENIED: Invalid access token.") });
    expect((error as Error).message).not.toContain("dapi-revoked-0000");
  });
});

describe("OAuth M2M (a service principal's client id and secret)", () => {
  function servicePrincipal(): void {
    vi.stubEnv("FLYTE_DATABRICKS_ACCESS_TOKEN", undefined);
    vi.stubEnv("FLYTE_DATABRICKS_CLIENT_ID", "sp-client-id");
    vi.stubEnv("FLYTE_DATABRICKS_CLIENT_SECRET", "sp-client-secret-value");
    h.fake.clients.set("sp-client-id", "sp-client-secret-value");
  }

  test("one token serves create, get and delete; the token request is the documented one", async () => {
    servicePrincipal();
    await lifeCycle();
    const [tokenCall, ...more] = h.fake.callsTo("POST /oidc/v1/token");
    expect(more).toEqual([]);
    expect(tokenCall?.headers.authorization).toBe(`Basic ${Buffer.from("sp-client-id:sp-client-secret-value").toString("base64")}`);
    expect(Object.fromEntries(new URLSearchParams(tokenCall!.text))).toEqual({ grant_type: "client_credentials", scope: "all-apis" });
    expect(new Set(bearers()).size).toBe(1);
    expect(bearers()[0]).toMatch(/^dapi-oauth-/);
  });

  test("the token is renewed shortly before it expires", async () => {
    servicePrincipal();
    vi.useFakeTimers({ toFake: ["Date"] });
    const resourceMeta = await lifeCycle();
    vi.setSystemTime(Date.now() + 3530 * 1000);
    await h.service.getTask({ taskCategory: databricks, resourceMeta });
    expect(h.fake.callsTo("/oidc/v1/token")).toHaveLength(1);
    vi.setSystemTime(Date.now() + 20 * 1000); // within a minute of the hour
    await h.service.getTask({ taskCategory: databricks, resourceMeta });
    expect(h.fake.callsTo("/oidc/v1/token")).toHaveLength(2);
    const used = bearers();
    expect(used.at(-1)).not.toBe(used.at(-2));
  });

  test.each([
    // What Databricks answers a revoked or expired OAuth token (the fake does so itself).
    ["403 Invalid access token.", undefined],
    ["401", { route: "runs/get", status: 401, body: { error_code: "UNAUTHENTICATED", message: "Token is expired." } }],
  ])("a token the workspace stops accepting (%s) is replaced within the call", async (_, fault) => {
    servicePrincipal();
    const resourceMeta = await lifeCycle();
    h.fake.revokeTokens();
    if (fault) h.fake.fault(fault);
    const { resource } = await h.service.getTask({ taskCategory: databricks, resourceMeta });
    expect(resource?.phase).toBe(Phase.FAILED); // cancelled by lifeCycle's delete
    expect(h.fake.callsTo("/oidc/v1/token")).toHaveLength(2);
  });

  test("from a connection's databricks_client_id and databricks_client_secret", async () => {
    vi.stubEnv("FLYTE_DATABRICKS_ACCESS_TOKEN", undefined);
    h.fake.clients.set("conn-id", "conn-secret");
    await lifeCycle(h.connection({ databricks_client_id: "conn-id", databricks_client_secret: "conn-secret", databricks_token: "ignored" }));
    expect(h.fake.callsTo("/oidc/v1/token")).toHaveLength(1);
    expect(bearers().every((token) => token.endsWith("-conn-id"))).toBe(true);
  });

  test("OAuth is preferred to the deployment's token", async () => {
    servicePrincipal();
    vi.stubEnv("FLYTE_DATABRICKS_ACCESS_TOKEN", PAT);
    await lifeCycle();
    expect(bearers().every((token) => token.startsWith("dapi-oauth-"))).toBe(true);
  });

  test("a wrong client secret is FAILED_PRECONDITION with Databricks' reason, never the secret", async () => {
    servicePrincipal();
    h.fake.clients.set("sp-client-id", "the-right-one");
    const error = await h.service.createTask({ template: flytekitTemplate() }).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: Status.FAILED_PRECONDITION, message: expect.stringContaining("Client authentication failed") });
    expect((error as Error).message).toBe(
      "Databricks could not issue an OAuth token for the service principal: HTTP 401: Client authentication failed (check the service principal's client id and secret)",
    );
    expect(h.fake.callsTo("/oidc/v1/token")).toHaveLength(1);
    expect(h.fake.callsTo("runs/submit")).toEqual([]);
  });

  test("half a client (an id without its secret) is FAILED_PRECONDITION naming what is missing", async () => {
    vi.stubEnv("FLYTE_DATABRICKS_CLIENT_ID", "sp-client-id");
    await expect(h.service.createTask({ template: flytekitTemplate() })).rejects.toMatchObject({
      code: Status.FAILED_PRECONDITION,
      message: expect.stringMatching(/client id was found but not its client secret; looked in .*FLYTE_DATABRICKS_CLIENT_SECRET/),
    });
  });
});

describe("metas the Python connectors wrote", () => {
  const encode = (text: string) => new TextEncoder().encode(text);

  test.each([
    ["flyte-sdk", `{"databricks_instance": "${INSTANCE}", "run_id": "%s"}`],
    ["flytekit before 1.16", `{"databricks_instance": "${INSTANCE}", "run_id": "%s"}`],
    ["flytekit 1.16 without a token", `{"databricks_instance": "${INSTANCE}", "run_id": "%s", "auth_token": null}`],
  ])("%s's is followed and cancelled", async (_, shape) => {
    await h.service.createTask({ template: flytekitTemplate() });
    const meta = encode(shape.replace("%s", String(h.fake.lastRun().runId)));
    const { resource } = await h.service.getTask({ taskCategory: databricks, resourceMeta: meta });
    expect(resource?.phase).toBe(Phase.INITIALIZING);
    await h.service.deleteTask({ taskCategory: databricks, resourceMeta: meta });
    expect(h.fake.lastRun().state.result_state).toBe("CANCELED");
  });

  test("flytekit 1.16's with a token: our own credential is preferred; its token is used only when we have none", async () => {
    await h.service.createTask({ template: flytekitTemplate() });
    const runId = h.fake.lastRun().runId;
    h.fake.tokens.add("dapi-in-the-meta");
    const meta = encode(`{"databricks_instance": "${INSTANCE}", "run_id": "${runId}", "auth_token": "dapi-in-the-meta"}`);
    h.fake.calls.length = 0;
    await h.service.getTask({ taskCategory: databricks, resourceMeta: meta });
    expect(bearers()).toEqual([PAT]);
    vi.stubEnv("FLYTE_DATABRICKS_ACCESS_TOKEN", undefined);
    const { resource } = await h.service.getTask({ taskCategory: databricks, resourceMeta: meta });
    expect(resource?.phase).toBe(Phase.INITIALIZING);
    await h.service.deleteTask({ taskCategory: databricks, resourceMeta: meta });
    expect(bearers()).toEqual([PAT, "dapi-in-the-meta", "dapi-in-the-meta"]);
  });

  test("a meta of another shape is INVALID_ARGUMENT naming the fields, never their values", async () => {
    const meta = encode(`{"databricks_instance": "${INSTANCE}", "run_id": "1", "token": "dapi-leak"}`);
    const error = await h.service.getTask({ taskCategory: databricks, resourceMeta: meta }).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: Status.INVALID_ARGUMENT, message: expect.stringContaining('unknown field(s) "token"') });
    expect((error as Error).message).not.toContain("dapi-leak");
  });
});

describe("FLYTE_DATABRICKS_ALLOWED_INSTANCES", () => {
  test("when set, credentials go to the listed workspaces only: another is refused before anything is sent", async () => {
    vi.stubEnv("FLYTE_DATABRICKS_ALLOWED_INSTANCES", `other.cloud.databricks.com, ${INSTANCE.toUpperCase()}`);
    await h.service.createTask({ template: flytekitTemplate() });
    const elsewhere = template("databricks", flytekitCustom({ databricksConf: newClusterConf(), databricksInstance: "attacker.example.com" }));
    await expect(h.service.createTask({ template: elsewhere })).rejects.toMatchObject({
      code: Status.INVALID_ARGUMENT,
      message: "Databricks instance attacker.example.com is not one this deployment sends credentials to (FLYTE_DATABRICKS_ALLOWED_INSTANCES).",
    });
    const meta = new TextEncoder().encode('{"databricks_instance": "attacker.example.com", "run_id": "1"}');
    await expect(h.service.getTask({ taskCategory: databricks, resourceMeta: meta })).rejects.toMatchObject({ code: Status.INVALID_ARGUMENT });
    await expect(h.service.deleteTask({ taskCategory: databricks, resourceMeta: meta })).rejects.toMatchObject({ code: Status.INVALID_ARGUMENT });
    expect(h.fake.calls).toHaveLength(1);
  });
});

describe("redaction", () => {
  test("a token never appears in an answer, a message, a meta or the log, even when Databricks echoes it", async () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    const metaToken = "dapi-meta-token-to-hide";
    // Create: the platform echoes the PAT in its error.
    h.fake.fault({ route: "runs/submit", status: 400, body: { error_code: "INVALID_PARAMETER_VALUE", message: `bad header Bearer ${PAT}` } });
    const createError = await h.service.createTask({ template: flytekitTemplate() }).catch((caught: unknown) => caught);
    expect((createError as Error).message).toContain("[redacted]");
    expect((createError as Error).message).not.toContain(PAT);

    const { resourceMeta } = await h.service.createTask({ template: flytekitTemplate(), taskExecutionMetadata: attempt(0) });
    const written = new TextDecoder().decode(resourceMeta);
    expect(written).not.toContain(PAT);
    expect(written).not.toContain("auth_token");

    // Get with a flytekit meta's token, while our own credential is used: the state message echoes
    // both tokens, and the state is unknown (logged). The meta's token is redacted though never sent.
    h.fake.tokens.add(metaToken);
    const runId = h.fake.lastRun().runId;
    h.fake.setState(runId, { life_cycle_state: `NEW_STATE_${metaToken}`, state_message: `token ${metaToken} / ${PAT}` });
    const legacy = new TextEncoder().encode(`{"databricks_instance": "${INSTANCE}", "run_id": "${runId}", "auth_token": "${metaToken}"}`);
    const { resource } = await h.service.getTask({ taskCategory: databricks, resourceMeta: legacy });
    expect(bearers().at(-1)).toBe(PAT);
    const answer = JSON.stringify(resource);
    for (const secret of [PAT, metaToken]) {
      expect(answer).not.toContain(secret);
      expect(JSON.stringify(warn.mock.calls)).not.toContain(secret);
    }
    expect(resource?.message).toContain("[redacted]");
    expect(warn).toHaveBeenCalledTimes(1);

    // With no credential of ours the meta's token is used; a failed get's message (FAILED resource) is redacted too.
    vi.stubEnv("FLYTE_DATABRICKS_ACCESS_TOKEN", undefined);
    h.fake.fault({ route: "runs/get", status: 400, body: { error_code: "INVALID_PARAMETER_VALUE", message: `echo ${metaToken}` } });
    const failed = await h.service.getTask({ taskCategory: databricks, resourceMeta: legacy });
    expect(failed.resource?.phase).toBe(Phase.FAILED);
    expect(failed.resource?.message).toBe("Databricks could not get run " + runId + ": HTTP 400: INVALID_PARAMETER_VALUE: echo [redacted]");
    expect(bearers().at(-1)).toBe(metaToken);
  });
});
