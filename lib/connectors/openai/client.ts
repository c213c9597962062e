/**
 * The OpenAI API through the official `openai` package (imported only here, so only the OpenAI
 * connectors' chunk loads it), bounded by the call's deadline and with every failure classified as
 * PlatformClient classifies its own (docs/CONTRACT.md §10): the task's fault (an unknown model, a prompt
 * over the context length, an exhausted quota) is a FAILED task, a refused key FAILED_PRECONDITION,
 * an API that stays throttled, failing, unreachable or garbled UNAVAILABLE.
 *
 * The package's own retries are off: they sleep whatever a Retry-After asks, deaf to the caller's
 * deadline, and resend a batch create whose answer was lost. The retries here are the package's
 * policy (which statuses, Retry-After and retry-after-ms, x-should-retry) within the deadline.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { APIConnectionError, APIConnectionTimeoutError, APIError, OpenAI } from "openai";
import type { CallContext } from "../../connector/connector.js";
import { ConnectorError, FailedPreconditionError, InvalidArgumentError } from "../../connector/errors.js";
import { isHeaderValue } from "../../connector/header-value.js";
import { networkCause } from "../../connector/network-cause.js";
import { PlatformAuthError, PlatformTaskError, PlatformUnavailableError } from "../../connector/platform-client.js";
import { knownSecrets } from "../../connector/redact.js";
import { attemptTimeout, jitteredBackoff, MAX_WAIT_MS, MIN_ATTEMPT_MS, retryAfterMs, timeLeftFor } from "../../connector/retry-timing.js";
import { getSecret } from "../../connector/secrets.js";

/** flytekit's OPENAI_API_KEY: the secret holding the API key (both OpenAI plugins). */
export const OPENAI_API_KEY_SECRET = "FLYTE_OPENAI_API_KEY";
/** The API's base URL override (docs/CONTRACT.md §8), as the package itself names it. */
export const OPENAI_BASE_URL_ENV = "OPENAI_BASE_URL";

const PLATFORM = "OpenAI";
/** The package's default: two retries. */
const MAX_ATTEMPTS = 3;
/** Per-attempt timeout when the call does not choose one; cut to what is left before the deadline. */
const DEFAULT_ATTEMPT_TIMEOUT_MS = 10_000;
const MAX_MESSAGE_CHARS = 1_000;

/** What one attempt is given: the package's request options. */
export interface AttemptOptions {
  readonly signal: AbortSignal;
  /** Milliseconds until the response headers. */
  readonly timeout: number;
}

export interface OpenAICall<T> {
  /** What the call does, for messages: "create the batch". */
  readonly action: string;
  /** One attempt. */
  readonly send: (api: OpenAI, options: AttemptOptions) => Promise<unknown>;
  /** Whether the answer is what the call expects; anything else is a garbled answer. */
  readonly check: (answer: unknown) => answer is T;
  /**
   * Whether a request whose answer was lost (a timeout, a dropped connection, a 5xx, a garbled
   * answer) may be sent again: yes for reads, cancels and chat completions (a second answer
   * costs tokens and changes nothing), no for creating a batch (a second batch). Throttled
   * (429) and conflicting (409) requests were refused unprocessed and are always sent again.
   */
  readonly resend: boolean;
  /**
   * For a call that may not be resent: finds what a lost attempt did (the batch it created), so
   * the call answers that instead of failing, or is sent again when it did nothing.
   */
  readonly recover?: () => Promise<T | undefined>;
  /** Per-attempt timeout (default 10 s). */
  readonly timeoutMs?: number;
}

/** One attempt's passing failure: retried when the call allows, else reported as UNAVAILABLE. */
interface Transient {
  readonly reason: string;
  /** Whether the request may have been processed without our knowing its answer. */
  readonly lost: boolean;
  readonly httpStatus?: number;
  readonly platformMessage?: string;
  readonly retryAfterMs?: number;
  readonly cause?: unknown;
}

/** The OpenAI API for one call: its key, the task's organization and the call's deadline. */
export class OpenAIClient {
  readonly #api: OpenAI;
  readonly #context: Pick<CallContext, "signal" | "deadline">;

  private constructor(api: OpenAI, context: Pick<CallContext, "signal" | "deadline">) {
    this.#api = api;
    this.#context = context;
  }

