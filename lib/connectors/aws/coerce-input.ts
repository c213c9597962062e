/**
 * A boto task's parameters checked and converted as botocore checks and converts them before it
 * sends anything (botocore/validate.py ParamValidator, botocore 1.43.11), read from the command's
 * own input schema (schema-based clients, @smithy/core/schema): every problem is collected and
 * reported at once, in botocore's wording, as the caller's INVALID_ARGUMENT; the SDK would
 * otherwise drop an unknown member silently and send a value of the wrong type as it is. boto3
 * takes an ISO 8601 string or epoch seconds for a timestamp and a str for a blob, where the SDK
 * wants a Date and bytes. A client without schemas gets the parameters unchecked.
 *
 * What the schemas cannot tell: integer, long, float and double are one numeric kind there, so a
 * number of either kind passes for any of them (botocore refuses a float for an integer), and
 * they carry no `min` lengths or values (botocore's range_check). Where the SDK's model differs
 * from botocore's the check leans to letting through: a number for a string goes as its text
 * (S3's PartNumberMarker is a string to the SDK, an integer to botocore), and a union is not held
 * to one member (some are plain structures to botocore). botocore's own rewrites before it
 * validates are botocore-handlers.ts's.
 */
import { InvalidArgumentError } from "../../connector/errors.js";
import { PythonFloat } from "../../connector/python-json.js";
import { requirePackage } from "../../connector/require-package.js";
import { sdkInput } from "./custom.js";
import { isPyDict, type PyDict, pyStr, type PyValue } from "./input-strings.js";

interface Schema {
  /** The raw schema; a structure's is [3, namespace, name, traits, memberNames, memberSchemas, requiredCount?]. */
  getSchema(): unknown;
  isTimestampSchema(): boolean;
  isBlobSchema(): boolean;
  isListSchema(): boolean;
  isMapSchema(): boolean;
  isStructSchema(): boolean;
  isDocumentSchema(): boolean;
  /** The member's and its target's traits, `sensitive` among them. */
  getMergedTraits(): { readonly sensitive?: unknown };
  isStringSchema(): boolean;
  isBooleanSchema(): boolean;
  isNumericSchema(): boolean;
  isBigIntegerSchema(): boolean;
  isBigDecimalSchema(): boolean;
  getKeySchema(): Schema;
  getValueSchema(): Schema;
  getMemberSchemas(): Record<string, Schema>;
}

interface SchemaModule {
  readonly NormalizedSchema: { of(schema: unknown): Schema };
}

/**
 * The command's parameters checked and converted by its input schema; unchecked when it has none.
 * `what` starts the error ("S3 could not call get_object").
 */
export async function coerceInput(command: object, input: PyValue, what: string): Promise<unknown> {
  const operation = (command as { schema?: unknown }).schema;
  // A static operation schema: [9, namespace, name, traits, input, output].
  if (!Array.isArray(operation) || operation[0] !== 9) return sdkInput(input);
  // The schema reader that came with the clients (the runtime's), not a bundled copy.
  let module: SchemaModule;
  try {
    module = requirePackage<SchemaModule>("@smithy/core/schema");
  } catch {
    return sdkInput(input);
  }
  const problems: string[] = [];
  const converted = coerce(input, module.NormalizedSchema.of(operation[4]), "", problems, false);
  // ParamValidationError's message: every problem, one a line.
  if (problems.length > 0) throw new InvalidArgumentError(`${what}: Parameter validation failed:\n${problems.join("\n")}`);
  return converted;
}

/**
 * `value` converted for the SDK, each problem with it added to `problems` (botocore's _validate).
 * `within`: inside a member the model marks sensitive (a map, list or structure passes it down).
 */
function coerce(value: PyValue, schema: Schema, name: string, problems: string[], within: boolean): unknown {
  const hidden = within || Boolean(schema.getMergedTraits().sensitive);
  const invalid = (...validTypes: string[]): undefined => {
    // A message reaches Flyte's UI and logs: a value the model marks sensitive is not quoted.
    const shown = hidden ? SENSITIVE : pyStr(value);
    problems.push(`Invalid type for parameter ${paramName(name)}, value: ${shown}, type: ${pythonType(value)}, valid types: ${validTypes.join(", ")}`);
    return undefined;
  };
  if (schema.isDocumentSchema()) return checkDocument(value, name, problems, hidden);
  if (schema.isStructSchema()) return isPyDict(value) ? coerceStructure(value, schema, name, problems, hidden) : invalid(DICT);
  if (schema.isListSchema()) {
    return Array.isArray(value) ? value.map((item: PyValue, index) => coerce(item, schema.getValueSchema(), `${name}[${index}]`, problems, hidden)) : invalid(LIST, TUPLE);
  }
  if (schema.isMapSchema()) {
    if (!isPyDict(value)) return invalid(DICT);
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => {
        coerce(key, schema.getKeySchema(), `${name} (key: ${key})`, problems, hidden);
        return [key, coerce(item, schema.getValueSchema(), `${name}.${key}`, problems, hidden)];
      }),
    );
  }
  if (schema.isStringSchema()) {
    if (typeof value === "string") return value;
    // A member the SDK's model has as a string where botocore's has a number (S3's PartNumberMarker): boto3 sends the number.
    if (isNumber(value)) return pyStr(value);
    return invalid(STR);
  }
  if (schema.isBooleanSchema()) return typeof value === "boolean" ? value : invalid(BOOL);
  if (schema.isNumericSchema() || schema.isBigIntegerSchema() || schema.isBigDecimalSchema()) {
    // Python's bool is an int: botocore lets True through for a number, and sends it as it is.
    return isNumber(value) || typeof value === "boolean" ? sdkInput(value) : invalid(INT, FLOAT);
  }
  if (schema.isBlobSchema()) {
    if (typeof value === "string") return new TextEncoder().encode(value);
    return value instanceof Uint8Array ? value : invalid(BYTES, BYTEARRAY, "file-like object");
  }
  if (schema.isTimestampSchema()) return timestamp(value) ?? invalid(DATETIME, "timestamp-string");
  return sdkInput(value);
}

