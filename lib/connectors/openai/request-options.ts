/**
 * The keyword arguments openai-python takes beside the API's fields, which a task's config reaches
 * too: flytekit calls `create(**config)`, so `extra_body`, `extra_headers`, `extra_query` and
 * `timeout` (seconds) are the request's options, never fields of its body (openai-python
 * resources/chat/completions, resources/batches.py `create`; `_base_client._build_request` merges
 * `extra_body` over the body, key by key). Sent as fields, the API refuses them.
 */
import { InvalidArgumentError } from "../../connector/errors.js";
import { isHeaderValue } from "../../connector/header-value.js";
import type { JsonObject, JsonValue } from "../../literals/index.js";

export interface RequestOptions {
  readonly headers?: Readonly<Record<string, string>>;
  readonly query?: JsonObject;
  /** Per attempt, from `timeout`. */
  readonly timeoutMs?: number;
}

const OPTION_KEYS = ["extra_body", "extra_headers", "extra_query", "timeout"];
/** RFC 9110's token: what a header name may hold. */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/**
 * The request of `config` (its custom key, named by `where` in messages) with the connector's
 * `own` fields: the body is the config's fields, then `own`, then extra_body over both.
 */
export function openAIRequest(config: JsonObject, where: string, own: JsonObject): { body: JsonObject; options: RequestOptions } {
  const fields = Object.fromEntries(Object.entries(config).filter(([key]) => !OPTION_KEYS.includes(key)));
  const extraBody = optionalObject(config["extra_body"], `${where}.extra_body`);
  const query = optionalObject(config["extra_query"], `${where}.extra_query`);
  const headers = optionalObject(config["extra_headers"], `${where}.extra_headers`);
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (!HEADER_NAME.test(name) || typeof value !== "string" || !isHeaderValue(value)) {
      throw new InvalidArgumentError(`${where}.extra_headers: ${JSON.stringify(name)} is not a header of text.`);
    }
  }
  const timeout = config["timeout"] ?? null;
  if (timeout !== null && (typeof timeout !== "number" || !(timeout > 0))) {
    throw new InvalidArgumentError(`${where}.timeout must be a number of seconds, got ${JSON.stringify(timeout)}.`);
  }
  return {
    body: { ...fields, ...own, ...extraBody },
    options: {
      ...(headers ? { headers: headers as Record<string, string> } : {}),
      ...(query ? { query } : {}),
      ...(timeout !== null ? { timeoutMs: timeout * 1000 } : {}),
    },
  };
}

function optionalObject(value: JsonValue | undefined, where: string): JsonObject | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === "object" && !Array.isArray(value)) return value;
  throw new InvalidArgumentError(`${where} must be a dict.`);
}
