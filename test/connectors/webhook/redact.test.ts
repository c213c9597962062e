import { describe, expect, it } from "vitest";
import { SecretRedactor } from "../../../lib/connectors/webhook/redact.js";

describe("SecretRedactor", () => {
  it("redacts a secret as sent, JSON-escaped and percent-encoded", () => {
    const redactor = new SecretRedactor();
    redactor.add('p@ss "word"/x');
    expect(redactor.text('raw p@ss "word"/x, json "p@ss \\"word\\"/x", url p%40ss%20%22word%22%2Fx')).toBe(
      'raw [redacted], json "[redacted]", url [redacted]',
    );
  });

  it("redacts the longer of two overlapping secrets whole", () => {
    const redactor = new SecretRedactor();
    redactor.add("abc");
    redactor.add("abcdef");
    expect(redactor.text("abcdef abc")).toBe("[redacted] [redacted]");
  });

  it("ignores an empty secret and leaves other text alone", () => {
    const redactor = new SecretRedactor();
    redactor.add("");
    expect(redactor.text("nothing secret")).toBe("nothing secret");
  });

  it("redacts every string of a JSON value, keys included", () => {
    const redactor = new SecretRedactor();
    redactor.add("tok");
    expect(redactor.json({ a: ["x tok", 1, null], tok: { b: "tok" } })).toEqual({
      a: ["x [redacted]", 1, null],
      "[redacted]": { b: "[redacted]" },
    });
  });
});
