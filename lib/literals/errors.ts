/** The error every literal conversion throws, with a message that names what failed. */
export class LiteralConversionError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "LiteralConversionError";
  }
}

/** Which side of a task interface a map of values belongs to, for error messages. */
export type Role = "input" | "output";

const MAX_SHOWN = 60;

/** What a value is, for error messages: `string "abc"`, `number 1.5`, `array`, `Date`, ... */
export function describeValue(value: unknown): string {
  switch (typeof value) {
    case "string": {
      const shown = value.length > MAX_SHOWN ? `${value.slice(0, MAX_SHOWN)}...` : value;
      return `string ${JSON.stringify(shown)}`;
    }
    case "number":
    case "boolean":
      return `${typeof value} ${String(value)}`;
    case "bigint":
      return `bigint ${value}n`;
    case "undefined":
      return "undefined";
    case "object": {
      if (value === null) return "null";
      if (Array.isArray(value)) return `array of length ${value.length}`;
      const ctor: unknown = Object.getPrototypeOf(value)?.constructor;
      return typeof ctor === "function" && ctor !== Object && ctor.name ? ctor.name : "object";
    }
    default:
      return typeof value;
  }
}

/** A key as it appears in a path like `output "o0"["key"][2]`. */
export function keyPath(where: string, key: string | number): string {
  return typeof key === "number" ? `${where}[${key}]` : `${where}[${JSON.stringify(key)}]`;
}
