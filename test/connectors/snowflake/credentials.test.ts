/**
 * Where the private key comes from (docs/CONTRACT.md §9: Flyte 2's connection, flytekit's `_FSEC_`
 * variables and mounted files, the service's Secrets Manager secret), the key formats both
 * plugins accept (cryptography's load_pem_private_key: flytekit connector.py:30-45, flyte-sdk
 * _crypto.py:4-22), and that neither the key, its passphrase nor a JWT ever leaves in an answer,
 * a message, a meta or a log line.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generateKeyPairSync } from "node:crypto";
import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, beforeEach, describe, expect, test, vi } from "vitest";
import type { Connection } from "../../../lib/connector/connector.js";
import { Status } from "../../../lib/connector/errors.js";
import { Phase } from "../../../lib/connector/phase.js";
import { clearSecretsCache } from "../../../lib/connector/secrets.js";
import { runConnector, TaskRunFailedError } from "../../../lib/testing/index.js";
import { SnowflakeConnector } from "../../../lib/connectors/snowflake/connector.js";
import { rejection } from "../../support/rejection.js";
import { FakeSnowflake } from "./fake.js";
import { CATEGORY, SUBJECT, STRUCTURED_DATASET, executionMetadata, flyte2Connection, flyteSdkTemplate, flytekitTemplate, makeKeys, makeService, pemBody } from "./support.js";
import { useFake } from "../../support/use-fake.js";

const keys = makeKeys();
const fake = useFake(new FakeSnowflake());
const secretsManager = mockClient(SecretsManagerClient);
const SECRET_ID = "arn:aws:secretsmanager:us-east-1:123456789012:secret:flyte-connectors-AbCdEf";

beforeEach(() => {
  fake.trust(SUBJECT, keys.publicKey);
  secretsManager.reset();
  clearSecretsCache();
  vi.stubEnv("FLYTE_SNOWFLAKE_ENDPOINT", fake.url);
});
afterEach(() => {
  vi.unstubAllEnvs();
  clearSecretsCache();
});

const template = flytekitTemplate({ sql: "SELECT 1" });

async function createWith(connection?: Connection) {
  const { service } = makeService();
  return service.createTask({ template, taskExecutionMetadata: executionMetadata() }, connection ? { connection } : {});
}

describe("sources", () => {
  test("flytekit's _FSEC_ variable, and the plain variable name", async () => {
    vi.stubEnv("_FSEC_SNOWFLAKE_PRIVATE_KEY", keys.pem);
    await createWith();
    vi.stubEnv("_FSEC_SNOWFLAKE_PRIVATE_KEY", undefined);
    vi.stubEnv("SNOWFLAKE_PRIVATE_KEY", keys.pkcs1Pem);
    await createWith();
    expect(fake.statements.size).toBe(1);
    expect(fake.callsTo("POST /api/v2/statements").map((call) => call.status)).toEqual([202, 202]);
  });

  test("the mounted file <FLYTE_SECRETS_DEFAULT_DIR>/snowflake_private_key (flytekit's get_connector_secret)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "snowflake-secrets-"));
    writeFileSync(join(dir, "snowflake_private_key"), `${keys.pem}\n`, { mode: 0o600 });
    vi.stubEnv("FLYTE_SECRETS_DEFAULT_DIR", dir);
    try {
      await createWith();
      expect(fake.statements.size).toBe(1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("the service's Secrets Manager secret, with the passphrase of an encrypted key", async () => {
    vi.stubEnv("FLYTE_CONNECTOR_SECRETS_ID", SECRET_ID);
    secretsManager
      .on(GetSecretValueCommand, { SecretId: SECRET_ID })
      .resolves({ SecretString: JSON.stringify({ snowflake_private_key: keys.encryptedPem, snowflake_private_key_passphrase: keys.passphrase }) });
    await createWith();
    expect(fake.statements.size).toBe(1);
    expect(secretsManager.commandCalls(GetSecretValueCommand)).toHaveLength(1);
  });

  test("Flyte 2's connection comes first", async () => {
    vi.stubEnv("_FSEC_SNOWFLAKE_PRIVATE_KEY", "not a key");
    await createWith(flyte2Connection(keys));
    expect(fake.statements.size).toBe(1);
  });

  test("no key anywhere is FAILED_PRECONDITION naming the secret and where it was looked for", async () => {
    const error = await rejection(createWith());
    expect(error.code).toBe(Status.FAILED_PRECONDITION);
    expect(error.message).toContain('Secret "snowflake_private_key" not found; looked in connection secret snowflake_private_key, env _FSEC_SNOWFLAKE_PRIVATE_KEY');
    expect(fake.calls).toHaveLength(0);
  });

  test.each([
    ["password authentication", { password: "pw-1234" }, 'connection_kwargs ask for another sign-in ("password")'],
    ["OAuth", { authenticator: "oauth", token: "tok-5678" }, 'connection_kwargs ask for another sign-in (authenticator "oauth")'],
    ["a programmatic access token", { authenticator: "PROGRAMMATIC_ACCESS_TOKEN", token: "pat-9012" }, 'authenticator "PROGRAMMATIC_ACCESS_TOKEN"'],
    ["a key file on the connector's host", { private_key_file: "/keys/rsa_key.p8" }, '("private_key_file")'],
  ])("no key, and flyte-sdk's connection_kwargs ask for %s: FAILED_PRECONDITION saying the SQL API takes a key", async (_, kwargs, asked) => {
    // flyte-sdk task.py:74: "For password authentication or other auth methods, pass them via connection_kwargs".
    const sdkTemplate = flyteSdkTemplate({ sql: "SELECT 1", connectionKwargs: kwargs });
    const { service } = makeService();
    const error = await rejection(service.createTask({ template: sdkTemplate, taskExecutionMetadata: executionMetadata() }));
    expect(error.code).toBe(Status.FAILED_PRECONDITION);
    expect(error.message).toContain(asked);
    expect(error.message).toContain('it signs in with key-pair authentication. Register an RSA public key for user');
    expect(error.message).toContain('Secret "snowflake_private_key" not found; looked in');
    for (const value of Object.values(kwargs)) if (value.includes("-")) expect(error.message).not.toContain(value);
    expect(fake.calls).toHaveLength(0);
  });

  test("a key wins over connection_kwargs' other sign-in, as the driver's private_key does", async () => {
    const sdkTemplate = flyteSdkTemplate({ sql: "SELECT 1", connectionKwargs: { password: "pw-1234" } });
    const { service } = makeService();
    await service.createTask({ template: sdkTemplate, taskExecutionMetadata: executionMetadata() }, { connection: flyte2Connection(keys) });
    expect(fake.statements.size).toBe(1);
  });
});

describe("key formats", () => {
  test.each([
    ["PKCS#8 PEM with surrounding blank lines (the plugins strip it)", () => `\n\n${keys.pem}\n`],
    ["PKCS#1 PEM", () => keys.pkcs1Pem],
    ["PEM with its line breaks stored as \\n", () => keys.pem.replace(/\n/g, "\\n")],
    ["the base64 body without armour", () => pemBody(keys.pem)],
  ])("%s", async (_, key) => {
    vi.stubEnv("_FSEC_SNOWFLAKE_PRIVATE_KEY", key());
    await createWith();
    expect(fake.statements.size).toBe(1);
  });

  test("an encrypted key opens with flytekit's _FSEC_ passphrase variable too", async () => {
    vi.stubEnv("_FSEC_SNOWFLAKE_PRIVATE_KEY", keys.encryptedPem);
    vi.stubEnv("_FSEC_SNOWFLAKE_PRIVATE_KEY_PASSPHRASE", keys.passphrase);
    await createWith();
    expect(fake.statements.size).toBe(1);
  });

  test.each([
    ["an encrypted key without its passphrase", { snowflake_private_key: keys.encryptedPem }, "is an encrypted key: set the secret snowflake_private_key_passphrase"],
    ["a wrong passphrase", { snowflake_private_key: keys.encryptedPem, snowflake_private_key_passphrase: "wrong" }, "cannot be opened with the passphrase"],
    ["text that is no key", { snowflake_private_key: "-----BEGIN PRIVATE KEY-----\nnope\n-----END PRIVATE KEY-----" }, "is not a usable private key"],
    [
      "an EC key",
      { snowflake_private_key: generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey.export({ type: "pkcs8", format: "pem" }).toString() },
      "takes an RSA key",
    ],
  ])("%s is FAILED_PRECONDITION", async (_, secrets, message) => {
    const error = await rejection(createWith({ secrets, configs: {} }));
    expect(error.code).toBe(Status.FAILED_PRECONDITION);
    expect(error.message).toContain(message);
    expect(fake.calls).toHaveLength(0);
  });
});

describe("redaction", () => {
  test("no key, passphrase or JWT in any meta, message, error or log line of a whole run", async () => {
    const { service, logged } = makeService();
    const connection = flyte2Connection(keys);
    const said: string[] = [];
    const sdkTemplate = flyteSdkTemplate({ sql: "SELECT 1", outputs: { results: STRUCTURED_DATASET } });
    const created = await service.createTask({ template: sdkTemplate, taskExecutionMetadata: executionMetadata() }, { connection });
    said.push(new TextDecoder().decode(created.resourceMeta!));
    // A failing statement, a proxy echoing the Authorization header, a throttled API.
    fake.script = [{ failed: { message: `failed for ${keys.passphrase}`, sqlState: "42000" } }];
    const failedMeta = (await service.createTask({ template: sdkTemplate, taskExecutionMetadata: executionMetadata({ retryAttempt: 1 }) }, { connection })).resourceMeta!;
    const failed = (await service.getTask({ taskCategory: CATEGORY, resourceMeta: failedMeta }, { connection })).resource!;
    expect(failed.phase).toBe(Phase.FAILED);
    said.push(failed.message ?? "");
    fake.reset();
    vi.stubEnv("FLYTE_SNOWFLAKE_ENDPOINT", fake.url);
    fake.leakAuthorization = true;
    for (const call of [
      () => service.getTask({ taskCategory: CATEGORY, resourceMeta: created.resourceMeta }, { connection }),
      () => service.createTask({ template: sdkTemplate }, { connection }),
      () => service.deleteTask({ taskCategory: CATEGORY, resourceMeta: created.resourceMeta }, { connection }),
    ]) {
      const error = await rejection(call());
      expect(error.code).toBe(Status.FAILED_PRECONDITION);
      said.push(error.message, String(error.stack));
    }
    expect(said.some((text) => text.includes("[redacted]"))).toBe(true);
    const secrets = [pemBody(keys.encryptedPem).slice(0, 40), keys.passphrase, ...fake.tokens];
    expect(fake.tokens.length).toBeGreaterThan(0);
    const everything = JSON.stringify([said, logged.map((line) => line.map(String))]);
    for (const secret of secrets) expect(everything).not.toContain(secret);
  });

  test("a run end to end with the test kit: the meta never holds connection_kwargs' credentials", async () => {
    const sdkTemplate = flyteSdkTemplate({ sql: "SELECT 1", connectionKwargs: { password: "s3cr3t-pw", token: "tok-123", role: "r" } });
    let polls = 0;
    const result = await runConnector(new SnowflakeConnector(), {
      template: sdkTemplate,
      connection: flyte2Connection(keys),
      taskExecutionMetadata: executionMetadata(),
      beforePoll: () => void (polls += 1),
    });
    expect(result.phase).toBe(Phase.SUCCEEDED);
    expect(polls).toBe(1);
    const statement = [...fake.statements.values()][0]!;
    expect(JSON.stringify(statement.body)).not.toContain("s3cr3t-pw");
    const { service } = makeService();
    const meta = new TextDecoder().decode(
      (await service.createTask({ template: sdkTemplate, taskExecutionMetadata: executionMetadata() }, { connection: flyte2Connection(keys) })).resourceMeta!,
    );
    expect(meta).toContain('"connection_kwargs": {"role": "r"}');
    expect(meta).not.toContain("s3cr3t-pw");
    expect(meta).not.toContain("tok-123");
  });

  test("a failed run reports Snowflake's message", async () => {
    fake.script = [{ failed: { message: "Division by zero", sqlState: "22012" } }];
    const run = runConnector(new SnowflakeConnector(), { template, connection: flyte2Connection(keys, false) });
    await expect(run).rejects.toBeInstanceOf(TaskRunFailedError);
    await expect(run).rejects.toMatchObject({ phase: Phase.FAILED, taskMessage: "Division by zero (SQL state 22012)" });
  });
});
