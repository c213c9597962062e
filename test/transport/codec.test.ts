import { describe, expect, test } from "vitest";
import { ConnectorError, Status } from "../../lib/connector/errors.js";
import { decodeBase64, encodeBase64 } from "../../lib/transport/codec.js";

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
