import { describe, expect, it } from "vitest";
import { PythonFloat } from "../../../lib/connector/python-json.js";
import { fillPlaceholders, type Placeholder } from "../../../lib/connectors/webhook/placeholders.js";

const values: Record<string, unknown> = { n: 7, f: new PythonFloat(2), s: "x", t: "{inputs.n}", o: { a: 1 } };

function resolve(placeholder: Placeholder) {
  if (placeholder.root !== "inputs") throw new Error(`unknown root ${placeholder.root}`);
  const key = placeholder.path.join(".");
  if (!(key in values)) throw new Error(`no ${key}`);
  return values[key] as never;
}

describe("fillPlaceholders", () => {
  it("gives a whole-string placeholder its value, typed", () => {
    expect(fillPlaceholders("{inputs.n}", "v", resolve)).toBe(7);
    expect(fillPlaceholders("{inputs.o}", "v", resolve)).toEqual({ a: 1 });
  });

  it("splices Python's str of each value into text", () => {
    expect(fillPlaceholders("n={inputs.n}, f={inputs.f}, s={inputs.s}, o={inputs.o}", "v", resolve)).toBe(
      'n=7, f=2.0, s=x, o={"a": 1}',
    );
    expect(fillPlaceholders("{inputs.n}{inputs.n}", "v", resolve)).toBe("77");
  });

  it("fills nested objects and lists, and leaves other values alone", () => {
    expect(fillPlaceholders({ a: ["{inputs.s}", 1, null, true], b: { c: "{inputs.n}" } }, "v", resolve)).toEqual({
      a: ["x", 1, null, true],
      b: { c: 7 },
    });
  });

  it("passes the path after the root", () => {
    const seen: Placeholder[] = [];
    fillPlaceholders("{inputs.m.k.l}", "v", (placeholder) => (seen.push(placeholder), ""));
    expect(seen).toEqual([{ text: "{inputs.m.k.l}", root: "inputs", path: ["m", "k", "l"] }]);
  });

  it("leaves braces that are not placeholders", () => {
    for (const text of ['{"a.b": 1}', "{}", "{inputs}", "{1.5}", "{ inputs.n}", "a {b} c"]) {
      expect(fillPlaceholders(text, "v", resolve)).toBe(text);
    }
  });

  it("does not expand placeholders a value brings in", () => {
    expect(fillPlaceholders("[{inputs.t}]", "v", resolve)).toBe("[{inputs.n}]");
    expect(fillPlaceholders("{inputs.t}", "v", resolve)).toBe("{inputs.n}");
  });

  it("says which placeholder failed, where, and why", () => {
    expect(() => fillPlaceholders({ k: ["ok", "a {inputs.zz} b"] }, "custom", resolve)).toThrow(
      'Cannot fill {inputs.zz} in custom["k"][1]: no zz',
    );
    expect(() => fillPlaceholders("{env.HOME}", "custom", resolve)).toThrow("Cannot fill {env.HOME} in custom: unknown root env");
  });
});