  /**
   * A client with the key of secret FLYTE_OPENAI_API_KEY (FAILED_PRECONDITION when no source has
   * it) and `organization` (no OpenAI-Organization header when null). Everything is passed
   * explicitly: the package would otherwise read OPENAI_API_KEY, OPENAI_ORG_ID and
   * OPENAI_PROJECT_ID from the function's environment; only the base URL override is read.
   */
  static async connect(context: CallContext, organization: string | null): Promise<OpenAIClient> {
    // The task's own or a hand-made meta's: fetch's Headers would throw it, an INTERNAL error here.
    if (organization !== null && !isHeaderValue(organization)) {
      throw new InvalidArgumentError("The task's openai_organization cannot be sent: it holds characters an HTTP header cannot carry.");
    }
    const apiKey = await getSecret(OPENAI_API_KEY_SECRET, context);
    // The package would refuse an empty key with an error of its own, an INTERNAL one here.
    if (apiKey.trim() === "") throw new FailedPreconditionError(`Secret "${OPENAI_API_KEY_SECRET}" is empty: it must hold an OpenAI API key.`);
    if (!isHeaderValue(apiKey)) {
      throw new FailedPreconditionError(`Secret "${OPENAI_API_KEY_SECRET}" is not an OpenAI API key: it holds characters an HTTP header cannot carry.`);
    }
    const baseURL = process.env[OPENAI_BASE_URL_ENV] || undefined;
    if (baseURL !== undefined && !isHttpUrl(baseURL)) {
      throw new FailedPreconditionError(`${OPENAI_BASE_URL_ENV} is not an http(s) URL: ${JSON.stringify(baseURL)}.`);
    }
    const api = new OpenAI({
      apiKey,
      organization,
      project: null,
      adminAPIKey: null,
      baseURL,
      maxRetries: 0,
      // Its log would go to the console, past the service's redaction.
      logLevel: "off",
    });
    return new OpenAIClient(api, context);
  }

