/**
 * The wire forms of the primitive values protobufjs leaves to us: int64 (a number when safe, a
 * Long beyond 2^53), google.protobuf.Timestamp and google.protobuf.Duration.
 */
import Long from "long";
import { google } from "../idl/index.js";
import { Duration, NANOS_PER_SECOND, nanosWithinSecond, PreciseDate } from "./values.js";

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const SAFE_MIN = BigInt(Number.MIN_SAFE_INTEGER);
const SAFE_MAX = BigInt(Number.MAX_SAFE_INTEGER);

/**
 * An integer as an int64 field value: a number when it is a safe integer, else a Long.
 * Undefined when the value is not an integer or lies outside the int64 range (never rounded).
 */
export function toInt64(value: number | bigint): number | Long | undefined {
  if (typeof value === "number") {
    if (Number.isSafeInteger(value)) return value;
    if (!Number.isInteger(value)) return undefined;
  }
  const big = BigInt(value);
  if (big < INT64_MIN || big > INT64_MAX) return undefined;
  return big >= SAFE_MIN && big <= SAFE_MAX ? Number(big) : Long.fromBigInt(big);
}

/** An int64 field value as a number when it is a safe integer, else as a bigint. */
export function fromInt64(value: number | Long): number | bigint {
  if (typeof value === "number") return value;
  // From the bits rather than Long's methods: any Long-shaped object (any long.js copy) works.
  return safeInteger(BigInt.asIntN(64, (BigInt(value.high >>> 0) << 32n) | BigInt(value.low >>> 0)));
}

/** A bigint as a number when it is a safe integer (fromInt64's rule), else as it is. */
export function safeInteger(value: bigint): number | bigint {
  return value >= SAFE_MIN && value <= SAFE_MAX ? Number(value) : value;
}

/** A valid Date as a Timestamp (a PreciseDate to the nanosecond, nanos always non-negative). */
export function dateToTimestamp(date: Date): google.protobuf.Timestamp {
  return new google.protobuf.Timestamp({ seconds: Math.floor(date.getTime() / 1000), nanos: nanosWithinSecond(date) });
}

/** A Timestamp as a PreciseDate; undefined outside Date's range. */
export function timestampToDate(timestamp: google.protobuf.ITimestamp): PreciseDate | undefined {
  const date = new PreciseDate(Number(fromInt64(timestamp.seconds ?? 0)), timestamp.nanos ?? 0);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

export function durationToProto(duration: Duration): google.protobuf.Duration {
  return new google.protobuf.Duration({ seconds: duration.seconds, nanos: duration.nanos });
}

/**
 * A protobuf Duration as a Duration, read as Python's Duration.ToTimedelta reads any pair: nanos of
 * the other sign than the seconds, or of a second or more, carry into the seconds (protobuf calls
 * such a pair invalid; Python takes it). Throws RangeError for seconds beyond 2^53.
 */
export function durationFromProto(duration: google.protobuf.IDuration): Duration {
  const seconds = fromInt64(duration.seconds ?? 0);
  if (typeof seconds === "bigint") throw new RangeError(`Duration seconds ${seconds} is beyond 2^53`);
  const nanos = duration.nanos ?? 0;
  let whole = seconds + Math.trunc(nanos / NANOS_PER_SECOND);
  let rest = nanos % NANOS_PER_SECOND;
  if (whole > 0 && rest < 0) [whole, rest] = [whole - 1, rest + NANOS_PER_SECOND];
  else if (whole < 0 && rest > 0) [whole, rest] = [whole + 1, rest - NANOS_PER_SECOND];
  // `|| 0` turns -0 into 0.
  return new Duration(whole, rest || 0);
}
