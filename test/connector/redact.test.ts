import { describe, expect, it } from "vitest";
import { PythonFloat } from "../../lib/connector/python-json.js";
import { SecretRedactor } from "../../lib/connector/redact.js";

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

  it("hides two secrets that overlap without either holding the other as one, leaving nothing of either", () => {
    const redactor = new SecretRedactor();
    redactor.add("token-abcd");
    redactor.add("cd-suffix");
    expect(redactor.text("x token-abcd-suffix y, cd-suffix")).toBe("x [redacted] y, [redacted]");
  });

  it("never looks for a secret inside the markers: a secret that is part of '[redacted]' leaves them whole", () => {
    const redactor = new SecretRedactor();
    redactor.add("abcdef-ghi");
    redactor.add("d");
    redactor.add("act");
    expect(redactor.text("abcdef-ghi and d, exact")).toBe("[redacted] an[redacted] [redacted], ex[redacted]");
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

  it("keeps a JSON value's numbers as they are: a whole float (PythonFloat) and a bigint", () => {
    const redactor = new SecretRedactor();
    redactor.add("tok");
    const redacted = redactor.json({ f: new PythonFloat(2), big: 9007199254740993n, s: "tok" }) as Record<string, unknown>;
    expect(redacted["f"]).toBeInstanceOf(PythonFloat);
    expect(redacted).toEqual({ f: new PythonFloat(2), big: 9007199254740993n, s: "[redacted]" });
  });
});

describe("SecretRedactor forms and errors", () => {
  it("redacts a secret's base64 form", () => {
    const redactor = new SecretRedactor();
    redactor.add("hunter22");
    expect(redactor.text(`b64 ${Buffer.from("hunter22").toString("base64")}`)).toBe("b64 [redacted]");
  });

  it("redacts its URL-safe base64, form-encoded and lower-hex percent-encoded forms", () => {
    const redactor = new SecretRedactor();
    const secret = "s3cr3t>>?key~~ a!b'c/d";
    redactor.add(secret);
    const forms = [
      Buffer.from(secret).toString("base64url"),
      new URLSearchParams({ p: secret }).toString().slice(2),
      encodeURIComponent(secret).replace(/%[0-9A-F]{2}/g, (escape) => escape.toLowerCase()),
    ];
    expect(forms.map((form) => redactor.text(`x ${form} y`))).toEqual(["x [redacted] y", "x [redacted] y", "x [redacted] y"]);
  });

  it("copies an error for the log with message, stack and causes redacted", () => {
    const redactor = new SecretRedactor();
    redactor.add("hunter22");
    const error = new TypeError("bad token hunter22", { cause: new Error("upstream said hunter22") });
    const copy = redactor.error(error) as Error;
    expect(copy).toBeInstanceOf(Error);
    expect(copy.name).toBe("TypeError");
    expect(copy.message).toBe("bad token [redacted]");
    expect(copy.stack).toContain("bad token [redacted]");
    expect((copy.cause as Error).message).toBe("upstream said [redacted]");
    expect(JSON.stringify([copy.message, copy.stack, (copy.cause as Error).stack])).not.toContain("hunter22");
    expect(error.message).toBe("bad token hunter22");
  });

  it("turns a thrown non-Error into its redacted text", () => {
    const redactor = new SecretRedactor();
    redactor.add("hunter22");
    expect(redactor.error("hunter22!")).toBe("[redacted]!");
  });
});

describe("passing secrets", () => {
  it("keeps the most recently seen, each sighting renewing one, so a process gathers no unbounded set", () => {
    const redactor = new SecretRedactor({ maxPassing: 2 });
    redactor.addPassing("token-1");
    redactor.addPassing("token-2");
    redactor.addPassing("token-1"); // in use again: token-2 is now the least recently seen
    redactor.addPassing("token-3");
    expect(redactor.text("token-1 token-2 token-3")).toBe("[redacted] token-2 [redacted]");
  });

  it("never lets a lasting secret go, and a passing one added as lasting stays", () => {
    const redactor = new SecretRedactor({ maxPassing: 1 });
    redactor.add("sealing-key");
    redactor.addPassing("both-kinds");
    redactor.add("both-kinds");
    for (const n of [1, 2, 3]) redactor.addPassing(`token-${n}`);
    redactor.addPassing("sealing-key");
    expect(redactor.text("sealing-key both-kinds token-2 token-3")).toBe("[redacted] [redacted] token-2 [redacted]");
  });

  it("redacts a passing secret in every form a lasting one has", () => {
    const redactor = new SecretRedactor();
    redactor.addPassing('p@ss "word"');
    const base64 = Buffer.from('p@ss "word"').toString("base64");
    expect(redactor.text(`p@ss "word" p%40ss%20%22word%22 p@ss \\"word\\" ${base64}`)).toBe("[redacted] [redacted] [redacted] [redacted]");
  });
});
