/**
 * A boto task's parameters in the types the SDK v3 command takes, as botocore converts them:
 * boto3 takes an ISO 8601 string or epoch seconds for a timestamp and a str for a blob, where the
 * SDK wants a Date and bytes. Read from the command's own input schema (schema-based clients,
 * @smithy/core/schema); a client without schemas gets the parameters as they are.
 */
import { requirePackage } from "../../connector/require-package.js";

interface Schema {
  isTimestampSchema(): boolean;
  isBlobSchema(): boolean;
  isListSchema(): boolean;
  isMapSchema(): boolean;
  isStructSchema(): boolean;
  getValueSchema(): Schema;
  getMemberSchemas(): Record<string, Schema>;
}

interface SchemaModule {
  readonly NormalizedSchema: { of(schema: unknown): Schema };
}

/** The command's parameters converted by its input schema; unchanged when it has none. */
export async function coerceInput(command: object, input: unknown): Promise<unknown> {
  const operation = (command as { schema?: unknown }).schema;
  // A static operation schema: [9, namespace, name, traits, input, output].
  if (!Array.isArray(operation) || operation[0] !== 9) return input;
  // The schema reader that came with the clients (the runtime's), not a bundled copy.
  let module: SchemaModule;
  try {
    module = requirePackage<SchemaModule>("@smithy/core/schema");
  } catch {
    return input;
  }
  return coerce(input, module.NormalizedSchema.of(operation[4]));
}

function coerce(value: unknown, schema: Schema): unknown {
  if (schema.isTimestampSchema()) {
    const date = typeof value === "string" ? textTimestamp(value) : typeof value === "number" ? new Date(value * 1000) : undefined;
    return date !== undefined && !Number.isNaN(date.getTime()) ? date : value;
  }
  if (schema.isBlobSchema()) return typeof value === "string" ? new TextEncoder().encode(value) : value;
  if (value === null || typeof value !== "object") return value;
  if (schema.isListSchema() && Array.isArray(value)) return value.map((item) => coerce(item, schema.getValueSchema()));
  if (schema.isMapSchema()) return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, coerce(item, schema.getValueSchema())]));
  if (schema.isStructSchema()) {
    const members = schema.getMemberSchemas();
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, Object.hasOwn(members, key) ? coerce(item, members[key]!) : item]));
  }
  return value;
}

/** What Python's float() reads (underscores between digits too); inf and nan are no epoch. */
const PYTHON_FLOAT = /^[+-]?(?:\d(?:_?\d)*(?:\.(?:\d(?:_?\d)*)?)?|\.\d(?:_?\d)*)(?:[eE][+-]?\d(?:_?\d)*)?$/;

/** ISO 8601, extended or basic, date alone or with a time and an optional offset. */
const ISO_8601 = /^(\d{4})-?(\d{2})-?(\d{2})(?:[T ](\d{2})(?::?(\d{2})(?::?(\d{2})(?:[.,](\d+))?)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?)?$/;

/**
 * botocore's parse_to_aware_datetime (botocore/utils.py): text float() reads is epoch seconds,
 * and a time without an offset is UTC, whatever the host's zone (Date reads
 * "2024-01-02T03:04:05" in local time). Other texts (RFC 822's, which names its zone) as Date
 * reads them; undefined for an ISO 8601 text whose fields are out of range.
 */
function textTimestamp(value: string): Date | undefined {
  const text = value.trim();
  if (PYTHON_FLOAT.test(text)) return new Date(Number(text.replaceAll("_", "")) * 1000);
  const iso = ISO_8601.exec(text);
  if (!iso) return new Date(text);
  const fields = iso.slice(1, 7).map((field) => Number(field ?? 0));
  const [year = 0, month = 1, day = 1, hour = 0, minute = 0, second = 0] = fields;
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, Number((iso[7] ?? "").padEnd(3, "0").slice(0, 3)));
  // Date rolls 2024-02-30 over into March; datetime refuses it.
  const read = [date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate(), date.getUTCHours(), date.getUTCMinutes(), date.getUTCSeconds()];
  if (read.some((field, index) => field !== fields[index])) return undefined;
  return new Date(date.getTime() - offsetMinutes(iso[8]) * 60_000);
}

/** An ISO 8601 offset (`Z`, `+01`, `+0100`, `-01:30`) in minutes east of UTC; none is UTC. */
function offsetMinutes(zone: string | undefined): number {
  if (zone === undefined || zone === "Z") return 0;
  const digits = zone.slice(1).replace(":", "");
  const minutes = Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2) || 0);
  return zone.startsWith("-") ? -minutes : minutes;
}
