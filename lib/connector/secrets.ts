/**
 * flytekit's get_connector_secret: a connector's credentials come from the environment or from
 * a mounted secrets directory, never from the task or the resource meta. Every value read is
 * remembered, so the service redacts it from the messages it answers and from its log.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { knownSecrets } from "./redact.js";

export const defaultSecretsDir = "/etc/secrets";

/** flytekit's SECRETS_ENV_PREFIX. */
const envPrefix = "_FSEC_";

export interface SecretLookupOptions {
  /** Defaults to process.env. */
  readonly env?: NodeJS.ProcessEnv;
  /** Defaults to /etc/secrets. */
  readonly secretsDir?: string;
}

/** No secret under a key. Names the key and where it was looked for, never a value. */
export class SecretNotFoundError extends Error {
  override readonly name = "SecretNotFoundError";

  constructor(
    readonly key: string,
    readonly lookedIn: readonly string[],
  ) {
    super(`Secret "${key}" not found; looked in ${lookedIn.join(", ")}.`);
  }
}

function errorCode(error: unknown): unknown {
  return typeof error === "object" && error !== null ? (error as { code?: unknown }).code : undefined;
}

/**
 * The secret under `key`: env `_FSEC_<KEY>`, then env `<KEY>` (upper-cased), then the file
 * `<secretsDir>/<key>` (lower-cased, one trailing newline dropped). An env variable that is set
 * counts even when empty, as in flytekit. Keys are limited to letters, digits, `_`, `-` and `.`
 * (Kubernetes secret keys) so a key can never reach outside the secrets directory.
 */
export function getConnectorSecret(key: string, options: SecretLookupOptions = {}): string {
  if (!/^[A-Za-z0-9_.-]+$/.test(key) || key.includes("..") || key === ".") {
    throw new Error(
      `Invalid secret key ${JSON.stringify(key)}: use letters, digits, "_", "-" and "." (no path separators or "..").`,
    );
  }
  const env = options.env ?? process.env;
  const envNames = [`${envPrefix}${key.toUpperCase()}`, key.toUpperCase()];
  for (const name of envNames) {
    const value = env[name];
    if (value !== undefined) return remembered(value);
  }
  const file = join(options.secretsDir ?? defaultSecretsDir, key.toLowerCase());
  try {
    return remembered(readFileSync(file, "utf8").replace(/\r?\n$/, ""));
  } catch (error) {
    // Missing file or directory means "not here"; anything else (permissions) is a real failure.
    if (errorCode(error) !== "ENOENT" && errorCode(error) !== "ENOTDIR") throw error;
  }
  throw new SecretNotFoundError(key, [...envNames.map((name) => `env ${name}`), `file ${file}`]);
}

function remembered(secret: string): string {
  knownSecrets.add(secret);
  return secret;
}