/**
 * botocore's _validate_structure: the required members, no unknown ones, then each member. (Not
 * its tagged-union rule: some of the SDK's unions are plain structures to botocore, S3's
 * analytics and metrics Filter among them; AWS refuses a union set wrongly all the same.)
 */
function coerceStructure(value: PyDict, schema: Schema, name: string, problems: string[], hidden: boolean): Record<string, unknown> {
  const members = schema.getMemberSchemas();
  const names = Object.keys(members);
  const given = Object.keys(value);
  for (const required of requiredMembers(schema)) {
    if (!Object.hasOwn(value, required)) problems.push(`Missing required parameter in ${paramName(name)}: "${required}"`);
  }
  for (const key of given) {
    if (!Object.hasOwn(members, key)) problems.push(`Unknown parameter in ${paramName(name)}: "${key}", must be one of: ${names.join(", ")}`);
  }
  return Object.fromEntries(given.filter((key) => Object.hasOwn(members, key)).map((key) => [key, coerce(value[key]!, members[key]!, `${name}.${key}`, problems, hidden)]));
}

/**
 * A structure's required members: the code generator lists them first and writes their count
 * after the member schemas (NormalizedSchema has no accessor for it). None when the schema is
 * not in that form.
 */
function requiredMembers(schema: Schema): string[] {
  const raw = schema.getSchema();
  if (!Array.isArray(raw) || !Array.isArray(raw[4]) || typeof raw[6] !== "number") return [];
  return (raw[4] as unknown[]).slice(0, raw[6]).filter((member): member is string => typeof member === "string");
}

/** botocore's _validate_document: any JSON value; bytes are not one. */
function checkDocument(value: PyValue, name: string, problems: string[], hidden: boolean): unknown {
  if (value instanceof Uint8Array) {
    problems.push(
      `Invalid type for document parameter ${paramName(name)}, value: ${hidden ? SENSITIVE : pyStr(value)}, type: ${pythonType(value)}, valid types: ${[STR, INT, BOOL, FLOAT, LIST, DICT].join(", ")}`,
    );
    return undefined;
  }
  // A dict's members are named by their key alone, as botocore names them.
  if (Array.isArray(value)) value.forEach((item: PyValue, index) => checkDocument(item, `${name}[${index}]`, problems, hidden));
  else if (isPyDict(value)) for (const [key, item] of Object.entries(value)) checkDocument(item, key, problems, hidden);
  return sdkInput(value);
}

/** In place of a value the model marks sensitive. */
const SENSITIVE = "(sensitive, not shown)";
const DICT = "<class 'dict'>";
const LIST = "<class 'list'>";
const TUPLE = "<class 'tuple'>";
const STR = "<class 'str'>";
const BOOL = "<class 'bool'>";
const INT = "<class 'int'>";
const FLOAT = "<class 'float'>";
const BYTES = "<class 'bytes'>";
const BYTEARRAY = "<class 'bytearray'>";
const DATETIME = "<class 'datetime.datetime'>";

/** ValidationErrors._get_name: the top level is "input", a member path has no leading dot. */
function paramName(name: string): string {
  if (name === "") return "input";
  return name.startsWith(".") ? name.slice(1) : name;
}

function isNumber(value: PyValue): value is number | bigint | PythonFloat {
  return typeof value === "number" || typeof value === "bigint" || value instanceof PythonFloat;
}

/** `type(value)` as Python prints it. */
function pythonType(value: PyValue): string {
  if (value === null) return "<class 'NoneType'>";
  if (typeof value === "boolean") return BOOL;
  if (typeof value === "string") return STR;
  if (typeof value === "bigint") return INT;
  if (value instanceof PythonFloat) return FLOAT;
  if (typeof value === "number") return Number.isInteger(value) ? INT : FLOAT;
  if (value instanceof Uint8Array) return BYTES;
  return Array.isArray(value) ? LIST : DICT;
}

/**
 * botocore's parse_to_aware_datetime (what _validate_timestamp accepts): text as below, a number
 * (a bool too: Python's bool is an int) as epoch seconds; undefined for anything else or a time
 * that is no date.
 */
function timestamp(value: PyValue): Date | undefined {
  let date: Date | undefined;
  if (typeof value === "string") date = textTimestamp(value);
  else if (isNumber(value) || typeof value === "boolean") date = new Date(Number(value instanceof PythonFloat ? value.value : value) * 1000);
  return date !== undefined && !Number.isNaN(date.getTime()) ? date : undefined;
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
