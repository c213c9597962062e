import { describe, expect, it } from "vitest";
import { parseOptions, UsageError } from "../../bench/options.js";
import { SUITE_NAMES } from "../../bench/results.js";

describe("parseOptions", () => {
  it("runs every suite, writes and does not check by default", () => {
    expect(parseOptions([])).toEqual({ suites: SUITE_NAMES, check: false, write: true, help: false });
  });

  it("runs the suites named, in their fixed order, once each", () => {
    expect(parseOptions(["codec", "size", "coldstart", "size"]).suites).toEqual(["size", "coldstart", "codec"]);
  });

  it("takes --check, --no-write and --help", () => {
    expect(parseOptions(["warm", "--check", "--no-write"])).toEqual({ suites: ["warm"], check: true, write: false, help: false });
    expect(parseOptions(["-h"]).help).toBe(true);
  });

  it("rejects an unknown suite or option by name", () => {
    expect(() => parseOptions(["sizes"])).toThrow(new UsageError('unknown suite "sizes"'));
    expect(() => parseOptions(["--chek"])).toThrow(new UsageError('unknown option "--chek"'));
  });
});
