/**
 * Keeps the secrets a webhook sent out of what its caller sees: the remote may echo a header
 * back in its answer, and errors may quote a header value.
 */
import type { JsonValue } from "../../literals/index.js";

export const REDACTED = "[redacted]";

export class SecretRedactor {
  /** Each secret as sent, JSON-escaped and percent-encoded, longest first. */
  #forms: string[] = [];

  add(secret: string): void {
    if (secret === "") return;
    const forms = new Set([...this.#forms, secret, JSON.stringify(secret).slice(1, -1), encodeURIComponent(secret)]);
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
}
