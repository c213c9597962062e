/**
 * The generated Flyte 2 codec, and what the protocol layer (lib/service/flyteidl2/messages.ts)
 * relies on: every field the Flyte 2 connector messages share with their Flyte 1 counterparts has
 * the same number, kind and type, at any depth, so a message maps across by its bytes.
 */
import type { Enum, Field, Type } from "protobufjs";
import { describe, expect, test } from "vitest";
import { descriptor2, flyteidl2 } from "../../lib/idl/flyteidl2.js";
import { flyteidl } from "../../lib/idl/index.js";
import { flyteidl2Operations } from "../../lib/service/flyteidl2/operations.js";
import { operations } from "../../lib/service/operations.js";

/** Flyte 2's name of a Flyte 1 type: the connector messages moved from admin, Inputs/Outputs are LiteralMaps. */
function counterpart(v2Name: string): string {
  if (v2Name === ".flyteidl2.task.Inputs" || v2Name === ".flyteidl2.task.Outputs") return ".flyteidl.core.LiteralMap";
  if (v2Name === ".flyteidl2.logs.dataplane.LogLine") return ".flyteidl.admin.LogLine";
  if (v2Name === ".flyteidl2.logs.dataplane.LogLineOriginator") return ".flyteidl.admin.LogLineOriginator";
  if (v2Name === ".flyteidl2.connector.Connector") return ".flyteidl.admin.Agent";
  return v2Name.replace(/^\.flyteidl2\.connector\./, ".flyteidl.admin.").replace(/^\.flyteidl2\./, ".flyteidl.");
}

/** A field as the wire sees it: map, repeated or single, and its scalar type or the counterpart of its message/enum. */
function wireKind(field: Field, protocol: 1 | 2): string {
  const type = field.resolvedType ? (protocol === 2 ? counterpart(field.resolvedType.fullName) : field.resolvedType.fullName) : field.type;
  return `${field.map ? `map<${(field as Field & { keyType: string }).keyType}>` : field.repeated ? "repeated" : "single"} ${type}`;
}

describe("the Flyte 2 codec", () => {
  test("has the two connector services, each method annotated with its route", () => {
    expect(Object.keys(descriptor2.services)).toEqual(["flyteidl2.connector.AsyncConnectorService", "flyteidl2.connector.ConnectorMetadataService"]);
    for (const operation of Object.values(flyteidl2Operations)) expect(operation.http.path).toMatch(/^\/api\/v1\/connector/);
  });

  test("encodes and decodes Flyte 2's own fields (connection, Inputs.context)", () => {
    const { CreateTaskRequest } = flyteidl2.connector;
    const request = { connection: { secrets: { k: "v" }, configs: { c: "d" } }, inputs: { literals: [{ name: "x", value: {} }], context: [{ key: "a", value: "b" }] } };
    const decoded = CreateTaskRequest.decode(CreateTaskRequest.encode(request).finish());
    expect(CreateTaskRequest.toObject(decoded)).toEqual(request);
  });

  test("every field a Flyte 2 connector message shares with its Flyte 1 counterpart is the same on the wire", () => {
    const shared: string[] = [];
    const seen = new Set<string>();
    const compare = (v2: Type | Enum, v1: Type | Enum) => {
      if (seen.has(v2.fullName)) return;
      seen.add(v2.fullName);
      if (!("fieldsById" in v2)) {
        // An enum: every value Flyte 1 knows keeps its number.
        for (const [name, value] of Object.entries((v1 as Enum).values)) if (name in v2.values) expect(v2.values[name], `${v2.fullName}.${name}`).toBe(value);
        return;
      }
      for (const field of v2.fieldsArray) {
        const other = (v1 as Type).fieldsById[field.id];
        if (!other) continue;
        shared.push(`${v2.fullName}.${field.name}`);
        const where = `${v2.fullName}.${field.name} (${field.id})`;
        if (other.map && !field.map) {
          // Repeated {name = 1, value = 2} (task.NamedLiteral) is a map<string, V> on the wire.
          const entry = field.resolvedType as Type;
          expect(field.repeated, where).toBe(true);
          expect([wireKind(entry.fieldsById[1]!, 2), wireKind(entry.fieldsById[2]!, 2)], where).toEqual([`single ${(other as Field & { keyType: string }).keyType}`, `single ${other.resolvedType!.fullName}`]);
          compare(entry.fieldsById[2]!.resolvedType as Type, other.resolvedType as Type);
          continue;
        }
        expect(wireKind(field, 2), where).toBe(wireKind(other, 1));
        if (field.resolvedType && other.resolvedType) compare(field.resolvedType as Type | Enum, other.resolvedType as Type | Enum);
      }
    };
    for (const name of Object.keys(flyteidl2Operations) as (keyof typeof flyteidl2Operations)[]) {
      compare(flyteidl2Operations[name].requestType.$type, operations[name].requestType.$type);
      compare(flyteidl2Operations[name].responseType.$type, operations[name].responseType.$type);
    }
    // What the mapping carries across, at least: the template, inputs and outputs, the resource.
    expect(shared).toEqual(expect.arrayContaining([
      ".flyteidl2.connector.CreateTaskRequest.template",
      ".flyteidl2.connector.CreateTaskRequest.inputs",
      ".flyteidl2.core.TaskTemplate.custom",
      ".flyteidl2.core.Literal.scalar",
      ".flyteidl2.connector.Resource.outputs",
      ".flyteidl2.connector.Resource.phase",
      ".flyteidl2.connector.GetTaskLogsResponseBody.lines",
    ]));
    expect(flyteidl.admin.Resource.$type.fieldsById[5]?.name).toBe("phase");
  });
});
