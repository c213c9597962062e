import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { Status } from "../../lib/connector/errors.js";
import { SecretNotFoundError, defaultSecretsDir, getConnectorSecret } from "../../lib/connector/secrets.js";

const secretsDir = mkdtempSync(join(tmpdir(), "connector-secrets-"));
writeFileSync(join(secretsDir, "api_key"), "from-file\n");
writeFileSync(join(secretsDir, "crlf_key"), "from-file\r\n");
writeFileSync(join(secretsDir, "two_lines"), "line1\nline2\n\n");
writeFileSync(join(secretsDir, "padded"), "  spaced  ");
mkdirSync(join(secretsDir, "a_directory"));
afterAll(() => rmSync(secretsDir, { recursive: true, force: true }));

describe("getConnectorSecret", () => {
  test("prefers env _FSEC_<KEY>, then env <KEY>, then the file, looking the key up upper-cased in env", () => {
    const env = { _FSEC_API_KEY: "fsec", API_KEY: "plain" };
    expect(getConnectorSecret("api_key", { env, secretsDir })).toBe("fsec");
    expect(getConnectorSecret("api_key", { env: { API_KEY: "plain" }, secretsDir })).toBe("plain");
    expect(getConnectorSecret("api_key", { env: {}, secretsDir })).toBe("from-file");
    expect(getConnectorSecret("Api_Key", { env: { _FSEC_API_KEY: "fsec" }, secretsDir })).toBe("fsec");
  });

  test("counts an env variable that is set but empty, as flytekit does", () => {
    expect(getConnectorSecret("api_key", { env: { _FSEC_API_KEY: "" }, secretsDir })).toBe("");
  });

  test("reads the file under the lower-cased key and drops only one trailing newline", () => {
    expect(getConnectorSecret("API_KEY", { env: {}, secretsDir })).toBe("from-file");
    expect(getConnectorSecret("crlf_key", { env: {}, secretsDir })).toBe("from-file");
    expect(getConnectorSecret("two_lines", { env: {}, secretsDir })).toBe("line1\nline2\n");
    expect(getConnectorSecret("padded", { env: {}, secretsDir })).toBe("  spaced  ");
  });

  test("uses process.env and /etc/secrets by default", () => {
    process.env._FSEC_CONNECTOR_SECRETS_TEST = "from-process";
    try {
      expect(getConnectorSecret("connector_secrets_test")).toBe("from-process");
    } finally {
      delete process.env._FSEC_CONNECTOR_SECRETS_TEST;
    }
    expect(defaultSecretsDir).toBe("/etc/secrets");
    expect(() => getConnectorSecret("connector_secrets_test_absent", { env: {} })).toThrow(
      "file /etc/secrets/connector_secrets_test_absent",
    );
  });

  test("flytekit's FLYTE_SECRETS_DEFAULT_DIR, FLYTE_SECRETS_FILE_PREFIX and FLYTE_SECRETS_ENV_PREFIX place the secrets", () => {
    writeFileSync(join(secretsDir, "pre_token"), "prefixed-file");
    expect(getConnectorSecret("api_key", { env: { FLYTE_SECRETS_DEFAULT_DIR: secretsDir } })).toBe("from-file");
    expect(getConnectorSecret("token", { env: { FLYTE_SECRETS_DEFAULT_DIR: secretsDir, FLYTE_SECRETS_FILE_PREFIX: "pre_" } })).toBe("prefixed-file");
    expect(getConnectorSecret("token", { env: { _MINE_TOKEN: "mine", _FSEC_TOKEN: "not this", FLYTE_SECRETS_ENV_PREFIX: "_MINE_" }, secretsDir })).toBe("mine");
    // secretsDir, when given, wins over the environment's.
    expect(getConnectorSecret("api_key", { env: { FLYTE_SECRETS_DEFAULT_DIR: "/nowhere" }, secretsDir })).toBe("from-file");
    expect(() => getConnectorSecret("absent", { env: { FLYTE_SECRETS_DEFAULT_DIR: secretsDir, FLYTE_SECRETS_FILE_PREFIX: "pre_", FLYTE_SECRETS_ENV_PREFIX: "_MINE_" } })).toThrow(
      `looked in env _MINE_ABSENT, env ABSENT, file ${join(secretsDir, "pre_absent")}.`,
    );
  });

  test("throws SecretNotFoundError naming the key and every place looked, and no value", () => {
    const env = { OTHER: "do-not-leak" };
    let thrown: unknown;
    try {
      getConnectorSecret("Missing_Token", { env, secretsDir });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(SecretNotFoundError);
    const error = thrown as SecretNotFoundError;
    expect(error.name).toBe("SecretNotFoundError");
    expect(error.key).toBe("Missing_Token");
    expect(error.message).toBe(
      `Secret "Missing_Token" not found; looked in env _FSEC_MISSING_TOKEN, env MISSING_TOKEN, file ${join(secretsDir, "missing_token")}.`,
    );
    expect(error.lookedIn).toEqual([
      "env _FSEC_MISSING_TOKEN",
      "env MISSING_TOKEN",
      `file ${join(secretsDir, "missing_token")}`,
    ]);
    expect(error.message).not.toContain("do-not-leak");
  });

  test("treats a secrets dir that does not exist as not found", () => {
    expect(() => getConnectorSecret("api_key", { env: {}, secretsDir: join(secretsDir, "nope") })).toThrow(
      SecretNotFoundError,
    );
    expect(() => getConnectorSecret("api_key", { env: {}, secretsDir: join(secretsDir, "api_key") })).toThrow(
      SecretNotFoundError,
    );
  });

  test("lets a secret path that exists but is not a readable file fail loudly", () => {
    expect(() => getConnectorSecret("a_directory", { env: {}, secretsDir })).toThrow(/EISDIR/);
  });

  test("a secret file that cannot be read is FAILED_PRECONDITION naming the secret and the file (docs/CONTRACT.md §5)", () => {
    expect(() => getConnectorSecret("a_directory", { env: {}, secretsDir })).toThrow(
      expect.objectContaining({
        code: Status.FAILED_PRECONDITION,
        message: `Secret "a_directory" cannot be read from file ${join(secretsDir, "a_directory")} (EISDIR).`,
      }),
    );
  });

  test.each(["../etc/passwd", "a/b", "a\\b", "..", ".", "x..y", "", "a b", "key\0"])("rejects the key %j", (key) => {
    expect(() => getConnectorSecret(key, { env: { [key.toUpperCase()]: "v" }, secretsDir })).toThrow(
      `Invalid secret key ${JSON.stringify(key)}`,
    );
  });

  test("accepts Kubernetes-style keys with dots and dashes", () => {
    writeFileSync(join(secretsDir, "tls.key-1"), "pem");
    expect(getConnectorSecret("tls.key-1", { env: {}, secretsDir })).toBe("pem");
  });
});
