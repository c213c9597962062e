/**
 * The JavaScript values that stand for Flyte types JavaScript has no value for: durations, a
 * datetime to the nanosecond, files, directories, structured datasets, and a float whose value is
 * whole.
 */
import type { JsonValue } from "./struct.js";

export const NANOS_PER_SECOND = 1_000_000_000;
const NANOS_PER_MILLISECOND = 1_000_000;

/**
 * A span of time as google.protobuf.Duration holds it: whole seconds plus nanoseconds, both of
 * the same sign, |nanos| below one second.
 */
export class Duration {
  readonly seconds: number;
  readonly nanos: number;

  constructor(seconds: number, nanos = 0) {
    if (!Number.isSafeInteger(seconds)) throw new RangeError(`Duration seconds must be a safe integer, got ${seconds}`);
    if (!Number.isInteger(nanos) || Math.abs(nanos) >= NANOS_PER_SECOND) {
      throw new RangeError(`Duration nanos must be an integer in (-1e9, 1e9), got ${nanos}`);
    }
    if ((seconds > 0 && nanos < 0) || (seconds < 0 && nanos > 0)) {
      throw new RangeError(`Duration seconds and nanos must have the same sign, got ${seconds}s and ${nanos}ns`);
    }
    this.seconds = seconds;
    this.nanos = nanos;
  }

  /** A duration of `ms` milliseconds (fractions kept to the nanosecond). */
  static fromMilliseconds(ms: number): Duration {
    if (!Number.isFinite(ms)) throw new RangeError(`Duration milliseconds must be finite, got ${ms}`);
    // `|| 0` turns -0 into 0.
    const seconds = Math.trunc(ms / 1000) || 0;
    const nanos = Math.round((ms - seconds * 1000) * NANOS_PER_MILLISECOND) || 0;
    // Rounding can reach a whole second (999.9999999 ms); carry it.
    if (Math.abs(nanos) === NANOS_PER_SECOND) return new Duration(seconds + Math.sign(nanos), 0);
    return new Duration(seconds, nanos);
  }

  toMilliseconds(): number {
    return this.seconds * 1000 + this.nanos / NANOS_PER_MILLISECOND;
  }
}

/**
 * A datetime literal's instant to the nanosecond: a Date, which keeps milliseconds, that also
 * carries the nanoseconds within its second (never negative, as google.protobuf.Timestamp holds
 * them). Python reads the literal to the microsecond, and what a connector writes from a datetime
 * input (a SQL parameter, a URL) must keep them.
 */
export class PreciseDate extends Date {
  readonly nanos: number;

  /** `nanos` beyond one second, or negative, carries into the seconds, as a Timestamp normalizes. */
  constructor(epochSeconds: number, nanos = 0) {
    if (!Number.isInteger(nanos)) throw new RangeError(`PreciseDate nanos must be an integer, got ${nanos}`);
    const carried = epochSeconds + Math.floor(nanos / NANOS_PER_SECOND);
    const within = nanos - Math.floor(nanos / NANOS_PER_SECOND) * NANOS_PER_SECOND;
    super(carried * 1000 + Math.floor(within / NANOS_PER_MILLISECOND));
    this.nanos = within;
  }

  /** The microseconds within the second, Python's `datetime.microsecond`. */
  get microsecond(): number {
    return Math.floor(this.nanos / 1000);
  }
}

/** The nanoseconds within `date`'s second: a PreciseDate's own, a Date's from its milliseconds. */
export function nanosWithinSecond(date: Date): number {
  return date instanceof PreciseDate ? date.nanos : (((date.getTime() % 1000) + 1000) % 1000) * NANOS_PER_MILLISECOND;
}

/** A single file (a Blob of dimensionality SINGLE), e.g. `new FlyteFile("s3://bucket/a.csv", "csv")`. */
export class FlyteFile {
  constructor(
    readonly uri: string,
    readonly format = "",
  ) {}
}

/** A directory of files (a Blob of dimensionality MULTIPART). */
export class FlyteDirectory {
  constructor(
    readonly uri: string,
    readonly format = "",
  ) {}
}

/** A structured dataset (e.g. a Parquet directory) at a URI, in a format such as "parquet". */
export class StructuredDataset {
  constructor(
    readonly uri: string,
    readonly format = "",
  ) {}
}

/** What a literal reads as (see fromLiteral). */
export type PlainValue =
  | JsonValue
  | bigint
  | Date
  | Duration
  | Uint8Array
  | FlyteFile
  | FlyteDirectory
  | StructuredDataset
  | PlainValue[]
  | { [key: string]: PlainValue };

/**
 * A Python float whose value is a whole number (`2.0`, `1e+16`, `-0.0`). A JS number cannot say
 * whether `2` was an int or a float, so parsed integral floats come back wrapped in this to be
 * written back as floats; wrap a number in it (`pythonFloat(2)`) to write a float yourself: in
 * Python's JSON (resource metas) and as a literal (a float, where a bare 2 would be an integer).
 */
export class PythonFloat {
  constructor(readonly value: number) {}

  valueOf(): number {
    return this.value;
  }

  toJSON(): number {
    return this.value;
  }
}

export function pythonFloat(value: number): PythonFloat {
  return new PythonFloat(value);
}

/** A Python float's value as the values carry one: wrapped when whole (a bare 2 is an int), else the number. */
export function floatValue(value: number): number | PythonFloat {
  return Number.isInteger(value) ? new PythonFloat(value) : value;
}
