import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GetSecretValueCommand, InternalServiceError, ResourceNotFoundException, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { mockClient } from "aws-sdk-client-mock";
import { afterAll, beforeEach, describe, expect, test } from "vitest";
import { Status } from "../../lib/connector/errors.js";
import { knownSecrets } from "../../lib/connector/redact.js";
import { SECRETS_ID_ENV, SecretNotFoundError, clearSecretsCache, findSecret, getSecret } from "../../lib/connector/secrets.js";
import { rejection } from "../support/rejection.js";

const secretsManager = mockClient(SecretsManagerClient);
const secretsDir = mkdtempSync(join(tmpdir(), "secret-chain-"));
writeFileSync(join(secretsDir, "databricks_token"), "from-file\n");
afterAll(() => rmSync(secretsDir, { recursive: true, force: true }));

beforeEach(() => {
  secretsManager.reset();
  clearSecretsCache();
});

const connection = (secrets: Record<string, string>) => ({ connection: { secrets, configs: {} } });

describe("getSecret (docs/CONTRACT.md §9)", () => {
  test("the connection wins, then env _FSEC_, then the file, then Secrets Manager", async () => {
    const env = { _FSEC_DATABRICKS_TOKEN: "from-env", [SECRETS_ID_ENV]: "flyte/connectors" };
    secretsManager.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify({ databricks_token: "from-sm", only_sm: "sm-value" }) });
    expect(await getSecret("databricks_token", connection({ databricks_token: "from-connection" }), { env, secretsDir })).toBe("from-connection");
    expect(await getSecret("databricks_token", {}, { env, secretsDir })).toBe("from-env");
    expect(await getSecret("databricks_token", {}, { env: { [SECRETS_ID_ENV]: "flyte/connectors" }, secretsDir })).toBe("from-file");
    expect(await getSecret("only_sm", {}, { env, secretsDir })).toBe("sm-value");
    expect(secretsManager.commandCalls(GetSecretValueCommand)[0]?.args[0].input).toEqual({ SecretId: "flyte/connectors" });
  });

  test("several names: the first found wins, each through every source", async () => {
    const env = { _FSEC_FLYTE_DATABRICKS_ACCESS_TOKEN: "flytekit-secret" };
    expect(await getSecret(["databricks_token_absent", "FLYTE_DATABRICKS_ACCESS_TOKEN"], {}, { env, secretsDir })).toBe("flytekit-secret");
    expect(await getSecret(["x", "y"], connection({ y: "second" }), { env, secretsDir })).toBe("second");
  });

  test("Secrets Manager is read once and kept for the TTL, then read again", async () => {
    const env = { [SECRETS_ID_ENV]: "flyte/connectors" };
    secretsManager.on(GetSecretValueCommand).resolvesOnce({ SecretString: '{"k": "v1"}' }).resolves({ SecretString: '{"k": "v2"}' });
    const [a, b] = await Promise.all([getSecret("k", {}, { env, secretsDir }), getSecret("k", {}, { env, secretsDir })]);
    expect([a, b]).toEqual(["v1", "v1"]);
    expect(secretsManager.commandCalls(GetSecretValueCommand)).toHaveLength(1);
    expect(await getSecret("k", {}, { env, secretsDir, cacheTtlMs: 0 })).toBe("v2");
  });

  test("a Secrets Manager value that is no string is its JSON text (a key file kept as an object); null is none", async () => {
    const env = { [SECRETS_ID_ENV]: "flyte/connectors" };
    const credentials = { type: "service_account", client_email: "a@p.iam.gserviceaccount.com", private_key: "-----BEGIN PRIVATE KEY-----\nk\n" };
    secretsManager.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify({ google_application_credentials: credentials, port: 443, unset: null }) });
    expect(JSON.parse(await getSecret("google_application_credentials", {}, { env, secretsDir, cacheTtlMs: 0 }))).toEqual(credentials);
    expect(await getSecret("port", {}, { env, secretsDir, cacheTtlMs: 0 })).toBe("443");
    await expect(getSecret("unset", {}, { env, secretsDir, cacheTtlMs: 0 })).rejects.toThrow(SecretNotFoundError);
  });

  test("none found: FAILED_PRECONDITION naming the secret and every source tried, never a value", async () => {
    const env = { [SECRETS_ID_ENV]: "flyte/connectors", OTHER: "do-not-leak" };
    secretsManager.on(GetSecretValueCommand).resolves({ SecretString: '{"other": "sm-do-not-leak"}' });
    const error = await rejection(getSecret(["token", "FLYTE_TOKEN"], connection({ other: "c-do-not-leak" }), { env, secretsDir }));
    expect(error).toBeInstanceOf(SecretNotFoundError);
    expect(error).toMatchObject({ code: Status.FAILED_PRECONDITION });
    expect((error as Error).message).toBe(
      `Secret "token" or "FLYTE_TOKEN" not found; looked in connection secret token, env _FSEC_TOKEN, env TOKEN, file ${join(secretsDir, "token")}, ` +
        `Secrets Manager secret "flyte/connectors" key token, connection secret FLYTE_TOKEN, env _FSEC_FLYTE_TOKEN, env FLYTE_TOKEN, ` +
        `file ${join(secretsDir, "flyte_token")}, Secrets Manager secret "flyte/connectors" key FLYTE_TOKEN.`,
    );
    expect((error as Error).message).not.toMatch(/do-not-leak/);
    expect(await findSecret("token", {}, { env: {}, secretsDir })).toEqual({ lookedIn: ["connection secret token", "env _FSEC_TOKEN", "env TOKEN", `file ${join(secretsDir, "token")}`] });
  });

  test("a Secrets Manager failure is FAILED_PRECONDITION when misconfigured, UNAVAILABLE when AWS asks to retry, and not kept", async () => {
    const env = { [SECRETS_ID_ENV]: "flyte/connectors" };
    secretsManager.on(GetSecretValueCommand).rejectsOnce(new ResourceNotFoundException({ message: "arn:aws:secretsmanager:... not found", $metadata: {} }));
    const missing = await rejection(getSecret("k", {}, { env, secretsDir }));
    expect(missing).toMatchObject({ code: Status.FAILED_PRECONDITION });
    expect((missing as Error).message).toBe(
      'Connector secrets are misconfigured: cannot read Secrets Manager secret "flyte/connectors" (FLYTE_CONNECTOR_SECRETS_ID) (ResourceNotFoundException).',
    );
    secretsManager.reset();
    secretsManager.on(GetSecretValueCommand).rejectsOnce(new InternalServiceError({ message: "try later", $metadata: {} }));
    expect(await rejection(getSecret("k", {}, { env, secretsDir }))).toMatchObject({ code: Status.UNAVAILABLE });
    secretsManager.reset();
    // A network failure on the way to AWS, once the SDK's own retries are spent, as the SDK throws it.
    secretsManager.on(GetSecretValueCommand).rejectsOnce(Object.assign(new Error("connect ECONNREFUSED 10.0.0.1:443"), { code: "ECONNREFUSED", $metadata: {} }));
    const unreachable = await rejection(getSecret("k", {}, { env, secretsDir }));
    expect(unreachable).toMatchObject({ code: Status.UNAVAILABLE });
    expect((unreachable as Error).message).toBe(
      'Connector secrets are unavailable: cannot read Secrets Manager secret "flyte/connectors" (FLYTE_CONNECTOR_SECRETS_ID) (ECONNREFUSED); try again.',
    );
    secretsManager.reset();
    secretsManager.on(GetSecretValueCommand).resolves({ SecretString: "not json" });
    const notJson = await rejection(getSecret("k", {}, { env, secretsDir }));
    expect((notJson as Error).message).toBe(
      'Connector secrets are misconfigured: Secrets Manager secret "flyte/connectors" (FLYTE_CONNECTOR_SECRETS_ID) must hold a JSON object.',
    );
  });

  test("every value from any source is redacted, the Secrets Manager's as soon as it is read", async () => {
    const env = { [SECRETS_ID_ENV]: "flyte/connectors", _FSEC_ENV_ONE: "env-secret-value-1" };
    secretsManager.on(GetSecretValueCommand).resolves({ SecretString: '{"a": "sm-secret-value-a", "b": "sm-secret-value-b"}' });
    await getSecret("env_one", {}, { env, secretsDir });
    await getSecret("a", connection({}), { env, secretsDir });
    await getSecret("c", connection({ c: "connection-secret-value" }), { env, secretsDir });
    const text = knownSecrets.text("env-secret-value-1 sm-secret-value-a sm-secret-value-b connection-secret-value");
    expect(text).toBe("[redacted] [redacted] [redacted] [redacted]");
  });
});
