/**
 * Google credentials for the connectors that call Google APIs (BigQuery; the file sensor's `gs://`
 * paths), through google-auth-library. One secret, `google_application_credentials`, looked for
 * as every connector secret is (docs/CONTRACT.md §9): the call's connection (Flyte 2: the key's JSON,
 * as flyte-sdk's BigQuery connector takes it), env `_FSEC_GOOGLE_APPLICATION_CREDENTIALS`, env
 * `GOOGLE_APPLICATION_CREDENTIALS` (Application Default Credentials: the path of a credentials
 * file, or the JSON itself), the file /etc/secrets/google_application_credentials, the Secrets
 * Manager secret. It holds a service-account key, or an external-account (workload identity
 * federation) config, which is how a Lambda reaches GCP with no key at all.
 *
 * ADC's other sources are not tried: gcloud's well-known file and the GCE metadata server do not
 * exist in a Lambda, and probing the metadata server costs seconds of a short deadline.
 */
import { readFile } from "node:fs/promises";
// The self-signed-JWT signer alone, not the package's index nor its JWT client (which loads the
// OAuth client, gaxios and gcp-metadata): a service-account key, the common case, loads a small
// part of google-auth-library; the other credential types load the rest on first use.
import { JWTAccess } from "google-auth-library/build/src/auth/jwtaccess.js";
import type { CallContext } from "../../connector/connector.js";
import { ConnectorError, FailedPreconditionError, UnavailableError, errorMessage } from "../../connector/errors.js";
import { knownSecrets } from "../../connector/redact.js";
import { findSecret } from "../../connector/secrets.js";

export const GOOGLE_CREDENTIALS_SECRET = "google_application_credentials";
/** ADC's variable; findSecret also reads it, as the secret's upper-cased name. */
const ADC_ENV = "GOOGLE_APPLICATION_CREDENTIALS";
/** Each token request's timeout (an STS exchange, an impersonation); a shorter call deadline is the service's to enforce. */
const TOKEN_TIMEOUT_MS = 5_000;
/** Clients kept per container: each caches its token until it expires. */
const MAX_CACHED_CLIENTS = 8;

/** The credential types google-auth-library authenticates on its own (a service-account key is ours). */
const LIBRARY_TYPES = new Set([
  "external_account",
  "external_account_authorized_user",
  "authorized_user",
  "impersonated_service_account",
]);

type Context = Pick<CallContext, "connection">;

/** What signs a request: google-auth-library's clients, or its JWTAccess for a service-account key. */
interface Authenticator {
  getRequestHeaders(url?: string): Promise<Headers> | Headers;
}

const authenticators = new Map<string, Authenticator>();

/**
 * The request headers that authenticate a call to a Google API under `scopes` (`authorization`,
 * and `x-goog-user-project` when the credentials name a quota project). `url` is the API's, for
 * credentials that sign per audience. Throws FAILED_PRECONDITION when no credentials are set or
 * Google refuses them, UNAVAILABLE when a token service cannot be reached.
 */
export async function googleAuthHeaders(
  scopes: readonly string[],
  context: Context,
  url?: string,
): Promise<Record<string, string>> {
  const authenticator = await googleAuthenticator(scopes, context);
  try {
    return Object.fromEntries(await authenticator.getRequestHeaders(url));
  } catch (error) {
    throw credentialFailure(error);
  }
}

/**
 * The authenticator for `scopes` and the credentials the call's context leads to, kept across
 * calls so its token is reused. Its own failures (a token refused or unreachable) are
 * google-auth-library's errors: googleAuthHeaders classifies them.
 */
async function googleAuthenticator(scopes: readonly string[], context: Context): Promise<Authenticator> {
  const { text, fromConnection } = await credentials(context);
  const key = `${scopes.join(" ")}\n${fromConnection}\n${text}`;
  const cached = authenticators.get(key);
  if (cached) return cached;
  const authenticator = await newAuthenticator(parseCredentials(text), scopes, fromConnection);
  if (authenticators.size >= MAX_CACHED_CLIENTS) authenticators.delete(authenticators.keys().next().value!);
  authenticators.set(key, authenticator);
  return authenticator;
}

/**
 * The credentials JSON: the secret's value, or the file GOOGLE_APPLICATION_CREDENTIALS names; and
 * whether it is the call's connection's, which a task author fills.
 */
async function credentials(context: Context): Promise<{ text: string; fromConnection: boolean }> {
  const found = await findSecret(GOOGLE_CREDENTIALS_SECRET, context);
  if (found.value === undefined) {
    throw new FailedPreconditionError(
      `No Google credentials: set the secret "${GOOGLE_CREDENTIALS_SECRET}" to a service-account key or a workload ` +
        `identity federation config (JSON), or ${ADC_ENV} to the path of one; looked in ${found.lookedIn.join(", ")}.`,
    );
  }
  const fromConnection = context.connection?.secrets[GOOGLE_CREDENTIALS_SECRET] !== undefined;
  if (found.value.trimStart().startsWith("{")) return { text: found.value, fromConnection };
  // Only the deployment's own environment may name a file: a task's connection may not read ours.
  if (fromConnection || found.value !== process.env[ADC_ENV]) {
    throw new FailedPreconditionError(`The secret "${GOOGLE_CREDENTIALS_SECRET}" is not a credentials JSON object.`);
  }
  let text: string;
  try {
    text = await readFile(found.value, "utf8");
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    throw new FailedPreconditionError(`${ADC_ENV} names a credentials file that cannot be read (${String(code ?? "error")}).`);
  }
  knownSecrets.add(text);
  return { text, fromConnection: false };
}

