/**
 * A task's inputs as BigQuery named query parameters (REST `QueryParameter`), typed by the
 * inputs' declared types with the plugins' table (`pythonTypeToBigQueryType`, flytekit
 * plugins/flytekit-bigquery/flytekitplugins/bigquery/connector.py:21-30): str STRING, int INT64,
 * float FLOAT64, bool BOOL, bytes BYTES, datetime DATETIME, list ARRAY. Values are written as the
 * Python client writes them (google-cloud-bigquery `_helpers`): strings, base64 bytes,
 * `YYYY-MM-DDTHH:MM:SS.ffffff` UTC datetimes.
 *
 * Beyond the plugins, which fail on all three: a list becomes a real ARRAY parameter of its element
 * type, an optional input (a union with none) is its type, NULL when none, and an enum input is a
 * STRING of its value.
 * https://cloud.google.com/bigquery/docs/reference/rest/v2/QueryParameter
 */
import { InvalidArgumentError } from "../../connector/errors.js";
import { flyteidl } from "../../idl/index.js";
import { describeType, fromLiteral, LiteralConversionError, nanosWithinSecond } from "../../literals/index.js";

const { SimpleType } = flyteidl.core;

export interface QueryParameterType {
  readonly type: string;
  readonly arrayType?: QueryParameterType;
}

/** No `value` is NULL. */
export interface QueryParameterValue {
  readonly value?: string;
  readonly arrayValues?: readonly QueryParameterValue[];
}

export interface QueryParameter {
  readonly name: string;
  readonly parameterType: QueryParameterType;
  readonly parameterValue: QueryParameterValue;
}

const SCALAR_TYPES: ReadonlyMap<flyteidl.core.SimpleType, string> = new Map([
  [SimpleType.STRING, "STRING"],
  [SimpleType.INTEGER, "INT64"],
  [SimpleType.FLOAT, "FLOAT64"],
  [SimpleType.BOOLEAN, "BOOL"],
  [SimpleType.BINARY, "BYTES"],
  [SimpleType.DATETIME, "DATETIME"],
]);

const SUPPORTED = "str, int, float, bool, bytes, datetime, and lists of those";

/** The named parameters for `inputs`, in their order; `variables` are the template's declared inputs. */
export function queryParameters(
  inputs: flyteidl.core.ILiteralMap | null | undefined,
  variables: Readonly<Record<string, flyteidl.core.IVariable>> | null | undefined,
): QueryParameter[] {
  return Object.entries(inputs?.literals ?? {}).map(([name, literal]) => {
    const where = `input ${JSON.stringify(name)}`;
    const declared = variables != null && Object.hasOwn(variables, name) ? variables[name]?.type : undefined;
    if (declared == null) throw new InvalidArgumentError(`The ${where} is not declared in the task's interface, so it has no BigQuery type.`);
    const parameterType = parameterTypeOf(declared, where);
    try {
      return { name, parameterType, parameterValue: parameterValue(literal, declared, parameterType) };
    } catch (error) {
      if (error instanceof LiteralConversionError) throw new InvalidArgumentError(`Cannot pass the ${where} to BigQuery: ${error.message}`);
      throw error;
    }
  });
}

function parameterTypeOf(type: flyteidl.core.ILiteralType, where: string, input: flyteidl.core.ILiteralType = type): QueryParameterType {
  const valueType = optionalOf(type) ?? type;
  const scalar = valueType.simple != null ? SCALAR_TYPES.get(valueType.simple) : valueType.enumType != null ? "STRING" : undefined;
  if (scalar !== undefined) return { type: scalar };
  const element = valueType.collectionType;
  if (element != null && type === input && optionalOf(element) === undefined) {
    return { type: "ARRAY", arrayType: parameterTypeOf(element, where, input) };
  }
  throw new InvalidArgumentError(`The ${where} has type ${describeType(input)}: BigQuery query parameters take ${SUPPORTED} (no nested or optional elements).`);
}

/** The one other variant of a union with none (Python's Optional[T]), else undefined. */
function optionalOf(type: flyteidl.core.ILiteralType): flyteidl.core.ILiteralType | undefined {
  const variants = type.unionType?.variants;
  if (!variants) return undefined;
  const others = variants.filter((variant) => variant.simple !== SimpleType.NONE);
  return others.length === 1 && others.length < variants.length ? others[0] : undefined;
}

function parameterValue(
  literal: flyteidl.core.ILiteral,
  declared: flyteidl.core.ILiteralType,
  parameterType: QueryParameterType,
): QueryParameterValue {
  // Checks the literal against its declared type, and reads it.
  const value = fromLiteral(literal, declared);
  if (value === null) return {};
  const stored = literal.scalar?.union?.value ?? literal;
  if (parameterType.arrayType) {
    const elementType = (optionalOf(declared) ?? declared).collectionType!;
    const elements = stored.collection?.literals ?? [];
    return { arrayValues: elements.map((element) => scalarValue(element, elementType, parameterType.arrayType!.type)) };
  }
  return scalarValue(stored, declared, parameterType.type);
}

function scalarValue(literal: flyteidl.core.ILiteral, declared: flyteidl.core.ILiteralType, type: string): QueryParameterValue {
  const value = fromLiteral(literal, declared);
  if (value === null) throw new LiteralConversionError("a BigQuery array cannot hold NULL");
  switch (type) {
    case "BYTES":
      return { value: Buffer.from(value as Uint8Array).toString("base64") };
    case "DATETIME":
      return { value: civilTime(value as Date) };
    default:
      // STRING, INT64 (number or bigint), FLOAT64 (NaN and ±Infinity as BigQuery casts them), BOOL.
      return { value: String(value) };
  }
}

/** A datetime (a PreciseDate, read to the nanosecond) as google-cloud-bigquery's DATETIME parameter: UTC, to the microsecond. */
function civilTime(date: Date): string {
  const year = date.getUTCFullYear();
  if (year < 1 || year > 9999) throw new LiteralConversionError("a DATETIME must fall in the years 1 to 9999");
  const micros = String(Math.floor(nanosWithinSecond(date) / 1000)).padStart(6, "0");
  return `${date.toISOString().slice(0, 19)}.${micros}`;
}
