/**
 * Redaction of known secret values from what leaves the service: messages callers see and error
 * records the log gets. A secret is only known once something reads it (getConnectorSecret, the
 * meta sealing keys), so redaction is by value, in every form a message may quote it in.
 */
import { MAX_ERROR_CAUSES } from "../limits.js";
import type { JsonValue } from "../literals/index.js";

export const REDACTED = "[redacted]";

export class SecretRedactor {
  readonly #secrets = new Set<string>();
  /** Each secret as read, JSON-escaped, percent-encoded and in base64; longest first. */
  #forms: string[] = [];

  add(secret: string): void {
    if (secret === "" || this.#secrets.has(secret)) return;
    this.#secrets.add(secret);
    // Padded and not: encoders differ (JWT parts and URL-safe forms drop the padding).
    const base64 = Buffer.from(secret, "utf8").toString("base64");
    const encoded = [JSON.stringify(secret).slice(1, -1), encodeURIComponent(secret), base64, base64.replace(/=+$/, "")];
    const forms = new Set([...this.#forms, secret, ...encoded]);
    this.#forms = [...forms].sort((a, b) => b.length - a.length);
  }

  text(text: string): string {
    return this.#forms.reduce((redacted, form) => redacted.split(form).join(REDACTED), text);
  }

  /** Every string in `value`, keys included. */
  json(value: JsonValue): JsonValue {
    if (typeof value === "string") return this.text(value);
    if (value === null || typeof value !== "object") return value;
    if (Array.isArray(value)) return value.map((item) => this.json(item));
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [this.text(key), this.json(item)]));
  }

  /**
   * What a log may get of `error`: a copy with its message, stack and causes redacted (the stack
   * repeats the message). Anything not an Error becomes its redacted text.
   */
  error(error: unknown): unknown {
    return this.#error(error, 0);
  }

  #error(error: unknown, depth: number): unknown {
    if (!(error instanceof Error)) return this.text(String(error));
    const copy = new Error(this.text(error.message));
    copy.name = error.name;
    copy.stack = error.stack === undefined ? undefined : this.text(error.stack);
    if (error.cause !== undefined && depth < MAX_ERROR_CAUSES) copy.cause = this.#error(error.cause, depth + 1);
    return copy;
  }
}

/**
 * Every connector secret this process has read, and the sealing keys it loaded: redacted from
 * the messages the service answers and from what it logs, whichever connector read them.
 */
export const knownSecrets = new SecretRedactor();
