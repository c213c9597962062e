/**
 * Outbound HTTP for connectors: one JSON request to a platform's API, within the call's deadline,
 * retried with jittered backoff where a retry is safe, and every failure classified so that the
 * service answers it right (docs/CONTRACT.md §10): the task's own fault is a FAILED task, a credential or
 * setting is FAILED_PRECONDITION, a platform that stays throttled or down is UNAVAILABLE. No
 * credential ever reaches a message: the auth headers' credentials (sensitive-headers.ts) join the
 * redaction set.
 */
import type { CallContext, MaybePromise } from "./connector.js";
import { FailedPreconditionError, TaskFailedError, UnavailableError } from "./errors.js";
import { isHeaderValue } from "./header-value.js";
import { exchange, type HttpAnswer, ResponseHeaders, ResponseTooLargeError } from "./http-exchange.js";
import { networkCause } from "./network-cause.js";
import { knownSecrets } from "./redact.js";
import { sensitiveHeaderValues } from "./sensitive-headers.js";
import { attemptTimeout, type Backoff, jitteredBackoff, MAX_WAIT_MS, MIN_ATTEMPT_MS, retryAfterMs, timeLeftFor } from "./retry-timing.js";

export type HttpMethod = "GET" | "POST" | "PUT" | "PATCH" | "DELETE" | "HEAD";

export interface PlatformClientOptions {
  /** The platform's name for messages, e.g. "Databricks". */
  readonly platform: string;
  /** Base URL the request paths are relative to, e.g. `https://adb-1.azuredatabricks.net`. */
  readonly baseUrl: string;
  /** Headers that authenticate a request, asked for each attempt (so a refreshed token is used). */
  readonly auth?: () => MaybePromise<Readonly<Record<string, string>>>;
  /** Per-attempt timeout (default 10 s), cut to what is left before the call's deadline. */
  readonly timeoutMs?: number;
  /** Attempts for a request that may be retried (default 4). */
  readonly maxAttempts?: number;
  /** First backoff and its cap, before jitter (default 250 ms and 4 s). */
  readonly backoffMs?: Backoff;
  /** The platform's message in an error answer's body; the default knows the common shapes. */
  readonly errorMessage?: (body: unknown, text: string) => string | undefined;
  /**
   * Whether an error answer besides 429 and 5xx means "not now" on this platform (BigQuery answers
   * its rate limits with 403): retried as those are where a retry is safe, then UNAVAILABLE.
   */
  readonly transient?: (status: number, body: unknown) => boolean;
  /**
   * Reads an answer's JSON (default JSON.parse, which rounds integers past 2^53): parsePythonJson
   * for a platform whose int64 ids must stay exact, as Python's json.loads keeps them.
   */
  readonly parseJson?: (text: string) => unknown;
}

export interface PlatformRequest {
  readonly method?: HttpMethod;
  /** Relative to the base URL (a leading `/` is kept after the base URL's own path). */
  readonly path: string;
  readonly query?: Readonly<Record<string, string | number | boolean | undefined>>;
  readonly headers?: Readonly<Record<string, string>>;
  /** Sent as application/json. */
  readonly json?: unknown;
  /** Sent as is (with a content-type header of the caller's). */
  readonly body?: string;
  /**
   * Whether the request may be sent again: reads, cancels, and submits that carry an idempotency
   * key. Default: yes for GET, HEAD, PUT and DELETE; no for POST and PATCH.
   */
  readonly retry?: boolean;
  /** Statuses answered as results rather than errors, e.g. 404 on a cancel. */
  readonly accept?: readonly number[];
  /**
   * Whether the body of an answer with this status is wanted (default: yes). One that is not is
   * left unread, however large, and answered as `body` undefined: for a success whose payload
   * the caller has no use for. An error's body holds the platform's message: keep it wanted.
   */
  readonly readBody?: (status: number) => boolean;
  /** What the request does, for messages: "submit the run". */
  readonly action: string;
}

export interface PlatformResponse<T = unknown> {
  readonly status: number;
  readonly headers: ResponseHeaders;
  /** The parsed JSON body, or undefined when the body is empty or left unread (`readBody`). */
  readonly body: T;
}

/** What every platform error carries besides its gRPC status. */
export interface PlatformFailure {
  readonly platform: string;
  /** The HTTP status, when the platform answered one (`| undefined`: for exactOptionalPropertyTypes users). */
  readonly httpStatus?: number | undefined;
  /** The platform's own message, when it gave one (never a credential). */
  readonly platformMessage?: string | undefined;
}