interface CredentialsJson {
  readonly type?: unknown;
  readonly client_email?: unknown;
  readonly private_key?: unknown;
  readonly private_key_id?: unknown;
  readonly [key: string]: unknown;
}

/** The credentials object; the message never quotes the text (it may hold a private key). */
function parseCredentials(text: string): CredentialsJson {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new FailedPreconditionError(`The Google credentials ("${GOOGLE_CREDENTIALS_SECRET}" or ${ADC_ENV}) are not a JSON object.`);
  }
  return parsed as CredentialsJson;
}

/**
 * A service-account key signs its own tokens; the other types are google-auth-library's clients.
 * Those act on what their config says: read a file or a URL for the subject token, sign a request
 * with the function's AWS role, post to the config's token_url. So they come only from the
 * deployment's own sources, never from a task's connection, which may hold only a key (as
 * flyte-sdk's connector takes it: service_account.Credentials.from_service_account_info).
 */
async function newAuthenticator(json: CredentialsJson, scopes: readonly string[], fromConnection: boolean): Promise<Authenticator> {
  if (json.type === "service_account") return selfSignedJwt(json, scopes);
  if (typeof json.type === "string" && LIBRARY_TYPES.has(json.type)) {
    if (fromConnection) {
      throw new FailedPreconditionError(
        `The connection's "${GOOGLE_CREDENTIALS_SECRET}" has type "${json.type}": a task's connection may hold only a ` +
          `service-account key. Give a federation or impersonation config to the deployment instead (${ADC_ENV}, ` +
          `_FSEC_${GOOGLE_CREDENTIALS_SECRET.toUpperCase()}, the secrets file or Secrets Manager).`,
      );
    }
    // The config's own token_url (and service_account_impersonation_url) are honoured.
    const { GoogleAuth } = await import("google-auth-library");
    const options = { transporterOptions: { timeout: TOKEN_TIMEOUT_MS } };
    try {
      return new GoogleAuth({ scopes: [...scopes] }).fromJSON(json as Parameters<InstanceType<typeof GoogleAuth>["fromJSON"]>[0], options);
    } catch (error) {
      // A config the library cannot use (no credential_source, no source_credentials, …).
      throw credentialFailure(error);
    }
  }
  const known = ["service_account", ...LIBRARY_TYPES].join(", ");
  throw new FailedPreconditionError(`The Google credentials have type ${JSON.stringify(json.type ?? null)}; supported: ${known}.`);
}

/**
 * A service-account key as a self-signed JWT carrying the scopes, which Google APIs accept as an
 * access token: google-auth-library's token exchange posts to a fixed Google URL (the key's
 * token_uri is ignored), and this needs no round trip at all. It is what the library's JWT client
 * does with `useJWTAccessWithScope` (jwtclient.js, getRequestMetadataAsync): the same JWTAccess,
 * called with the URL and the scopes, its tokens cached for their hour.
 */
function selfSignedJwt(json: CredentialsJson, scopes: readonly string[]): Authenticator {
  const { client_email: email, private_key: key, private_key_id: keyId } = json;
  if (typeof email !== "string" || typeof key !== "string" || email === "" || key === "") {
    throw new FailedPreconditionError("The Google service-account key lacks client_email or private_key.");
  }
  knownSecrets.add(key);
  const access = new JWTAccess(email, key, typeof keyId === "string" ? keyId : undefined);
  return { getRequestHeaders: (url) => access.getRequestHeaders(url, undefined, [...scopes]) };
}

/**
 * A google-auth-library failure as the call's answer: refused credentials FAILED_PRECONDITION, a
 * token service down or unreachable UNAVAILABLE, credentials that cannot be used at all (a key
 * that does not sign, a federation config missing a field) FAILED_PRECONDITION.
 */
function credentialFailure(error: unknown): ConnectorError {
  if (error instanceof ConnectorError) return error;
  const record = (typeof error === "object" && error !== null ? error : {}) as { response?: { status?: unknown }; config?: unknown };
  const status = typeof record.response?.status === "number" ? record.response.status : undefined;
  const message = knownSecrets.text(errorMessage(error));
  if (status !== undefined && (status === 429 || status >= 500)) {
    return new UnavailableError(`Google's token service failed (HTTP ${status}): ${message}; try again.`);
  }
  if (status !== undefined) return new FailedPreconditionError(`Google refused the credentials (HTTP ${status}): ${message}`);
  // A request that got no answer carries its config; anything else failed here, before any request.
  if (record.config !== undefined) return new UnavailableError(`Google's token service cannot be reached: ${message}; try again.`);
  return new FailedPreconditionError(`The Google credentials cannot be used: ${message}`);
}