  /** Runs `call`, retried within the deadline as its `resend` and `recover` allow. */
  async call<T>(call: OpenAICall<T>): Promise<T> {
    let last: Transient | undefined;
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      if (last) {
        const wait = Math.min(last.retryAfterMs ?? jitteredBackoff(attempt - 1), MAX_WAIT_MS);
        if (!timeLeftFor(wait + MIN_ATTEMPT_MS, this.#context.deadline)) break;
        await sleep(wait, undefined, { signal: this.#context.signal }).catch(() => this.#abandon());
        if (last.lost && call.recover) {
          const found = await this.#recover(call, last);
          if (found !== undefined) return found;
        }
      }
      const outcome = await this.#attempt(call);
      if (!isTransient(outcome)) return outcome.answer;
      last = outcome;
      if (outcome.lost && !call.resend && !call.recover) break;
      if (!timeLeftFor(MIN_ATTEMPT_MS, this.#context.deadline)) break;
    }
    throw unavailable(call, last!);
  }

  async #attempt<T>(call: OpenAICall<T>): Promise<{ answer: T } | Transient> {
    const timeout = attemptTimeout(call.timeoutMs ?? DEFAULT_ATTEMPT_TIMEOUT_MS, this.#context.deadline);
    // The package's timeout ends with the headers; this one bounds reading the body too.
    const timer = AbortSignal.timeout(timeout);
    let answer: unknown;
    try {
      answer = await call.send(this.#api, { signal: AbortSignal.any([this.#context.signal, timer]), timeout });
    } catch (error) {
      return this.#transient(call, error, timeout, timer);
    }
    if (call.check(answer)) return { answer };
    return { reason: "answered with something else than the API's object", lost: true };
  }

  /** The failure as a Transient, or thrown when final. */
  #transient(call: OpenAICall<unknown>, error: unknown, timeout: number, timer: AbortSignal): Transient {
    // The caller's deadline or cancellation ends the call; the service answers for it.
    if (this.#context.signal.aborted) this.#abandon(error);
    if (timer.aborted || error instanceof APIConnectionTimeoutError) return { reason: `no answer within ${timeout} ms`, lost: true, cause: error };
    if (error instanceof APIConnectionError) return { reason: `cannot reach it (${networkCause(error)})`, lost: true, cause: error };
    if (error instanceof APIError && error.status !== undefined) return statusFailure(call, error);
    // response.json() of a 2xx answer that is not JSON.
    if (error instanceof SyntaxError) return { reason: "answered with a body that is not JSON", lost: true, cause: error };
    throw error;
  }

  async #recover<T>(call: OpenAICall<T>, last: Transient): Promise<T | undefined> {
    try {
      return await call.recover!();
    } catch (error) {
      if (!(error instanceof ConnectorError)) throw error;
      throw new PlatformUnavailableError(
        `${failureMessage(call, last.reason, last.platformMessage)}, and whether it did is unknown: ${error.message}`,
        PLATFORM,
        last.httpStatus,
        last.platformMessage,
        { cause: error },
      );
    }
  }

  #abandon(error?: unknown): never {
    throw this.#context.signal.reason ?? error;
  }
}

/**
 * An error answer: retried when the package would retry it (408, 409, 429, 5xx, or as
 * x-should-retry says), except an exhausted quota, which is a 429 no wait mends; otherwise thrown
 * as the task's failure (4xx) or the credentials' (401, 403). A 409 is the API's conflict with
 * another request ("try again", its error-codes guide), not the task's fault.
 */
function statusFailure(call: OpenAICall<unknown>, error: APIError): Transient {
  const status = error.status!;
  const platformMessage = apiMessage(error);
  const shouldRetry = error.headers?.get("x-should-retry");
  const quotaExhausted = status === 429 && error.code === "insufficient_quota";
  const retryable = !quotaExhausted && shouldRetry !== "false" && (shouldRetry === "true" || status === 408 || status === 409 || status === 429 || status >= 500);
  if (retryable) {
    // A throttled or conflicting request was refused before any work; any other may have been processed.
    return { reason: `HTTP ${status}`, lost: status !== 429 && status !== 409, httpStatus: status, platformMessage, retryAfterMs: retryAfter(error.headers) };
  }
  const message = `${failureMessage(call, `HTTP ${status}`, platformMessage)}${requestId(error)}`;
  if (status === 401 || status === 403) {
    throw new PlatformAuthError(
      `${message} (check the API key in secret ${OPENAI_API_KEY_SECRET} and the task's openai_organization)`,
      PLATFORM,
      status,
      platformMessage,
    );
  }
  if (status >= 400 && status < 500) throw new PlatformTaskError(message, PLATFORM, status, platformMessage);
  throw new PlatformUnavailableError(message, PLATFORM, status, platformMessage);
}

function unavailable(call: OpenAICall<unknown>, last: Transient): PlatformUnavailableError {
  const note = last.lost && !call.resend ? " (it may have been done all the same)" : "";
  return new PlatformUnavailableError(
    `${failureMessage(call, last.reason, last.platformMessage)}${note}`,
    PLATFORM,
    last.httpStatus,
    last.platformMessage,
    { cause: last.cause },
  );
}

function failureMessage(call: OpenAICall<unknown>, what: string, platformMessage: string | undefined): string {
  return `${PLATFORM} could not ${call.action}: ${what}${platformMessage ? `: ${platformMessage}` : ""}`;
}

/**
 * The API's own message (`{"error": {"message", "type", "param", "code"}}`), with its code, with
 * any secret and anything shaped like an API key masked: a 401 quotes the key it refused.
 */
function apiMessage(error: APIError): string | undefined {
  const body = error.error as { message?: unknown } | undefined;
  let message: string | undefined;
  if (typeof body?.message === "string" && body.message !== "") message = body.message;
  else if (body !== undefined) message = JSON.stringify(body);
  else if (!/^\d{3} status code \(no body\)$/.test(error.message)) message = error.message.replace(/^\d{3} /, "");
  if (message === undefined) return undefined;
  if (typeof error.code === "string" && error.code !== "" && !message.includes(error.code)) message = `${message} (${error.code})`;
  return knownSecrets.text(message).replace(API_KEY_SHAPE, "sk-[redacted]").slice(0, MAX_MESSAGE_CHARS);
}

/** OpenAI's key formats: sk-..., sk-proj-..., sk-svcacct-..., sk-admin-... (the API masks them with *). */
const API_KEY_SHAPE = /\bsk-[A-Za-z0-9_*-]{4,}/g;

function requestId(error: APIError): string {
  return error.requestID ? ` (request ${error.requestID})` : "";
}

function isHttpUrl(value: string): boolean {
  try {
    return /^https?:$/.test(new URL(value).protocol);
  } catch {
    return false;
  }
}

function isTransient<T>(outcome: { answer: T } | Transient): outcome is Transient {
  return "reason" in outcome;
}

/** The package's reading: retry-after-ms first, then Retry-After in seconds or as a date. */
function retryAfter(headers: Headers | undefined): number | undefined {
  const ms = Number.parseFloat(headers?.get("retry-after-ms") ?? "");
  return Number.isFinite(ms) && ms >= 0 ? ms : retryAfterMs(headers);
}
