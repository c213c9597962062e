/**
 * A webhook task's `custom` (placeholders already filled), checked: flytekit's WebhookTask
 * writes `url`, `method`, `headers`, `data`, `show_data`, `show_url` and `timeout_sec`.
 */
import { PythonFloat } from "../../connector/python-json.js";
import { describeValue } from "../../literals/errors.js";
import { isTemplateObject, type TemplateObject, type TemplateValue, templateValueText } from "./template-value.js";

export type WebhookMethod = "GET" | "POST";

export interface WebhookConfig {
  /** An absolute http(s) URL, as the task wrote it. */
  readonly url: string;
  readonly method: WebhookMethod;
  readonly headers: Readonly<Record<string, string>>;
  /**
   * GET sends it as query parameters, POST as a JSON body; null sends neither. Kept as filled, so
   * that a query parameter is Python's str of its value (a float input `2.0`).
   */
  readonly data: TemplateObject | null;
  /** Whether the outputs show the data sent and the URL called. */
  readonly showData: boolean;
  readonly showUrl: boolean;
  readonly timeoutSec: number;
}

/** flytekit's default when `timeout_sec` is not set. */
export const DEFAULT_TIMEOUT_SEC = 10;

/** Throws an Error whose message says which key is wrong and why. */
export function parseWebhookConfig(custom: TemplateObject): WebhookConfig {
  const field = (key: string): TemplateValue | undefined => (Object.hasOwn(custom, key) ? custom[key] : undefined);
  return {
    url: parseUrl(field("url")),
    method: parseMethod(field("method")),
    headers: parseHeaders(field("headers")),
    data: parseData(field("data")),
    showData: parseFlag(field("show_data"), "show_data"),
    showUrl: parseFlag(field("show_url"), "show_url"),
    timeoutSec: parseTimeout(field("timeout_sec")),
  };
}

/**
 * The credentials of the URL's userinfo, which the request sends as Basic authorization: the
 * password, and `user:password` (whose base64 is the header's credential).
 */
export function urlCredentials(url: string): string[] {
  const { username, password } = new URL(url);
  if (password === "") return [];
  const secret = decodeURIComponent(password);
  return [secret, `${decodeURIComponent(username)}:${secret}`];
}

function parseUrl(value: TemplateValue | undefined): string {
  if (value == null || value === "") throw new Error("Webhook task has no url (custom.url).");
  if (typeof value !== "string") throw new Error(`Webhook url must be a string, got ${describe(value)}.`);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Error(`Webhook url is not a valid URL: ${JSON.stringify(value)}.`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new Error(`Webhook url must be http or https, got ${JSON.stringify(value)}.`);
  }
  return value;
}

/** Without a method flytekit posts (WebhookTask's default); the case does not matter. */
function parseMethod(value: TemplateValue | undefined): WebhookMethod {
  if (value == null) return "POST";
  const method = typeof value === "string" ? value.toUpperCase() : undefined;
  if (method === "GET" || method === "POST") return method;
  throw new Error(`Webhook method must be GET or POST, got ${describe(value)}.`);
}

/** Header values are text; a number or boolean is written as Python's str would. */
function parseHeaders(value: TemplateValue | undefined): Record<string, string> {
  if (value == null) return {};
  if (!isTemplateObject(value)) throw new Error(`Webhook headers must be an object, got ${describe(value)}.`);
  return Object.fromEntries(
    Object.entries(value).map(([name, header]) => {
      if (header === null || (typeof header === "object" && !(header instanceof PythonFloat))) {
        throw new Error(`Webhook header ${JSON.stringify(name)} must be a string, got ${describe(header)}.`);
      }
      return [name, templateValueText(header)];
    }),
  );
}

function parseData(value: TemplateValue | undefined): TemplateObject | null {
  if (value == null) return null;
  if (!isTemplateObject(value)) throw new Error(`Webhook data must be an object, got ${describe(value)}.`);
  return value;
}

function parseFlag(value: TemplateValue | undefined, key: string): boolean {
  if (value == null) return false;
  if (typeof value !== "boolean") throw new Error(`Webhook ${key} must be true or false, got ${describe(value)}.`);
  return value;
}

function parseTimeout(value: TemplateValue | undefined): number {
  if (value == null) return DEFAULT_TIMEOUT_SEC;
  const seconds = value instanceof PythonFloat ? value.value : value;
  if (typeof seconds !== "number" || !Number.isFinite(seconds) || seconds <= 0) {
    throw new Error(`Webhook timeout_sec must be a positive number of seconds, got ${describe(value)}.`);
  }
  return seconds;
}

function describe(value: TemplateValue): string {
  return describeValue(value instanceof PythonFloat ? value.value : value);
}
