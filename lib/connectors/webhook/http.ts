/**
 * The HTTP call of a webhook task, as flytekit's httpx client makes it: GET with the data as
 * query parameters, POST with the data as a JSON body, redirects not followed, and a connection
 * of its own (flytekit opens a client per call). Unlike httpx, the answer's size is bounded and
 * the Lambda's own endpoints are refused (lib/connector/forbidden-host.ts).
 */
import { errorMessage } from "../../connector/errors.js";
import { PythonFloat, toPythonJson } from "../../connector/python-json.js";
import { ForbiddenAddressError, forbiddenAddressGuard, forbiddenHost } from "../../connector/forbidden-host.js";
import { exchange } from "../../connector/http-exchange.js";
import { networkCause } from "../../connector/network-cause.js";
import { MAX_TIMER_MS } from "../../limits.js";
import type { WebhookConfig } from "./config.js";
import { isTemplateObject, type TemplateValue, templateValueJson, templateValueText } from "./template-value.js";

/**
 * The largest answer read. It goes back whole, in `info` or in the failure message, in an answer
 * that must fit Lambda's 6 MB payload and FlytePropeller's 4 MB gRPC message, with room left for
 * the `input_data` it may show.
 */
export const MAX_RESPONSE_BYTES = 1024 * 1024;

export interface WebhookResponse {
  readonly status: number;
  readonly text: string;
}

/**
 * Sends the request and reads the whole answer within `config.timeoutSec`, or until `signal`
 * aborts. Any status is an answer; a timeout, a cancellation or a connection failure throws an
 * Error with a readable message.
 */
export async function sendWebhook(config: WebhookConfig, signal: AbortSignal): Promise<WebhookResponse> {
  const url = new URL(config.url);
  const refused = (why = "") => new Error(`Webhook url ${JSON.stringify(config.url)} names a host the connector may not call${why}.`);
  if (forbiddenHost(url)) throw refused();
  const timeout = AbortSignal.timeout(Math.min(Math.ceil(config.timeoutSec * 1000), MAX_TIMER_MS));
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(config.headers)) headers[name.toLowerCase()] = value;
  let body: string | undefined;
  if (config.method === "GET") {
    for (const [name, value] of Object.entries(config.data ?? {})) {
      // httpx merges params into the URL's query: a data key replaces the URL's parameter.
      url.searchParams.delete(name);
      appendQuery(url.searchParams, name, value);
    }
  } else if (config.data !== null) {
    body = jsonBody(config.data);
    headers["content-type"] ??= "application/json";
  }
  // No connection is kept for the next call: Lambda freezes the process between invocations, and
  // a pooled connection the server or a NAT closed meanwhile would fail that call (a POST cannot
  // be retried), where a new connection costs one handshake.
  headers["connection"] = "close";
  try {
    // Not following redirects (exchange never does) keeps the headers (credentials) from being sent to another host.
    const response = await exchange({
      method: config.method,
      url,
      headers,
      body,
      signal: AbortSignal.any([signal, timeout]),
      maxBodyBytes: MAX_RESPONSE_BYTES,
      lookup: forbiddenAddressGuard(url),
    });
    return { status: response.status, text: response.text };
  } catch (error) {
    if (error instanceof ForbiddenAddressError) throw refused(` (${error.message})`);
    if (timeout.aborted) throw new Error(`Webhook request timed out after ${config.timeoutSec} seconds.`);
    if (signal.aborted) throw new Error(`Webhook request was cancelled: ${errorMessage(signal.reason)}`);
    throw new Error(`Webhook request failed: ${networkCause(error)}`, { cause: error });
  }
}

/**
 * httpx's query encoding: a list repeats the name, null is empty, booleans are lower case, and
 * other values are Python's str (`2.0`, `1e-05`).
 */
function appendQuery(params: URLSearchParams, name: string, value: TemplateValue): void {
  if (Array.isArray(value)) {
    for (const item of value) appendQuery(params, name, item);
  } else if (value === null) {
    params.append(name, "");
  } else if (typeof value === "boolean") {
    params.append(name, String(value));
  } else {
    params.append(name, isTemplateObject(value) ? JSON.stringify(templateValueJson(value)) : templateValueText(value));
  }
}

/**
 * httpx's `json=` body (flytekit/extras/webhook/connector.py posts `json=data`): json.dumps of the
 * data, so an int stays an int at any size and a float a float (`2.0`), as a Python server reading
 * it would see them. httpx >= 0.28 refuses NaN and infinities (allow_nan=False): so do we, rather
 * than send JSON no parser takes.
 */
function jsonBody(data: TemplateValue): string {
  const nonFinite = findNonFinite(data);
  if (nonFinite !== undefined) throw new Error(`Out of range float values are not JSON compliant: ${nonFinite}`);
  return toPythonJson(data);
}

function findNonFinite(value: TemplateValue): string | undefined {
  const number = value instanceof PythonFloat ? value.value : value;
  if (typeof number === "number") return Number.isFinite(number) ? undefined : templateValueText(number);
  if (Array.isArray(value)) return value.map(findNonFinite).find((found) => found !== undefined);
  if (isTemplateObject(value)) return Object.values(value).map(findNonFinite).find((found) => found !== undefined);
  return undefined;
}
