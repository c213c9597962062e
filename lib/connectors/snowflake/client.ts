/**
 * Snowflake's SQL API v2 (https://docs.snowflake.com/en/developer-guide/sql-api/reference): submit
 * a statement, read its status, cancel it, authenticated with a key-pair JWT. A few HTTPS
 * requests, where the Python connectors open a driver session per call.
 */
import type { CallContext } from "../../connector/connector.js";
import { PlatformClient, type PlatformResponse } from "../../connector/platform-client.js";
import { findSecret, getSecret } from "../../connector/secrets.js";
import { cachedJwt, keyPairOf, PASSPHRASE_SECRET, PRIVATE_KEY_SECRET } from "./jwt.js";
import type { Binding } from "./sql/params.js";

/** Replaces `https://<account>.snowflakecomputing.com`, or the host connection_kwargs name (docs/CONTRACT.md §8). */
export const SNOWFLAKE_ENDPOINT_ENV = "FLYTE_SNOWFLAKE_ENDPOINT";

/** The SQL API requires a User-Agent naming the application. */
const USER_AGENT = "flyte-connectors-serverless/0.1";

/** The body of POST /api/v2/statements that we send. */
export interface StatementRequest {
  readonly statement: string;
  readonly database: string;
  readonly schema: string;
  readonly warehouse: string;
  readonly role?: string;
  readonly bindings?: Readonly<Record<string, Binding>>;
  readonly parameters?: Readonly<Record<string, string>>;
}

/** The fields read of a QueryStatus, QueryFailureStatus or ResultSet answer. */
export interface StatementAnswer {
  readonly code?: string;
  readonly sqlState?: string;
  readonly message?: string;
  readonly statementHandle?: string;
}

type Context = Pick<CallContext, "signal" | "deadline" | "connection">;

export class SnowflakeClient {
  readonly #http: PlatformClient;

  private constructor(http: PlatformClient) {
    this.#http = http;
  }

  /**
   * A client for `user` of `account` at the API's `host` (template.ts apiHost), with the private
   * key (and its passphrase, if any) of the secrets both plugins name: flyte-sdk's connection
   * secrets, flytekit's `_FSEC_` variables and mounted files, or the service's Secrets Manager secret.
   */
  static async connect(account: string, user: string, host: string, context: Context): Promise<SnowflakeClient> {
    const secret = await getSecret(PRIVATE_KEY_SECRET, context);
    const passphrase = (await findSecret(PASSPHRASE_SECRET, context)).value;
    const keys = keyPairOf(secret, passphrase || undefined);
    const http = new PlatformClient({
      platform: "Snowflake",
      baseUrl: process.env[SNOWFLAKE_ENDPOINT_ENV] || `https://${host}`,
      auth: () => ({
        authorization: `Bearer ${cachedJwt(keys, account, user)}`,
        "x-snowflake-authorization-token-type": "KEYPAIR_JWT",
      }),
      errorMessage: snowflakeError,
    });
    return new SnowflakeClient(http);
  }

  /**
   * Submits asynchronously. With a `requestId` the submit may be sent again: Snowflake runs a
   * request id once, and answers a resubmission that says `retry=true` with that statement.
   * 408 and 422 (the statement timed out or failed at once) are answers: their handle lets get
   * report the failure. A resubmission whose statement has finished answers 200 with its result
   * set, read whole (unlike get's): the body is where the statement handle is.
   */
  submit(body: StatementRequest, requestId: string | undefined, context: Context): Promise<PlatformResponse<StatementAnswer>> {
    return this.#http.request<StatementAnswer>(
      {
        method: "POST",
        path: "/api/v2/statements",
        query: { async: true, ...(requestId ? { requestId, retry: true } : {}) },
        headers: { "user-agent": USER_AGENT },
        json: body,
        retry: requestId !== undefined,
        accept: [408, 422],
        action: "submit the statement",
      },
      context,
    );
  }

  /**
   * 200 done (its body, the result set, left unread: `body` undefined), 202 running, 408 timed out,
   * 422 failed (/developer-guide/sql-api/handling-responses).
   */
  status(handle: string, context: Context): Promise<PlatformResponse<StatementAnswer>> {
    return this.#http.request<StatementAnswer>(
      {
        path: `/api/v2/statements/${encodeURIComponent(handle)}`,
        headers: { "user-agent": USER_AGENT },
        accept: [408, 422],
        readBody: unlessResultSet,
        action: "read the statement's status",
      },
      context,
    );
  }

  /** Cancels; a statement already finished (422) or gone (404) is as good as cancelled. */
  async cancel(handle: string, context: Context): Promise<void> {
    await this.#http.request(
      {
        method: "POST",
        path: `/api/v2/statements/${encodeURIComponent(handle)}/cancel`,
        headers: { "user-agent": USER_AGENT },
        retry: true,
        accept: [404, 422],
        action: "cancel the statement",
      },
      context,
    );
  }
}

/**
 * A done statement's 200 carries the first partition of its result set, possibly larger than any
 * limit worth reading; get needs its status only. 202, 408 and 422 are read (422's message and SQL
 * state are the failure's).
 */
const unlessResultSet = (status: number) => status !== 200;

/** Snowflake's error bodies: `{code, message, sqlState, …}`. */
function snowflakeError(body: unknown, text: string): string | undefined {
  if (body && typeof body === "object") {
    const { message, sqlState } = body as StatementAnswer;
    if (typeof message === "string" && message !== "") return sqlState ? `${message} (SQL state ${sqlState})` : message;
  }
  const trimmed = text.trim();
  return trimmed === "" || trimmed.startsWith("<") ? undefined : trimmed;
}
