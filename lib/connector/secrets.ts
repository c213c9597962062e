/**
 * Where a connector's credentials come from (docs/CONTRACT.md §9), never the task or the resource
 * meta: the request's connection (Flyte 2), flytekit's environment variables and mounted secrets
 * directory (get_connector_secret), then an opt-in AWS Secrets Manager secret. Every value read
 * is remembered, so the service redacts it from the messages it answers and from its log.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Connection } from "./connector.js";
import { ConnectorError, errorMessage, FailedPreconditionError, UnavailableError } from "./errors.js";
import { knownSecrets } from "./redact.js";
import { awsErrorName, isAwsRetryable, readSecretString } from "./secrets-manager.js";

export const defaultSecretsDir = "/etc/secrets";

/** flytekit's default SECRETS_ENV_PREFIX. */
const defaultEnvPrefix = "_FSEC_";

export interface SecretLookupOptions {
  /** Defaults to process.env. */
  readonly env?: NodeJS.ProcessEnv;
  /** Defaults to env FLYTE_SECRETS_DEFAULT_DIR, else /etc/secrets. */
  readonly secretsDir?: string;
  /**
   * Whether env `<KEY>` itself is read, after `_FSEC_<KEY>` (default: yes, for the deployment's
   * settings, such as GOOGLE_APPLICATION_CREDENTIALS). No for a key a task names: the function's
   * environment also holds what is no task's to read, its role's AWS_SECRET_ACCESS_KEY first.
   */
  readonly unprefixedEnv?: boolean;
}

/**
 * Where flytekit looks for secrets, from the variables its SecretsManager reads
 * (flytekit/configuration/internal.py, `Secrets`): a deployment configured for the Python
 * connector keeps its settings here.
 */
function secretsLayout(env: NodeJS.ProcessEnv, secretsDir: string | undefined) {
  return {
    envPrefix: env["FLYTE_SECRETS_ENV_PREFIX"]?.trim() || defaultEnvPrefix,
    dir: secretsDir ?? (env["FLYTE_SECRETS_DEFAULT_DIR"]?.trim() || defaultSecretsDir),
    filePrefix: env["FLYTE_SECRETS_FILE_PREFIX"]?.trim() ?? "",
  };
}

/**
 * No secret under a key (FAILED_PRECONDITION). Names the key and where it was looked for, never a
 * value.
 */
