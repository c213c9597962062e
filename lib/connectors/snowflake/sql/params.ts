/**
 * Task inputs as SQL API bind values. The Python plugins bind client-side: the driver writes each
 * value into the SQL as a literal (snowflake-connector-python converter.py, `to_snowflake`,
 * `escape`, `quote`). The SQL API binds `?` with typed values instead
 * (https://docs.snowflake.com/en/developer-guide/sql-api/submitting-requests#using-bind-variables-in-a-statement),
 * so each value gets the type whose cast reads it as the driver's literal did: text stays text,
 * numbers and booleans keep their type, and a datetime or a duration is the text the driver
 * writes (the statement casts it as it cast the quoted literal).
 */
import { InvalidArgumentError } from "../../../connector/errors.js";
import { pythonIsoformat } from "../../../connector/python-str.js";
import { Duration, type PlainValue } from "../../../literals/index.js";

export type BindingType = "TEXT" | "FIXED" | "REAL" | "BOOLEAN" | "BINARY";

/** One entry of the request's `bindings`. */
export interface Binding {
  readonly type: BindingType;
  readonly value: string;
}

/**
 * One parameter: a bind value, SQL NULL (written inline as the driver writes it), or a list,
 * which the driver writes as `a,b,c` (for `IN (%(ids)s)`) and which becomes one `?` per item.
 */
export type SqlParam = Binding | null | readonly (Binding | null)[];

/** `value` as a parameter; `asFloat` when the input is declared a float (a JS number cannot tell 2.0 from 2). */
export function sqlParam(value: PlainValue, name: string, asFloat: boolean): SqlParam {
  if (!Array.isArray(value)) return scalarParam(value, name, asFloat);
  return value.map((item, index) => {
    if (Array.isArray(item)) throw new InvalidArgumentError(`${name}[${index}] is a list in a list: a SQL parameter takes a list of values only.`);
    return scalarParam(item, `${name}[${index}]`, asFloat);
  });
}

function scalarParam(value: PlainValue, name: string, asFloat: boolean): Binding | null {
  if (value === null) return null;
  switch (typeof value) {
    case "string":
      return { type: "TEXT", value };
    case "boolean":
      return { type: "BOOLEAN", value: value ? "true" : "false" };
    case "bigint":
      return { type: "FIXED", value: value.toString() };
    case "number":
      return asFloat || !Number.isInteger(value) ? { type: "REAL", value: realText(value) } : { type: "FIXED", value: String(value) };
  }
  if (value instanceof Date) return { type: "TEXT", value: datetimeText(value) };
  if (value instanceof Duration) return { type: "TEXT", value: durationText(value) };
  if (value instanceof Uint8Array) return { type: "BINARY", value: Buffer.from(value).toString("hex").toUpperCase() };
  throw new InvalidArgumentError(
    `${name} cannot be a SQL parameter: Snowflake binds strings, numbers, booleans, datetimes, durations, bytes, None and lists of these.`,
  );
}

function realText(value: number): string {
  if (Number.isNaN(value)) return "NaN";
  if (!Number.isFinite(value)) return value > 0 ? "inf" : "-inf";
  return String(value);
}

/**
 * The driver's `_datetime_to_snowflake` of the aware UTC datetime the SDKs read a datetime literal
 * as (to the microsecond: a PreciseDate): `YYYY-MM-DD HH:MM:SS+00:00`, with `.ffffff` before the
 * offset when there are microseconds.
 */
function datetimeText(date: Date): string {
  if (Number.isNaN(date.getTime())) throw new InvalidArgumentError("an invalid datetime cannot be a SQL parameter.");
  return pythonIsoformat(date, " ");
}

const MICROS_PER_SECOND = 1_000_000;

/**
 * The driver's `_timedelta_to_snowflake`: hours (days included), minutes, seconds and, when any,
 * microseconds, of Python's normalised timedelta (days may be negative, the rest never is).
 */
function durationText(duration: Duration): string {
  const micros = duration.seconds * MICROS_PER_SECOND + Math.round(duration.nanos / 1000);
  const days = Math.floor(micros / (86_400 * MICROS_PER_SECOND));
  const rest = micros - days * 86_400 * MICROS_PER_SECOND;
  const seconds = Math.floor(rest / MICROS_PER_SECOND);
  const fraction = rest - seconds * MICROS_PER_SECOND;
  const two = (n: number) => String(n).padStart(2, "0");
  const hours = Math.floor(seconds / 3600) + days * 24;
  const clock = `${two(hours)}:${two(Math.floor((seconds % 3600) / 60))}:${two(seconds % 60)}`;
  return fraction === 0 ? clock : `${clock}.${String(fraction).padStart(6, "0")}`;
}
