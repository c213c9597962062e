/**
 * What infra/generate-idl.mjs adds to protobufjs's reflection: codec methods generated one by one
 * on first use (in any order, each working without the others), map entries without a value
 * decoded as proto3 says, unset oneof members reading null as in static code, and the
 * descriptor's JSON mapping tables parsed on first use.
 */
import protobuf from "protobufjs/light.js";
import { describe, expect, test } from "vitest";
import { descriptor, flyteidl, google } from "../../lib/idl/index.js";

const { Literal } = flyteidl.core;

describe("codec methods generated on first use", () => {
  test("decode first, then encode, toObject and fromObject each work on their own", () => {
    const bytes = new Uint8Array([0x0a, 0x08, 0x0a, 0x06, 0x1a, 0x04, 0x74, 0x65, 0x78, 0x74]);
    const literal = Literal.decode(bytes);
    expect(literal.scalar?.primitive?.stringValue).toBe("text");
    expect(Buffer.from(Literal.encode(literal).finish())).toEqual(Buffer.from(bytes));
    expect(Literal.toObject(literal)).toEqual({ scalar: { primitive: { stringValue: "text" } } });
    expect(Literal.fromObject({ scalar: { primitive: { stringValue: "text" } } })).toEqual(literal);
  });

  test("conversion first, then the binary codec", () => {
    const duration = google.protobuf.Duration.fromObject({ seconds: "90", nanos: 5 });
    const decoded = google.protobuf.Duration.decode(google.protobuf.Duration.encode(duration).finish());
    expect(google.protobuf.Duration.toObject(decoded, { longs: String })).toEqual({ seconds: "90", nanos: 5 });
  });
});

describe("constructors, written out by the generator", () => {
  test("behave as protobufjs's generated ones: fresh maps and arrays, given properties but null ones and __proto__", () => {
    const first = new flyteidl.core.LiteralMap();
    const second = new flyteidl.core.LiteralMap();
    expect(Object.hasOwn(first, "literals")).toBe(true);
    expect(first.literals).not.toBe(second.literals);
    expect(new flyteidl.core.LiteralCollection().literals).toEqual([]);
    const literal = new Literal(JSON.parse('{"hash": "h", "scalar": null, "__proto__": {"polluted": true}}') as object);
    expect(Object.keys(literal).sort()).toEqual(["hash", "metadata"]);
    expect((literal as unknown as { polluted?: boolean }).polluted).toBeUndefined();
    expect(literal.scalar).toBeNull();
    expect(Literal.name).toBe("Literal");
    expect(literal).toBeInstanceOf(Literal);
    expect(Literal.$type.ctor).toBe(Literal);
  });
});

describe("editions features, assigned by the generated code", () => {
  test("read as protobufjs's own resolution gives them, for every field", () => {
    const root = Literal.$type.root;
    const resolved = protobuf.Root.fromJSON(root.toJSON());
    const fields = (namespace: protobuf.NamespaceBase): protobuf.Field[] =>
      namespace.nestedArray.flatMap((nested) => [
        ...(nested instanceof protobuf.Type ? nested.fieldsArray : []),
        ...(nested instanceof protobuf.Namespace ? fields(nested) : []),
      ]);
    const traits = (field: protobuf.Field) => [field.fullName, ...[field.required, field.optional, field.delimited, field.packed, field.hasPresence].map(Boolean)];
    const ours = fields(root).map(traits);
    expect(ours.length).toBeGreaterThan(300);
    expect(ours).toEqual(fields(resolved).map(traits));
  });
});

describe("map entries sent without their value", () => {
  /** A map entry of `key` alone: field 1 (the key) and no field 2. */
  const keyOnly = (fieldTag: number, key: string) => [fieldTag, key.length + 2, 0x0a, key.length, ...Buffer.from(key)];

  test("hold the empty message proto3 gives them, wherever the map sits", () => {
    // LiteralMap { literals: { "k": <no value> } }: protobufjs alone would decode null.
    const map = flyteidl.core.LiteralMap.decode(Uint8Array.of(...keyOnly(0x0a, "k")));
    expect(map.literals["k"]).toBeInstanceOf(Literal);
    expect(flyteidl.core.LiteralMap.toObject(map)).toEqual({ literals: { k: {} } });
    // A template's custom Struct, three messages down, and an entry that has its value beside it.
    const struct = [...keyOnly(0x0a, "q"), ...[0x0a, 0x07, 0x0a, 0x01, 0x72, 0x12, 0x02, 0x20, 0x01]];
    const customTag = (flyteidl.core.TaskTemplate.$type.fields["custom"]!.id << 3) | 2;
    const template = flyteidl.core.TaskTemplate.decode(Uint8Array.of(customTag, struct.length, ...struct));
    expect(template.custom!.fields!["q"]).toBeInstanceOf(google.protobuf.Value);
    expect(template.custom!.fields!["r"]).toEqual(new google.protobuf.Value({ boolValue: true }));
    expect(flyteidl.core.TaskTemplate.decode(flyteidl.core.TaskTemplate.encode(template).finish())).toEqual(template);
  });

  test("of scalars keep protobufjs's defaults, and a map of messages sent empty stays empty", () => {
    const labels = flyteidl.admin.TaskExecutionMetadata.decode(Uint8Array.of(...keyOnly(0x1a, "team")));
    expect(labels.labels).toEqual({ team: "" });
    expect(flyteidl.core.LiteralMap.decode(new Uint8Array()).literals).toEqual({});
  });
});

describe("oneofs", () => {
  test("unset members read null and the set one its value, also after a round trip", () => {
    const primitive = flyteidl.core.Primitive.decode(flyteidl.core.Primitive.encode({ boolean: false }).finish());
    expect(primitive.boolean).toBe(false);
    expect(primitive.stringValue).toBeNull();
    expect(primitive.integer).toBeNull();
    expect(primitive.value).toBe("boolean");
    expect(new flyteidl.core.Scalar().primitive).toBeNull();
  });
});

describe("descriptor", () => {
  test("holds the services, and the JSON mapping's fields and enums", () => {
    expect(descriptor.services["flyteidl.service.AsyncAgentService"]?.["CreateTask"]).toMatchObject({
      requestType: "flyteidl.admin.CreateTaskRequest",
      http: { method: "POST", path: "/api/v1/agent/task", body: "*" },
    });
    expect(descriptor.messages["flyteidl.admin.CreateTaskRequest"]?.["output_prefix"]).toEqual(["outputPrefix", null, false, "string", false]);
    expect(descriptor.enums["flyteidl.core.SimpleType"]?.["STRUCT"]).toBe(9);
  });
});
