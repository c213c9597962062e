import { describe, expect, it } from "vitest";
import { percentile, summarize } from "../../bench/stats.js";

describe("percentile", () => {
  const sorted = Float64Array.from({ length: 100 }, (_, i) => i + 1);

  it("takes the nearest rank", () => {
    expect(percentile(sorted, 50)).toBe(50);
    expect(percentile(sorted, 99)).toBe(99);
    expect(percentile(sorted, 100)).toBe(100);
    expect(percentile([7], 1)).toBe(7);
    expect(percentile([1, 2, 3], 50)).toBe(2);
  });

  it("refuses no samples and a percentile out of range", () => {
    expect(() => percentile([], 50)).toThrow("percentile of no samples");
    expect(() => percentile(sorted, 0)).toThrow("percentile must be in (0, 100], got 0");
    expect(() => percentile(sorted, 101)).toThrow(RangeError);
  });
});

describe("summarize", () => {
  it("sorts a copy and reports median, p99, min and max", () => {
    const samples = [5, 1, 4, 2, 3];
    expect(summarize(samples)).toEqual({ count: 5, median: 3, p99: 5, min: 1, max: 5 });
    expect(samples).toEqual([5, 1, 4, 2, 3]);
  });
});
