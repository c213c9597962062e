import { describe, expect, it } from "vitest";
import { interleaved } from "../../bench/interleaved.js";

describe("interleaved", () => {
  it("samples each case once per round, in order, and keeps the rounds after the priming ones", async () => {
    const calls: string[] = [];
    let round = 0;
    const samples = await interleaved(["a", "b"], { runs: 2, priming: 1 }, async (c) => {
      calls.push(c);
      if (c === "b") round += 1;
      return `${c}${round}`;
    });
    expect(calls).toEqual(["a", "b", "a", "b", "a", "b"]);
    expect(samples).toEqual([["a1", "a2"], ["b2", "b3"]]);
  });

  it("stops at a sample that fails, priming rounds included", async () => {
    await expect(interleaved(["a"], { runs: 3, priming: 1 }, async () => Promise.reject(new Error("answered an error")))).rejects.toThrow("answered an error");
  });
});
