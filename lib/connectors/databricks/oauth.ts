/**
 * OAuth M2M for a Databricks workspace: a service principal's client id and secret exchanged at
 * the workspace's token endpoint for an access token ("Manually generate a workspace-level access
 * token", https://docs.databricks.com/aws/en/dev-tools/auth/oauth-m2m):
 *
 *   POST https://<instance>/oidc/v1/token   (HTTP Basic: client id and secret)
 *   grant_type=client_credentials&scope=all-apis
 *   -> {"access_token": "...", "token_type": "Bearer", "expires_in": 3600}
 *
 * Tokens live an hour; each is kept per workspace and client until a minute before it expires,
 * so a warm function asks for one about once an hour, not on every call.
 */
import { createHash } from "node:crypto";
import type { CallContext } from "../../connector/connector.js";
import { FailedPreconditionError, UnavailableError } from "../../connector/errors.js";
import { PlatformAuthError, PlatformClient, PlatformTaskError } from "../../connector/platform-client.js";
import { knownSecrets } from "../../connector/redact.js";

export interface ClientCredentials {
  readonly clientId: string;
  readonly clientSecret: string;
}

/** How long before its expiry a token is replaced, so that none expires during a call. */
const EXPIRY_MARGIN_MS = 60_000;
/** Databricks' documented lifetime, for an answer without expires_in. */
const DEFAULT_LIFETIME_S = 3600;

interface CachedToken {
  readonly token: string;
  readonly renewAt: number;
}

const cache = new Map<string, CachedToken>();

/** An access token for `client` at the workspace `baseUrl`: the cached one while it is fresh, else a new one. */
export async function oauthAccessToken(
  baseUrl: string,
  client: ClientCredentials,
  context: Pick<CallContext, "signal" | "deadline">,
  errorMessage: (body: unknown, text: string) => string | undefined,
): Promise<string> {
  const key = cacheKey(baseUrl, client);
  const cached = cache.get(key);
  if (cached && Date.now() < cached.renewAt) return cached.token;
  cache.delete(key);

  const basic = Buffer.from(`${client.clientId}:${client.clientSecret}`, "utf8").toString("base64");
  const http = new PlatformClient({ platform: "Databricks", baseUrl, auth: () => ({ authorization: `Basic ${basic}` }), errorMessage });
  let body: unknown;
  try {
    ({ body } = await http.request(
      {
        method: "POST",
        path: "/oidc/v1/token",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ grant_type: "client_credentials", scope: "all-apis" }).toString(),
        // Asking for a token changes nothing on the platform.
        retry: true,
        action: "issue an OAuth token for the service principal",
      },
      context,
    ));
  } catch (error) {
    // An OAuth error (invalid_client, a disabled principal) is a credential problem, not the task's;
    // and not a refused API token either, which the client would replace by asking again.
    if (error instanceof PlatformTaskError || error instanceof PlatformAuthError) {
      const reason = error.message.replace(/ \(check the credentials.*\)$/, "");
      throw new FailedPreconditionError(`${reason} (check the service principal's client id and secret)`);
    }
    throw error;
  }
  const { access_token: token, expires_in: expiresIn } = (body ?? {}) as { access_token?: unknown; expires_in?: unknown };
  if (typeof token !== "string" || token === "") {
    throw new UnavailableError("Databricks answered the OAuth token request without an access_token.");
  }
  knownSecrets.addPassing(token);
  const lifetimeS = typeof expiresIn === "number" && Number.isFinite(expiresIn) ? expiresIn : DEFAULT_LIFETIME_S;
  cache.set(key, { token, renewAt: Date.now() + lifetimeS * 1000 - EXPIRY_MARGIN_MS });
  return token;
}

/** Forgets the token of `client` at `baseUrl`, e.g. after the workspace refused it. */
export function forgetAccessToken(baseUrl: string, client: ClientCredentials): void {
  cache.delete(cacheKey(baseUrl, client));
}

/** Forgets every token (tests). */
export function clearAccessTokens(): void {
  cache.clear();
}

// Hashed with the secret, so that a rotated secret gets a token of its own and no key holds a secret.
function cacheKey(baseUrl: string, client: ClientCredentials): string {
  return createHash("sha256").update(`${baseUrl}\0${client.clientId}\0${client.clientSecret}`).digest("hex");
}
