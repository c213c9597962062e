/**
 * The `grpc-timeout` header over HTTP, as grpc-gateway reads it (runtime/context.go, timeoutDecode):
 * a count and a unit (H, M, S, m, u, n), the time the caller has left. A function answering an
 * HTTP request stops its work within it, as within its own timeout.
 */
import { InvalidArgumentError } from "../../connector/errors.js";

export const GRPC_TIMEOUT_HEADER = "grpc-timeout";

const UNIT_MS: Readonly<Record<string, number>> = { H: 3_600_000, M: 60_000, S: 1000, m: 1, u: 1e-3, n: 1e-6 };

/** The header's value in milliseconds; INVALID_ARGUMENT, with grpc-gateway's message, when it is not one. */
export function parseGrpcTimeout(value: string): number {
  const match = /^(\d+)([HMSmun])$/.exec(value);
  if (!match) throw new InvalidArgumentError(`invalid grpc-timeout: ${value}`);
  return Number(match[1]) * UNIT_MS[match[2]!]!;
}

/** `ms` as the header's value: whole milliseconds, which the gRPC spec allows up to 8 digits of. */
export function formatGrpcTimeout(ms: number): string {
  const whole = Math.max(0, Math.floor(ms));
  return whole < 1e8 ? `${whole}m` : `${Math.min(Math.ceil(whole / 1000), 99_999_999)}S`;
}
