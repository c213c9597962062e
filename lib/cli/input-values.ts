/**
 * `--input name=value` flags as plain values (lib/literals). An input the task's interface
 * declares is read as its type wants it; an undeclared one is JSON where the text is JSON, else
 * the text itself.
 */
import { InvalidArgumentError } from "../connector/errors.js";
import { parsePythonJson, type JsonValue } from "../connector/python-json.js";
import { flyteidl, type google } from "../idl/index.js";
import { fromJson } from "../idl/json-mapping.js";
import { describeType, LiteralConversionError, PythonFloat, toLiteral } from "../literals/index.js";
import { declaredType } from "../literals/literal-type.js";
import { durationFromProto, timestampToDate } from "../literals/primitives.js";
import { UsageError } from "./command.js";

const { SimpleType } = flyteidl.core;

/**
 * `1` is a number, `true` a boolean, `null` null, `[1,2]` and `{"a":1}` JSON, `"7"` the string 7;
 * anything that is not JSON (`hello`, `s3://bucket/key`) is the string as written. Integers
 * beyond 2^53 are bigints, never rounded.
 */
export function parseInputValue(text: string): unknown {
  let json: JsonValue;
  try {
    // JSON.parse decides what is JSON (NaN, Infinity and 1e400 stay text); Python's reading keeps big integers exact.
    JSON.parse(text);
    json = parsePythonJson(text);
  } catch {
    return text;
  }
  return withPlainFloats(json);
}

/**
 * The `--input` assignments by name. With `variables` (the template's declared inputs) a declared
 * input is read by its type: a string, enum, file, directory or dataset as the text written (or
 * the string it quotes as JSON), a datetime as RFC 3339 text, a duration as proto3 JSON's `1.5s`,
 * a float as any JSON number, a union by its variants (strings last, as pyflyte reads one), the
 * rest as JSON.
 */
export function parseInputs(
  assignments: readonly string[],
  variables?: Readonly<Record<string, flyteidl.core.IVariable>> | null,
): Record<string, unknown> {
  // No prototype, so that every name is an input's own, `__proto__` included.
  const values: Record<string, unknown> = Object.create(null);
  for (const assignment of assignments) {
    const equals = assignment.indexOf("=");
    const name = equals < 0 ? "" : assignment.slice(0, equals).trim();
    if (!name) throw new UsageError(`--input takes name=value, got '${assignment}'.`);
    if (Object.hasOwn(values, name)) throw new UsageError(`--input ${name} is given more than once.`);
    const text = assignment.slice(equals + 1);
    const type = variables && Object.hasOwn(variables, name) ? variables[name]?.type : undefined;
    try {
      values[name] = type ? readDeclared(text, type, `input ${JSON.stringify(name)}`) : parseInputValue(text);
    } catch (error) {
      if (error instanceof LiteralConversionError) throw new UsageError(`Bad --input: ${error.message}`);
      throw error;
    }
  }
  return values;
}

/**
 * `values` with every input the template declares, as FlytePropeller passes them all. An Optional
 * one (a union with none) left out is none: flytekit binds it so when a workflow leaves it out, and
 * requiring `-i x=null` would ask for what every Flyte caller fills in. Any other left out is a
 * usage error: its Python default, if it has one, is not in the template.
 */
export function withDeclaredInputs(
  values: Record<string, unknown>,
  variables?: Readonly<Record<string, flyteidl.core.IVariable>> | null,
): Record<string, unknown> {
  const missing: [name: string, type: string][] = [];
  for (const [name, variable] of Object.entries(variables ?? {})) {
    if (Object.hasOwn(values, name)) continue;
    if (takesNone(variable.type)) values[name] = null;
    else missing.push([name, describeType(variable.type)]);
  }
  if (missing.length > 0) {
    const declared = missing.map(([name, type]) => `${name} (${type})`).join(", ");
    const flags = missing.map(([name, type]) => `-i ${name}=<${type}>`).join(" ");
    throw new UsageError(
      missing.length === 1
        ? `The template declares input ${declared}, which is not given: add ${flags}.`
        : `The template declares inputs ${declared}, which are not given: add ${flags}.`,
    );
  }
  return values;
}

