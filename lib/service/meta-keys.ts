/**
 * Where the meta sealing keys come from (SECURITY.md), chosen by the environment:
 *
 *   FLYTE_CONNECTOR_META_KEYS            the keys themselves, `id:base64,...` (first seals)
 *   FLYTE_CONNECTOR_META_KEYS_SECRET     a Secrets Manager secret (name or ARN) holding that text
 *   FLYTE_CONNECTOR_META_KEYS_PARAMETER  an SSM SecureString parameter (name, `name:version` or ARN)
 *
 * and, while sealing is turned on or off with tasks running, what to do with plain metas:
 *
 *   FLYTE_CONNECTOR_PLAIN_METAS          refuse (the default), accept or write (meta-seal.ts)
 *
 * No keys set: sealing is off. The keys are read on the first operation that seals or opens a meta
 * and kept for the life of the process (one read per cold start), so a function that never
 * touches a meta makes no AWS call and loads no AWS SDK. A failed read is not kept: the next
 * call tries again. Failures are ConnectorErrors naming the source, never a key: INTERNAL for a
 * misconfiguration, UNAVAILABLE when AWS asks to retry (throttling, a fault on its side).
 */
import { ConnectorError, errorMessage, InternalError, UnavailableError } from "../connector/errors.js";
import { knownSecrets } from "../connector/redact.js";
import { requirePackage } from "../connector/require-package.js";
import { awsErrorName, isAwsRetryable, readSecretString } from "../connector/secrets-manager.js";
import { MetaSealer, parseMetaKeys, PLAIN_METAS, type PlainMetas } from "./meta-seal.js";

/** Resolves to the sealer, or rejects with a ConnectorError the caller may see. */
export type MetaSealerProvider = () => Promise<MetaSealer>;

interface KeySource {
  /** For messages: where the keys were looked for. */
  readonly name: string;
  read(): Promise<string | undefined>;
}

const MISCONFIGURED = "Resource meta sealing is misconfigured";

/** The sealer the environment asks for, or undefined when sealing is off (the default). */
export function metaSealerFromEnv(env: NodeJS.ProcessEnv = process.env): MetaSealerProvider | undefined {
  const sources = keySources(env);
  const [source] = sources;
  if (!source) return undefined;
  if (sources.length > 1) return misconfigured(`set only one of ${sources.map(({ name }) => name).join(", ")}`);
  const plainMetas = env["FLYTE_CONNECTOR_PLAIN_METAS"] || "refuse";
  if (!isPlainMetas(plainMetas)) {
    return misconfigured(`FLYTE_CONNECTOR_PLAIN_METAS must be one of ${PLAIN_METAS.join(", ")}, not ${JSON.stringify(plainMetas)}`);
  }
  return keptOnSuccess(() => loadSealer(source, plainMetas));
}

/** A provider that refuses every call: the configuration cannot work, whatever the keys hold. */
function misconfigured(problem: string): MetaSealerProvider {
  const error = new InternalError(`${MISCONFIGURED}: ${problem}.`);
  return () => Promise.reject(error);
}

function isPlainMetas(value: string): value is PlainMetas {
  return (PLAIN_METAS as readonly string[]).includes(value);
}

function keySources(env: NodeJS.ProcessEnv): KeySource[] {
  const { FLYTE_CONNECTOR_META_KEYS: spec, FLYTE_CONNECTOR_META_KEYS_SECRET: secretId, FLYTE_CONNECTOR_META_KEYS_PARAMETER: parameter } = env;
  const sources: KeySource[] = [];
  if (spec) sources.push({ name: "environment variable FLYTE_CONNECTOR_META_KEYS", read: () => Promise.resolve(spec) });
  if (secretId) sources.push({ name: `Secrets Manager secret ${JSON.stringify(secretId)}`, read: () => readSecretString(secretId) });
  if (parameter) sources.push({ name: `SSM parameter ${JSON.stringify(parameter)}`, read: () => readParameter(parameter) });
  return sources;
}

async function loadSealer(source: KeySource, plainMetas: PlainMetas): Promise<MetaSealer> {
  let spec: string | undefined;
  try {
    spec = await source.read();
  } catch (error) {
    throw unreadable(source, error);
  }
  if (!spec?.trim()) throw new InternalError(`${MISCONFIGURED}: ${source.name} holds no keys.`);
  // Known before parsing, so nothing said about a bad spec, here or by anyone, can quote a key.
  for (const part of spec.split(",")) knownSecrets.add(part.slice(part.indexOf(":") + 1).trim());
  try {
    return new MetaSealer(parseMetaKeys(spec), plainMetas);
  } catch (error) {
    throw new InternalError(`${MISCONFIGURED}: the keys in ${source.name} are invalid: ${errorMessage(error)}`);
  }
}

/** AWS's own errors name what went wrong; their messages (ARNs, account ids) go only to the log, as the cause. */
function unreadable(source: KeySource, error: unknown): ConnectorError {
  if (error instanceof ConnectorError) return error;
  const why = `cannot read ${source.name} (${awsErrorName(error)})`;
  if (isAwsRetryable(error)) {
    return new UnavailableError(`Resource meta sealing keys are unavailable: ${why}; try again.`, { cause: error });
  }
  return new InternalError(`${MISCONFIGURED}: ${why}.`, { cause: error });
}

/** The first success is kept; a failure is not, so the next call retries. */
function keptOnSuccess<T>(load: () => Promise<T>): () => Promise<T> {
  let pending: Promise<T> | undefined;
  return () =>
    (pending ??= load().catch((error: unknown) => {
      pending = undefined;
      throw error;
    }));
}

// The SSM client is loaded on first use only, as readSecretString loads its own.

async function readParameter(name: string): Promise<string | undefined> {
  const { SSMClient, GetParameterCommand } = requirePackage<typeof import("@aws-sdk/client-ssm")>("@aws-sdk/client-ssm");
  const client = new SSMClient({});
  try {
    const { Parameter } = await client.send(new GetParameterCommand({ Name: name, WithDecryption: true }));
    // A plain String parameter would keep the keys unencrypted at rest, readable by anyone with ssm:GetParameter.
    if (Parameter && Parameter.Type !== "SecureString") {
      throw new InternalError(`${MISCONFIGURED}: SSM parameter ${JSON.stringify(name)} must be a SecureString, not a ${Parameter.Type}.`);
    }
    return Parameter?.Value;
  } finally {
    client.destroy();
  }
}
