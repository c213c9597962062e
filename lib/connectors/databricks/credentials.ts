/**
 * Which Databricks credential a call uses. Two kinds: a personal access token (both Python
 * connectors), and OAuth M2M, a service principal's client id and secret exchanged for short-lived
 * tokens (Databricks recommends it over tokens; neither Python connector has it yet).
 *
 * Precedence, most specific first, OAuth before a token where both are at hand:
 * 1. the request's own: a Flyte 2 connection holding `databricks_token` (flyte-sdk's kwarg) and no
 *    client pair uses that token, whatever the deployment has;
 * 2. OAuth M2M: `databricks_client_id` and `databricks_client_secret` (a connection's keys, or env
 *    DATABRICKS_CLIENT_ID/SECRET as Databricks' own tools name them), else
 *    `FLYTE_DATABRICKS_CLIENT_ID` and `FLYTE_DATABRICKS_CLIENT_SECRET`, from any source of getSecret;
 * 3. a token: `databricks_token`, else flytekit's `FLYTE_DATABRICKS_ACCESS_TOKEN`;
 * 4. get and delete only: the token a flytekit 1.16 meta carries, when nothing above is configured,
 *    so that tasks it started can still be followed after a move to this service.
 * An empty value counts as none (flytekit refuses an empty token too).
 *
 * flytekit V2's `custom.databricksTokenSecret` (a Kubernetes secret in the workflow's namespace) is
 * not used: get and delete never see the template, so a run it created could not be followed with
 * the same credential without putting that credential in the meta, which is what this connector
 * refuses to do. flytekit itself falls back to FLYTE_DATABRICKS_ACCESS_TOKEN when that secret is
 * missing, which is what happens here. Per-task credentials come through Flyte 2 connections.
 */
import type { Connection } from "../../connector/connector.js";
import { FailedPreconditionError } from "../../connector/errors.js";
import { findSecret, getSecret } from "../../connector/secrets.js";

export const TOKEN_SECRETS = ["databricks_token", "FLYTE_DATABRICKS_ACCESS_TOKEN"] as const;
export const CLIENT_ID_SECRETS = ["databricks_client_id", "FLYTE_DATABRICKS_CLIENT_ID"] as const;
export const CLIENT_SECRET_SECRETS = ["databricks_client_secret", "FLYTE_DATABRICKS_CLIENT_SECRET"] as const;

export type DatabricksCredential =
  | { readonly kind: "token"; readonly token: string }
  | { readonly kind: "oauth"; readonly clientId: string; readonly clientSecret: string };

export async function databricksCredential(
  context: { readonly connection?: Connection | undefined },
  legacyToken?: string,
): Promise<DatabricksCredential> {
  const own = context.connection?.secrets ?? {};
  if (own["databricks_token"] && !(own["databricks_client_id"] && own["databricks_client_secret"])) {
    return { kind: "token", token: await getSecret("databricks_token", context) };
  }

  const clientId = await firstSet(CLIENT_ID_SECRETS, context);
  const clientSecret = await firstSet(CLIENT_SECRET_SECRETS, context);
  if (clientId.value && clientSecret.value) return { kind: "oauth", clientId: clientId.value, clientSecret: clientSecret.value };
  if (clientId.value || clientSecret.value) {
    const [found, missing] = clientId.value ? ["client id", clientSecret] : ["client secret", clientId];
    throw new FailedPreconditionError(
      `Databricks OAuth is half configured: the service principal's ${found} was found but not its ` +
        `${found === "client id" ? "client secret" : "client id"}; looked in ${missing.lookedIn.join(", ")}.`,
    );
  }

  const token = await firstSet(TOKEN_SECRETS, context);
  if (token.value) return { kind: "token", token: token.value };
  if (legacyToken) return { kind: "token", token: legacyToken };
  throw new FailedPreconditionError(
    `No Databricks credentials: set a personal access token (secret "${TOKEN_SECRETS.join('" or "')}") or a ` +
      `service principal's OAuth client (secrets "${CLIENT_ID_SECRETS.join('" or "')}" and ` +
      `"${CLIENT_SECRET_SECRETS.join('" or "')}"); looked in ${token.lookedIn.join(", ")}.`,
  );
}

/** The first of `names` with a non-empty value in any source, and where the others were looked for. */
async function firstSet(
  names: readonly string[],
  context: { readonly connection?: Connection | undefined },
): Promise<{ value?: string; lookedIn: string[] }> {
  const lookedIn: string[] = [];
  for (const name of names) {
    const found = await findSecret(name, context);
    if (found.value) return { value: found.value, lookedIn };
    lookedIn.push(...found.lookedIn);
  }
  return { lookedIn };
}
