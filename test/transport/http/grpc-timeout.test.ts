/** The grpc-timeout header as grpc-gateway reads it (runtime/context.go, timeoutDecode), and as the HTTP client writes it. */
import { describe, expect, test } from "vitest";
import { Status } from "../../../lib/connector/errors.js";
import { formatGrpcTimeout, parseGrpcTimeout } from "../../../lib/transport/http/grpc-timeout.js";

describe("parseGrpcTimeout", () => {
  test.each([
    ["2H", 7_200_000],
    ["3M", 180_000],
    ["10S", 10_000],
    ["1500m", 1500],
    ["2500u", 2.5],
    ["3000000n", 3],
    // strconv.ParseInt takes a sign: a negative timeout has already passed.
    ["+5S", 5000],
    ["-1S", -1000],
  ])("%s is %d ms", (value, ms) => {
    expect(parseGrpcTimeout(value)).toBe(ms);
  });

  test.each(["", "0m", "-0S"])("%j sets no deadline, as grpc-gateway skips an empty header and a zero timeout", (value) => {
    expect(parseGrpcTimeout(value)).toBeUndefined();
  });

  test.each(["S", "10", "10s", "1.5S", " 10S", "10S,5S", "9223372036854775808S"])("%j is INVALID_ARGUMENT, in grpc-gateway's words", (value) => {
    expect(() => parseGrpcTimeout(value)).toThrow(expect.objectContaining({ code: Status.INVALID_ARGUMENT, message: `invalid grpc-timeout: ${value}` }));
  });
});

describe("formatGrpcTimeout", () => {
  test("whole milliseconds, at least 1 (0 would read as none), in seconds beyond the spec's 8 digits; each reads back", () => {
    expect(formatGrpcTimeout(1500.7)).toBe("1500m");
    expect(formatGrpcTimeout(0.4)).toBe("1m");
    expect(formatGrpcTimeout(-20)).toBe("1m");
    expect(formatGrpcTimeout(99_999_999)).toBe("99999999m");
    expect(formatGrpcTimeout(100_000_000)).toBe("100000S");
    for (const ms of [1, 1500, 99_999_999, 100_000_000]) expect(parseGrpcTimeout(formatGrpcTimeout(ms))).toBe(ms);
  });
});
