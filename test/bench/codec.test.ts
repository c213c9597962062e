import { describe, expect, it } from "vitest";
import { assertSameMessage, protoClosure } from "../../bench/suites/codec.js";
import { flyteidl } from "../../lib/idl/index.js";

describe("protoClosure", () => {
  const files: Record<string, string> = {
    "a/entry.proto": 'syntax = "proto3";\nimport "a/b.proto";\nimport public "a/c.proto";\nimport "google/protobuf/struct.proto";\n',
    "a/b.proto": 'import "a/c.proto";\n',
    "a/c.proto": 'import weak "a/d.proto";\n// import "a/not-an-import.proto";\n',
    "a/d.proto": "",
  };
  const read = (path: string) => {
    const text = files[path];
    if (text === undefined) throw new Error(`no ${path}`);
    return text;
  };

  it("follows imports transitively, once each, leaving out the well-known types", () => {
    expect(protoClosure("a/entry.proto", read)).toEqual(["a/b.proto", "a/c.proto", "a/d.proto", "a/entry.proto"]);
  });

  it("covers the real agent.proto without the service file's missing annotations import", () => {
    const closure = protoClosure("flyteidl/admin/agent.proto");
    expect(closure).toContain("flyteidl/core/literals.proto");
    expect(closure.some((file) => file.startsWith("google/"))).toBe(false);
  });
});

describe("assertSameMessage", () => {
  const type = flyteidl.admin.CreateTaskRequest;
  const withExplicitZero = type.encode({ outputPrefix: "s3://bucket/x", template: { type: "echo", taskTypeVersion: 0 } }).finish();
  const withoutIt = type.encode({ outputPrefix: "s3://bucket/x", template: { type: "echo" } }).finish();

  it("accepts an encoder that leaves out proto3 zero values", () => {
    expect(withoutIt.byteLength).toBeLessThan(withExplicitZero.byteLength);
    expect(() => assertSameMessage(withExplicitZero, withoutIt)).not.toThrow();
  });

  it("rejects a changed message", () => {
    const changed = type.encode({ outputPrefix: "s3://bucket/y", template: { type: "echo" } }).finish();
    expect(() => assertSameMessage(withExplicitZero, changed)).toThrow(
      `re-encoding the decoded message changed it (${changed.byteLength} bytes instead of ${withExplicitZero.byteLength})`,
    );
  });
});
