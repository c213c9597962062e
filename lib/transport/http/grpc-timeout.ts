/**
 * The `grpc-timeout` header over HTTP, as grpc-gateway reads it (runtime/context.go: timeoutDecode,
 * AnnotateContext): a signed count and a unit (H, M, S, m, u, n), the time the caller has left; an
 * empty header or a zero timeout sets no deadline, a negative one has already passed. A function
 * answering an HTTP request stops its work within it, as within its own timeout.
 */
import { InvalidArgumentError } from "../../connector/errors.js";

export const GRPC_TIMEOUT_HEADER = "grpc-timeout";

const UNIT_MS: Readonly<Record<string, number>> = { H: 3_600_000, M: 60_000, S: 1000, m: 1, u: 1e-3, n: 1e-6 };
/** strconv.ParseInt's range: a count beyond int64 does not read. */
const INT64_MAX = 2n ** 63n - 1n;

/**
 * The header's value in milliseconds, or undefined for none (empty, or zero); INVALID_ARGUMENT,
 * with grpc-gateway's message, when it does not read.
 */
export function parseGrpcTimeout(value: string): number | undefined {
  if (value === "") return undefined;
  const match = /^([+-]?\d+)([HMSmun])$/.exec(value);
  const count = match ? BigInt(match[1]!) : undefined;
  if (count === undefined || count > INT64_MAX || count < -INT64_MAX - 1n) throw new InvalidArgumentError(`invalid grpc-timeout: ${value}`);
  return count === 0n ? undefined : Number(count) * UNIT_MS[match![2]!]!;
}

/** `ms` as the header's value: whole milliseconds, at least 1 (0 would read as no deadline), within the spec's 8 digits. */
export function formatGrpcTimeout(ms: number): string {
  const whole = Math.max(1, Math.floor(ms));
  return whole < 1e8 ? `${whole}m` : `${Math.min(Math.ceil(whole / 1000), 99_999_999)}S`;
}
