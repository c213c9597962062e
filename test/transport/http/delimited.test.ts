import { describe, expect, test } from "vitest";
import { InvalidArgumentError } from "../../../lib/connector/errors.js";
import { flyteidl } from "../../../lib/idl/index.js";
import { decodeDelimited, encodeDelimited } from "../../../lib/transport/http/delimited.js";

const { admin } = flyteidl;
const typeName = "flyteidl.admin.GetTaskLogsResponse";

const messages = [
  new admin.GetTaskLogsResponse({ header: { token: "next" } }),
  new admin.GetTaskLogsResponse({ body: { results: ["a", "b".repeat(300)] } }),
  new admin.GetTaskLogsResponse(),
];

describe("length-delimited streams", () => {
  test("each message is preceded by its length as a varint", () => {
    const bytes = encodeDelimited(admin.GetTaskLogsResponse, messages);
    const first = admin.GetTaskLogsResponse.encode(messages[0]!).finish();
    expect(bytes[0]).toBe(first.length);
    expect([...bytes.subarray(1, 1 + first.length)]).toEqual([...first]);
    // The second message is longer than 127 bytes: a two-byte varint.
    const second = admin.GetTaskLogsResponse.encode(messages[1]!).finish();
    const at = 1 + first.length;
    expect(second.length).toBeGreaterThan(127);
    expect(bytes[at]! & 0x80).toBe(0x80);
    expect((bytes[at]! & 0x7f) | (bytes[at + 1]! << 7)).toBe(second.length);
    // The empty message is a zero length and nothing else.
    expect(bytes.at(-1)).toBe(0);
  });

  test("round trip", () => {
    const decoded = decodeDelimited(admin.GetTaskLogsResponse, typeName, encodeDelimited(admin.GetTaskLogsResponse, messages));
    const json = (message: flyteidl.admin.IGetTaskLogsResponse) => admin.GetTaskLogsResponse.toObject(message as flyteidl.admin.GetTaskLogsResponse);
    expect(decoded.map(json)).toEqual(messages.map(json));
  });

  test("no bytes are no messages", () => {
    expect(encodeDelimited(admin.GetTaskLogsResponse, [])).toHaveLength(0);
    expect(decodeDelimited(admin.GetTaskLogsResponse, typeName, new Uint8Array())).toEqual([]);
  });

  test("a cut-off length prefix is INVALID_ARGUMENT", () => {
    expect(() => decodeDelimited(admin.GetTaskLogsResponse, typeName, new Uint8Array([0x80]))).toThrow(
      new InvalidArgumentError(`Message 0 of the ${typeName} stream has a cut-off length prefix.`),
    );
  });

  test("a cut-off message is INVALID_ARGUMENT", () => {
    const bytes = encodeDelimited(admin.GetTaskLogsResponse, messages.slice(0, 2));
    expect(() => decodeDelimited(admin.GetTaskLogsResponse, typeName, bytes.subarray(0, bytes.length - 1))).toThrow(
      /^Message 1 of the flyteidl\.admin\.GetTaskLogsResponse stream is cut off: \d+ bytes announced, \d+ left\.$/,
    );
  });

  test("a message that does not decode is INVALID_ARGUMENT naming the type", () => {
    expect(() => decodeDelimited(admin.GetTaskLogsResponse, typeName, new Uint8Array([2, 0x0a, 0xff]))).toThrow(
      /^Cannot decode flyteidl\.admin\.GetTaskLogsResponse: /,
    );
  });
});
