import { describe, expect, test } from "vitest";
import { ConnectorError, Status } from "../../lib/connector/errors.js";
import { flyteidl } from "../../lib/idl/index.js";
import { MAX_MESSAGE_DEPTH, MAX_REQUEST_DEPTH } from "../../lib/limits.js";
import { decodeBase64, decodeMessage, encodeBase64 } from "../../lib/transport/codec.js";
import { rejection } from "../support/rejection.js";

describe("decodeMessage", () => {
  const { LiteralMap } = flyteidl.core;

  /** A LiteralMap whose deepest message is at `depth`, counted as protobufjs counts (the map is 0). */
  function nestedTo(depth: number): Uint8Array {
    // Each map level adds 2 (the literal, then its LiteralMap); the leaf literal and its scalar add 2.
    let map: flyteidl.core.ILiteralMap = { literals: { leaf: { scalar: {} } } };
    for (let level = 2; level < depth; level += 2) map = { literals: { k: { map } } };
    return LiteralMap.encode(map).finish();
  }

  test("reads messages nested as deep as protobufjs goes, and refuses one level more", () => {
    expect(() => decodeMessage(LiteralMap, "flyteidl.core.LiteralMap", nestedTo(MAX_MESSAGE_DEPTH))).not.toThrow();
    // protobufjs itself encodes no deeper, so the bytes one level deeper are the same nesting under a header.
    const deeper = Uint8Array.of(0x0a, ...delimited(nestedTo(MAX_MESSAGE_DEPTH)));
    expect(() => decodeMessage(flyteidl.admin.CreateTaskRequest, "flyteidl.admin.CreateTaskRequest", deeper)).toThrow(
      "Cannot decode flyteidl.admin.CreateTaskRequest: messages nest deeper than 100 levels.",
    );
  });

  test("holds a request to the depth its answer can still carry", async () => {
    expect(() => decodeMessage(LiteralMap, "flyteidl.core.LiteralMap", nestedTo(MAX_REQUEST_DEPTH), MAX_REQUEST_DEPTH)).not.toThrow();
    const error = await rejection(
      (async () => decodeMessage(LiteralMap, "flyteidl.core.LiteralMap", nestedTo(MAX_REQUEST_DEPTH + 2), MAX_REQUEST_DEPTH))(),
    );
    expect(error).toMatchObject({
      code: Status.INVALID_ARGUMENT,
      message: `Cannot decode flyteidl.core.LiteralMap: messages nest deeper than ${MAX_REQUEST_DEPTH} levels.`,
    });
  });
});

/** `bytes` behind a varint of their length, as a length-delimited field's payload. */
function delimited(bytes: Uint8Array): number[] {
  const prefix: number[] = [];
  for (let length = bytes.length; ; length >>>= 7) {
    if (length < 0x80) {
      prefix.push(length);
      break;
    }
    prefix.push((length & 0x7f) | 0x80);
  }
  return [...prefix, ...bytes];
}

describe("decodeBase64", () => {
  test.each([
    ["no padding", "QUJD", "ABC"],
    ["one padding character", "QUI=", "AB"],
    ["two padding characters", "QQ==", "A"],
    ["nothing", "", ""],
    ["both + and /", "+/+/", "\u00fb\u00ff\u00bf"],
  ])("takes %s", (_, text, latin1) => {
    expect(Buffer.from(decodeBase64(text, "body")).toString("latin1")).toBe(latin1);
  });

  test.each([
    ["a length that is not a multiple of 4", "QUJ"],
    ["unpadded", "QQ"],
    ["a character outside the alphabet", "QU!D"],
    ["whitespace", "QUJD RA="],
    ["padding in the middle", "QQ==QUJD"],
    ["three padding characters", "Q==="],
    ["only padding", "===="],
    ["the URL-safe alphabet", "-_-_"],
    ["a non-ASCII character", "QUJ\u00e9"],
  ])("refuses %s as INVALID_ARGUMENT", (_, text) => {
    const error = (() => {
      try {
        decodeBase64(text, '"body"');
      } catch (caught) {
        return caught;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(ConnectorError);
    expect((error as ConnectorError).code).toBe(Status.INVALID_ARGUMENT);
    expect((error as ConnectorError).message).toBe('"body" is not valid base64.');
  });

  test("refuses what is not a string", () => {
    expect(() => decodeBase64(42, '"body"')).toThrow('"body" must be a base64 string.');
  });

  test("round-trips every byte value", () => {
    const bytes = Uint8Array.from({ length: 256 }, (_, i) => i);
    for (let length = 0; length <= 6; length += 1) {
      const slice = bytes.subarray(0, 250 + length);
      expect(decodeBase64(encodeBase64(slice), "body")).toEqual(Buffer.from(slice));
    }
  });
});
