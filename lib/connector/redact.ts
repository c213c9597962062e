/**
 * Redaction of known secret values from what leaves the service: messages callers see and error
 * records the log gets. A secret is only known once something reads it (getConnectorSecret, the
 * meta sealing keys), so redaction is by value, in every form a message may quote it in.
 */
import { MAX_ERROR_CAUSES, MAX_PASSING_SECRETS } from "../limits.js";
import { PythonFloat } from "../literals/values.js";
import type { JsonValue } from "./python-json.js";

export const REDACTED = "[redacted]";

export class SecretRedactor {
  /** Each secret with its forms: as read, JSON-escaped, percent-encoded and in base64. */
  readonly #lasting = new Map<string, readonly string[]>();
  /** Likewise, least recently seen first. */
  readonly #passing = new Map<string, readonly string[]>();
  readonly #maxPassing: number;

  constructor(options: { readonly maxPassing?: number } = {}) {
    this.#maxPassing = options.maxPassing ?? MAX_PASSING_SECRETS;
  }

  /** A secret of the deployment (a key, a secret of its environment or store): redacted for as long as the process runs. */
  add(secret: string): void {
    if (secret === "" || this.#lasting.has(secret)) return;
    this.#lasting.set(secret, this.#passing.get(secret) ?? formsOf(secret));
    this.#passing.delete(secret);
  }

  /**
   * A secret that comes and goes (a token, a request's connection secret), seen again at each use:
   * redacted while it is among the most recently seen MAX_PASSING_SECRETS.
   */
  addPassing(secret: string): void {
    if (secret === "" || this.#lasting.has(secret)) return;
    const forms = this.#passing.get(secret) ?? formsOf(secret);
    this.#passing.delete(secret);
    this.#passing.set(secret, forms);
    if (this.#passing.size > this.#maxPassing) this.#passing.delete(this.#passing.keys().next().value!);
  }

  /**
   * `text` with every occurrence of every form replaced, found in the text as given: replacing
   * form by form would look for the later forms inside the markers already put in (a secret "d"
   * would turn "[redacted]" into "[re[redacted]acte[redacted]]"). Overlapping occurrences make
   * one marker, so a secret overlapping another is hidden whole too.
   */
  text(text: string): string {
    const found: [start: number, end: number][] = [];
    for (const known of [this.#lasting, this.#passing]) {
      for (const forms of known.values()) {
        for (const form of forms) {
          for (let at = text.indexOf(form); at !== -1; at = text.indexOf(form, at + 1)) found.push([at, at + form.length]);
        }
      }
    }
    if (found.length === 0) return text;
    found.sort((a, b) => a[0] - b[0]);
    let redacted = "";
    let shown = 0;
    for (const [start, end] of found) {
      if (start >= shown) redacted += `${text.slice(shown, start)}${REDACTED}`;
      shown = Math.max(shown, end);
    }
    return redacted + text.slice(shown);
  }

  /** Every string in `value`, keys included; numbers as they are (a PythonFloat stays one). */
  json(value: JsonValue): JsonValue {
    if (typeof value === "string") return this.text(value);
    if (value === null || typeof value !== "object" || value instanceof PythonFloat) return value;
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
 * How a secret may be written into a message: as it is, JSON-escaped, percent-encoded (upper or
 * lower hex; form-encoded, where a space is `+` and `!'()~` are escaped too), and base64: padded
 * or not, standard or URL-safe (JWT parts), as encoders differ.
 */
function formsOf(secret: string): readonly string[] {
  const base64 = Buffer.from(secret, "utf8").toString("base64");
  const percent = encodeURIComponent(secret);
  return [
    ...new Set([
      secret,
      JSON.stringify(secret).slice(1, -1),
      percent,
      percent.replace(/%[0-9A-F]{2}/g, (escape) => escape.toLowerCase()),
      new URLSearchParams({ s: secret }).toString().slice(2),
      base64,
      base64.replace(/=+$/, ""),
      Buffer.from(secret, "utf8").toString("base64url"),
    ]),
  ];
}

/**
 * Every connector secret this process has read, and the sealing keys it loaded: redacted from
 * the messages the service answers and from what it logs, whichever connector read them.
 */
export const knownSecrets = new SecretRedactor();