/** The platform refused the task itself (a 4xx other than auth): a FAILED task. */
export class PlatformTaskError extends TaskFailedError implements PlatformFailure {
  static override readonly errorName: string = "PlatformTaskError";
  constructor(
    message: string,
    readonly platform: string,
    readonly httpStatus: number,
    readonly platformMessage: string | undefined,
  ) {
    super(message);
  }
}

/** The platform refused the credentials (401, 403): FAILED_PRECONDITION. */
export class PlatformAuthError extends FailedPreconditionError implements PlatformFailure {
  static override readonly errorName: string = "PlatformAuthError";
  constructor(
    message: string,
    readonly platform: string,
    readonly httpStatus: number,
    readonly platformMessage: string | undefined,
  ) {
    super(message);
  }
}

/** The platform stayed throttled, failing, unreachable or garbled after the retries: UNAVAILABLE. */
export class PlatformUnavailableError extends UnavailableError implements PlatformFailure {
  static override readonly errorName: string = "PlatformUnavailableError";
  constructor(
    message: string,
    readonly platform: string,
    readonly httpStatus?: number,
    readonly platformMessage?: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** Statuses worth another attempt: throttling and a platform's passing faults. */
const RETRYABLE_STATUS = new Set([429, 500, 502, 503, 504]);
const MAX_MESSAGE_CHARS = 1000;

/** One attempt's transient failure: retried when allowed, else reported as UNAVAILABLE. */
interface Transient {
  readonly reason: string;
  readonly httpStatus?: number;
  readonly platformMessage?: string;
  readonly retryAfterMs?: number;
  readonly cause?: unknown;
}

export class PlatformClient {
  readonly platform: string;
  readonly #options: PlatformClientOptions;

  constructor(options: PlatformClientOptions) {
    this.platform = options.platform;
    this.#options = options;
  }

  async request<T = unknown>(request: PlatformRequest, context: Pick<CallContext, "signal" | "deadline">): Promise<PlatformResponse<T>> {
    const method = request.method ?? "GET";
    const retry = request.retry ?? !(method === "POST" || method === "PATCH");
    const attempts = retry ? (this.#options.maxAttempts ?? 4) : 1;
    let last: Transient | undefined;
    let made = 0;
    while (made < attempts) {
      if (last) {
        const wait = Math.min(last.retryAfterMs ?? jitteredBackoff(made, this.#options.backoffMs), MAX_WAIT_MS);
        if (!timeLeftFor(wait + MIN_ATTEMPT_MS, context.deadline)) break;
        await sleep(wait, context.signal);
      }
      const outcome = await this.#attempt<T>(method, request, context);
      made += 1;
      if (!("reason" in outcome)) return outcome;
      last = outcome;
      if (!timeLeftFor(MIN_ATTEMPT_MS, context.deadline)) break;
    }
    throw this.#unavailable(request, last!, made);
  }

  async #attempt<T>(
    method: HttpMethod,
    request: PlatformRequest,
    context: Pick<CallContext, "signal" | "deadline">,
  ): Promise<PlatformResponse<T> | Transient> {
    const timeoutMs = attemptTimeout(this.#options.timeoutMs ?? 10_000, context.deadline);
    const timeout = AbortSignal.timeout(timeoutMs);
    const headers: Record<string, string> = { accept: "application/json" };
    for (const [name, value] of Object.entries(request.headers ?? {})) headers[name.toLowerCase()] = value;
    const auth = (await this.#options.auth?.()) ?? {};
    for (const credential of sensitiveHeaderValues(auth)) knownSecrets.addPassing(credential);
    for (const [name, value] of Object.entries(auth)) {
      if (!isHeaderValue(value)) {
        throw new FailedPreconditionError(`The ${this.platform} credentials cannot be sent: they hold characters an HTTP header cannot carry.`);
      }
      headers[name.toLowerCase()] = value;
    }
    let body = request.body;
    if (request.json !== undefined) {
      body = JSON.stringify(request.json);
      headers["content-type"] ??= "application/json";
    }
    let response: HttpAnswer;
    try {
      // Redirects are not followed: the auth headers must not go to another host.
      response = await exchange({ method, url: this.#url(request), headers, body, signal: AbortSignal.any([context.signal, timeout]), readBody: request.readBody });
    } catch (error) {
      // The caller's deadline or cancellation ends the call; the service answers for it.
      if (context.signal.aborted) throw context.signal.reason ?? error;
      if (timeout.aborted) return { reason: `no answer within ${timeoutMs} ms`, cause: error };
      if (error instanceof ResponseTooLargeError) throw new PlatformUnavailableError(this.#message(request, error.message, undefined), this.platform);
      return { reason: `cannot reach it (${networkCause(error)})`, cause: error };
    }
    const text = response.text;
    const parsed = parseJson(text, this.#options.parseJson ?? JSON.parse);
    const ok = (response.status >= 200 && response.status < 300) || request.accept?.includes(response.status);
    if (ok) {
      if (parsed.malformed) return { reason: `answered ${response.status} with a body that is not JSON`, httpStatus: response.status };
      return { status: response.status, headers: response.headers, body: parsed.value as T };
    }
    const platformMessage = this.#platformMessage(parsed.value, text);
    if (RETRYABLE_STATUS.has(response.status) || this.#options.transient?.(response.status, parsed.value)) {
      return { reason: `HTTP ${response.status}`, httpStatus: response.status, platformMessage, retryAfterMs: retryAfterMs(response.headers) };
    }
    const message = this.#message(request, `HTTP ${response.status}`, platformMessage);
    if (response.status === 401 || response.status === 403) {
      throw new PlatformAuthError(`${message} (check the credentials and their permissions)`, this.platform, response.status, platformMessage);
    }
    if (response.status >= 400 && response.status < 500) {
      throw new PlatformTaskError(message, this.platform, response.status, platformMessage);
    }
    // Anything else (a 3xx left unfollowed, a 501, an odd 5xx) says the platform cannot serve this.
    throw new PlatformUnavailableError(message, this.platform, response.status, platformMessage);
  }

  #url(request: PlatformRequest): URL {
    const base = this.#options.baseUrl.replace(/\/+$/, "");
    const url = new URL(`${base}${request.path.startsWith("/") ? "" : "/"}${request.path}`);
    for (const [name, value] of Object.entries(request.query ?? {})) {
      if (value !== undefined) url.searchParams.set(name, String(value));
    }
    return url;
  }

  #platformMessage(body: unknown, text: string): string | undefined {
    const found = (this.#options.errorMessage ?? defaultErrorMessage)(body, text);
    return found === undefined ? undefined : knownSecrets.text(found).slice(0, MAX_MESSAGE_CHARS);
  }

  #message(request: PlatformRequest, what: string, platformMessage: string | undefined): string {
    return `${this.platform} could not ${request.action}: ${what}${platformMessage ? `: ${platformMessage}` : ""}`;
  }

  #unavailable(request: PlatformRequest, last: Transient, attempts: number): PlatformUnavailableError {
    const tries = attempts > 1 ? ` (after ${attempts} attempts)` : "";
    return new PlatformUnavailableError(
      `${this.#message(request, last.reason, last.platformMessage)}${tries}`,
      this.platform,
      last.httpStatus,
      last.platformMessage,
      { cause: last.cause },
    );
  }
}

/** The message of the common error bodies: `{message}`, `{error: {message}}`, `{error, error_description}`, or short text. */
export function defaultErrorMessage(body: unknown, text: string): string | undefined {
  if (body && typeof body === "object") {
    const record = body as Record<string, unknown>;
    const nested = record["error"];
    const candidates = [
      record["message"],
      nested && typeof nested === "object" ? (nested as Record<string, unknown>)["message"] : undefined,
      record["error_description"],
      typeof nested === "string" ? nested : undefined,
      record["detail"],
    ];
    const found = candidates.find((candidate): candidate is string => typeof candidate === "string" && candidate !== "");
    if (found !== undefined) return found;
  }
  const trimmed = text.trim();
  return trimmed === "" ? undefined : trimmed;
}

/** A credential header's value, and the token inside a `Bearer`/`Basic` one, are secrets. */

function parseJson(text: string, parse: (text: string) => unknown): { value?: unknown; malformed?: true } {
  if (text.trim() === "") return {};
  try {
    return { value: parse(text) };
  } catch {
    return { malformed: true };
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal.addEventListener("abort", onAbort, { once: true });
  });
}
