import { expect, test } from "vitest";
import { flyteidl, google } from "../../lib/idl/index.js";
import { fillMapValues, reflectedType, settleNesting } from "../../lib/idl/nesting.js";
import { MAX_MESSAGE_DEPTH } from "../../lib/limits.js";

const { core } = flyteidl;
const LITERAL_MAP = reflectedType(core.LiteralMap);

/** Literals `levels` maps deep: the LiteralMap is level 0, each map 2 more, the leaf and its scalar 2 more. */
function nested(levels: number): flyteidl.core.ILiteralMap {
  let map: flyteidl.core.ILiteralMap = { literals: { leaf: { scalar: {} } } };
  for (let level = 0; level < levels; level++) map = { literals: { k: { map } } };
  return map;
}

test("a map entry decoded without its value gets the empty message proto3 gives it", () => {
  // LiteralMap { literals: { "k": <no value> } }: the entry holds only its key.
  const decoded = core.LiteralMap.decode(Uint8Array.of(0x0a, 0x03, 0x0a, 0x01, 0x6b));
  expect(decoded.literals.k).toBeNull();
  expect(settleNesting(LITERAL_MAP, decoded, MAX_MESSAGE_DEPTH)).toBe(1);
  expect(decoded.literals.k).toBeInstanceOf(core.Literal);
  expect(core.LiteralMap.toObject(decoded)).toEqual({ literals: { k: {} } });
});

test("depth is counted as protobufjs counts it, and not past the limit", () => {
  const deepest = nested((MAX_MESSAGE_DEPTH - 2) / 2);
  expect(settleNesting(LITERAL_MAP, deepest, MAX_MESSAGE_DEPTH)).toBe(MAX_MESSAGE_DEPTH);
  // protobufjs encodes and decodes exactly that deep, and no deeper.
  expect(() => core.LiteralMap.decode(core.LiteralMap.encode(deepest).finish())).not.toThrow();
  expect(() => core.LiteralMap.encode(nested(MAX_MESSAGE_DEPTH / 2)).finish()).toThrow("max depth exceeded");
  expect(settleNesting(LITERAL_MAP, nested(10_000), 10)).toBe(11);
});

test("fillMapValues fills the map entries of a template wherever they sit, and nothing else", () => {
  // A template whose interface's input variable "x" and whose custom Struct field "q" came without values.
  const template = core.TaskTemplate.decode(
    core.TaskTemplate.encode({
      type: "t",
      interface: { inputs: { variables: { x: {} } } },
      custom: { fields: { q: {} } },
      config: { region: "eu" },
    }).finish(),
  );
  template.interface!.inputs!.variables!["x"] = null as unknown as flyteidl.core.Variable;
  template.custom!.fields!["q"] = null as unknown as google.protobuf.Value;
  fillMapValues(reflectedType(core.TaskTemplate), template);
  expect(template.interface!.inputs!.variables!["x"]).toBeInstanceOf(core.Variable);
  expect(template.custom!.fields!["q"]).toBeInstanceOf(google.protobuf.Value);
  expect(template.config).toEqual({ region: "eu" });
});