export class SecretNotFoundError extends FailedPreconditionError {
  static override readonly errorName: string = "SecretNotFoundError";
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
 * The secret under `key`: env `_FSEC_<KEY>`, then env `<KEY>` (upper-cased; see `unprefixedEnv`), then the file
 * `<secretsDir>/<key>` (lower-cased, one trailing newline dropped); the prefix, the directory and
 * a file name prefix are flytekit's FLYTE_SECRETS_ENV_PREFIX, FLYTE_SECRETS_DEFAULT_DIR and
 * FLYTE_SECRETS_FILE_PREFIX when set. An env variable that is set
 * counts even when empty, as in flytekit. Keys are limited to letters, digits, `_`, `-` and `.`
 * (Kubernetes secret keys) so a key can never reach outside the secrets directory.
 */
export function getConnectorSecret(key: string, options: SecretLookupOptions = {}): string {
  const found = localSecret(key, options);
  if (found.value === undefined) throw new SecretNotFoundError(key, found.lookedIn);
  return found.value;
}

/** The environment and the secrets directory, as getConnectorSecret reads them. */
function localSecret(key: string, options: SecretLookupOptions): { value?: string; lookedIn: string[] } {
  if (!/^[A-Za-z0-9_.-]+$/.test(key) || key.includes("..") || key === ".") {
    throw new Error(
      `Invalid secret key ${JSON.stringify(key)}: use letters, digits, "_", "-" and "." (no path separators or "..").`,
    );
  }
  const env = options.env ?? process.env;
  const layout = secretsLayout(env, options.secretsDir);
  const envNames = [`${layout.envPrefix}${key.toUpperCase()}`, ...(options.unprefixedEnv === false ? [] : [key.toUpperCase()])];
  for (const name of envNames) {
    const value = env[name];
    if (value !== undefined) return { value: remembered(value), lookedIn: [] };
  }
  const file = join(layout.dir, `${layout.filePrefix}${key.toLowerCase()}`);
  try {
    return { value: remembered(readFileSync(file, "utf8").replace(/\r?\n$/, "")), lookedIn: [] };
  } catch (error) {
    // Missing file or directory means "not here"; anything else (permissions, a directory) is a
    // secret that is there but unusable: FAILED_PRECONDITION naming it (docs/CONTRACT.md §5).
    const code = errorCode(error);
    if (code !== "ENOENT" && code !== "ENOTDIR") {
      throw new FailedPreconditionError(`Secret "${key}" cannot be read from file ${file} (${String(code ?? errorMessage(error))}).`, { cause: error });
    }
  }
  return { lookedIn: [...envNames.map((name) => `env ${name}`), `file ${file}`] };
}

export interface SecretChainOptions extends SecretLookupOptions {
  /** How long the Secrets Manager secret is kept before it is read again (default 5 minutes). */
  readonly cacheTtlMs?: number;
}

/** Environment variable naming the opt-in Secrets Manager secret (a JSON object of secrets). */
export const SECRETS_ID_ENV = "FLYTE_CONNECTOR_SECRETS_ID";
const DEFAULT_CACHE_TTL_MS = 5 * 60_000;

/**
 * The secret under the first of `names` that any source has (docs/CONTRACT.md §9). Each name is looked
 * for in turn, through: the call's `connection.secrets`; env `_FSEC_<NAME>` and `<NAME>`; the file
 * `/etc/secrets/<name>` (flytekit's settings may move both, as getConnectorSecret says); and,
 * when FLYTE_CONNECTOR_SECRETS_ID names one, that Secrets Manager secret's JSON key `<name>`. Several names serve a secret known by more than one (flyte-sdk's
 * kwarg, flytekit's secret name). None found: SecretNotFoundError (FAILED_PRECONDITION) naming
 * every name and source tried.
 */
export async function getSecret(
  names: string | readonly string[],
  context: { readonly connection?: Connection },
  options: SecretChainOptions = {},
): Promise<string> {
  const found = await findSecret(names, context, options);
  if (found.value !== undefined) return found.value;
  const all = typeof names === "string" ? [names] : names;
  throw new SecretNotFoundError(all.join('" or "'), found.lookedIn);
}

/** getSecret's search, answering undefined instead of throwing when no source has the secret. */
export async function findSecret(
  names: string | readonly string[],
  context: { readonly connection?: Connection },
  options: SecretChainOptions = {},
): Promise<{ value?: string; lookedIn: string[] }> {
  const lookedIn: string[] = [];
  const secretsId = (options.env ?? process.env)[SECRETS_ID_ENV];
  for (const name of typeof names === "string" ? [names] : names) {
    const fromConnection = context.connection?.secrets[name];
    if (fromConnection !== undefined) {
      knownSecrets.addPassing(fromConnection);
      return { value: fromConnection, lookedIn };
    }
    lookedIn.push(`connection secret ${name}`);
    const local = localSecret(name, options);
    if (local.value !== undefined) return { value: local.value, lookedIn };
    lookedIn.push(...local.lookedIn);
    if (secretsId) {
      const value = (await secretsManagerSecrets(secretsId, options.cacheTtlMs ?? DEFAULT_CACHE_TTL_MS))[name];
      if (value !== undefined) return { value: remembered(value), lookedIn };
      lookedIn.push(`Secrets Manager secret ${JSON.stringify(secretsId)} key ${name}`);
    }
  }
  return { lookedIn };
}

interface CachedSecrets {
  readonly secretsId: string;
  readonly readAt: number;
  readonly values: Promise<Readonly<Record<string, string>>>;
}

let cached: CachedSecrets | undefined;

/**
 * The Secrets Manager secret's keys, read once per container and again after `ttlMs`; concurrent
 * callers share one read, and a failed read is not kept.
 */
function secretsManagerSecrets(secretsId: string, ttlMs: number): Promise<Readonly<Record<string, string>>> {
  const now = Date.now();
  if (cached && cached.secretsId === secretsId && now - cached.readAt < ttlMs) return cached.values;
  const values = readSecretsObject(secretsId);
  const entry: CachedSecrets = { secretsId, readAt: now, values };
  cached = entry;
  values.catch(() => {
    if (cached === entry) cached = undefined;
  });
  return values;
}

async function readSecretsObject(secretsId: string): Promise<Record<string, string>> {
  const where = `Secrets Manager secret ${JSON.stringify(secretsId)} (${SECRETS_ID_ENV})`;
  let text: string | undefined;
  try {
    text = await readSecretString(secretsId);
  } catch (error) {
    if (error instanceof ConnectorError) throw error;
    const why = `cannot read ${where} (${awsErrorName(error)})`;
    if (isAwsRetryable(error)) throw new UnavailableError(`Connector secrets are unavailable: ${why}; try again.`, { cause: error });
    throw new FailedPreconditionError(`Connector secrets are misconfigured: ${why}.`, { cause: error });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text ?? "");
  } catch {
    parsed = undefined;
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new FailedPreconditionError(`Connector secrets are misconfigured: ${where} must hold a JSON object.`);
  }
  const values: Record<string, string> = {};
  for (const [key, value] of Object.entries(parsed)) {
    if (value === null) continue;
    // Known as soon as read, so nothing said later (a bad value, an error) can quote one. A value
    // that is no string is its JSON text: a key file's object kept as an object (Google's
    // credentials) reads as the file would.
    values[key] = remembered(typeof value === "string" ? value : JSON.stringify(value));
  }
  return values;
}

/** Forgets the cached Secrets Manager secret (tests; a rotation that must apply at once). */
export function clearSecretsCache(): void {
  cached = undefined;
}

function remembered(secret: string): string {
  knownSecrets.add(secret);
  return secret;
}