/** Whether none is a value of the type: Optional[T] (a union with a none variant), or none itself. */
function takesNone(type: flyteidl.core.ILiteralType | null | undefined): boolean {
  const declared = declaredType(type);
  if (declared.kind === "union") return declared.variants.some(takesNone);
  return declared.kind === "simple" && declared.simple === SimpleType.NONE;
}

/** `text` as the declared type reads it; a value that does not fit the type is left for toLiteral to refuse, naming both. */
function readDeclared(text: string, type: flyteidl.core.ILiteralType, where: string): unknown {
  const json = parseInputValue(text);
  const declared = declaredType(type);
  switch (declared.kind) {
    case "simple":
      switch (declared.simple) {
        case SimpleType.STRING:
          return asText(text, json);
        case SimpleType.FLOAT:
          // A float is the nearest double to any number written, however many digits.
          return typeof json === "bigint" ? Number(json) : json;
        case SimpleType.DATETIME: {
          const timestamp = fromJsonText<google.protobuf.Timestamp>("google.protobuf.Timestamp", asText(text, json));
          const date = timestamp && timestampToDate(timestamp);
          if (date) return date;
          throw unreadable(where, type, "an RFC 3339 timestamp such as 2024-05-01T12:00:00Z", text);
        }
        case SimpleType.DURATION: {
          const duration = fromJsonText<google.protobuf.Duration>("google.protobuf.Duration", asText(text, json));
          if (duration) return durationFromProto(duration);
          throw unreadable(where, type, "a duration in seconds such as 1.5s", text);
        }
      }
      return json;
    case "enum":
    case "blob":
    case "structuredDataset":
      return asText(text, json);
    case "union": {
      const isString = (variant: flyteidl.core.ILiteralType) => variant.simple === SimpleType.STRING;
      // Array.prototype.sort is stable: the declared order holds among the others.
      const variants = [...declared.variants].sort((a, b) => Number(isString(a)) - Number(isString(b)));
      for (const variant of variants) {
        try {
          const value = readDeclared(text, variant, where);
          toLiteral(value, variant);
          return value;
        } catch (error) {
          if (!(error instanceof LiteralConversionError)) throw error;
        }
      }
      return json;
    }
  }
  return json;
}

/**
 * The text as written, or the string it quotes as JSON: `-i s='"2024"'` was how a string that
 * also reads as another JSON value had to be given before declared types were read.
 */
function asText(text: string, json: unknown): string {
  return typeof json === "string" ? json : text;
}

/** A Timestamp or Duration from its proto3 JSON text (the form outputs print), or undefined when the text is not one. */
function fromJsonText<T extends object>(typeName: string, text: string): T | undefined {
  try {
    return fromJson<T>(typeName, text);
  } catch (error) {
    if (error instanceof InvalidArgumentError) return undefined;
    throw error;
  }
}

function unreadable(where: string, type: flyteidl.core.ILiteralType, form: string, text: string): LiteralConversionError {
  return new LiteralConversionError(`cannot convert ${where} to ${describeType(type)}: expected ${form}, got ${JSON.stringify(text)}`);
}

/**
 * Whole floats (`1.0`) as the plain numbers JSON.parse makes of them: a Struct, which a JSON
 * object becomes, takes no PythonFloat, and an integer input has always taken `1.0`.
 */
function withPlainFloats(json: JsonValue): unknown {
  if (json instanceof PythonFloat) return json.value;
  if (Array.isArray(json)) return json.map(withPlainFloats);
  if (typeof json === "object" && json !== null) {
    // fromEntries defines each key, so a "__proto__" key stays data.
    return Object.fromEntries(Object.entries(json).map(([key, value]) => [key, withPlainFloats(value)]));
  }
  return json;
}
