import { describe, expect, test } from "vitest";
import { Status } from "../../../lib/connector/errors.js";
import { HttpError } from "../../../lib/transport/http/errors.js";
import { requestMediaType, responseMediaType, type MediaType } from "../../../lib/transport/http/media-types.js";

function httpError(run: () => unknown): HttpError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(HttpError);
    return error as HttpError;
  }
  throw new Error("no error");
}

describe("Content-Type", () => {
  test.each([
    [undefined, "application/json"],
    ["", "application/json"],
    ["application/json", "application/json"],
    ["application/json; charset=utf-8", "application/json"],
    ["Application/JSON;charset=UTF-8", "application/json"],
    ["application/x-protobuf", "application/x-protobuf"],
    ["application/x-protobuf; messageType=flyteidl.admin.CreateTaskRequest", "application/x-protobuf"],
    ["application/octet-stream", "application/octet-stream"],
  ])("%j is %s", (header, type) => {
    expect(requestMediaType(header)).toBe(type);
  });

  test.each([["text/plain"], ["application/xml"], ["multipart/form-data; boundary=x"], ["application/jsonx"]])("%s is 415", (header) => {
    const error = httpError(() => requestMediaType(header));
    expect(error.httpStatus).toBe(415);
    expect(error.code).toBe(Status.INVALID_ARGUMENT);
    expect(error.message).toBe(
      `Unsupported Content-Type "${header.split(";")[0]}": use one of application/json, application/x-protobuf, application/octet-stream.`,
    );
  });
});

describe("Accept", () => {
  const json = "application/json";
  const protobuf = "application/x-protobuf";
  const octets = "application/octet-stream";

  test.each<[string | undefined, MediaType, MediaType]>([
    [undefined, json, json],
    [undefined, protobuf, protobuf],
    ["", octets, octets],
    ["*/*", json, json],
    ["*/*", octets, octets],
    ["application/*", protobuf, protobuf],
    ["application/json", protobuf, json],
    ["application/x-protobuf", json, protobuf],
    ["application/octet-stream", json, octets],
    ["APPLICATION/X-PROTOBUF", json, protobuf],
    ["text/html, application/json;q=0.9, */*;q=0.1", protobuf, json],
    ["application/json;q=0.5, application/x-protobuf", json, protobuf],
    ["application/json;q=0, */*", json, protobuf],
    ["application/json; q=0.5, application/octet-stream; q=0.8, */*;q=0.1", json, octets],
    ["application/x-protobuf, application/json", json, json],
    ["application/json;q=abc", protobuf, json],
    ["text/html, garbage, application/json", protobuf, json],
  ])("%j with %s preferred is %s", (accept, preferred, expected) => {
    expect(responseMediaType(accept, preferred)).toBe(expected);
  });

  test.each([["text/html"], ["application/json;q=0"], ["*/*;q=0"], ["garbage"], ["application/xml, text/*"]])("%j is 406", (accept) => {
    const error = httpError(() => responseMediaType(accept, json));
    expect(error.httpStatus).toBe(406);
    expect(error.code).toBe(Status.INVALID_ARGUMENT);
    expect(error.message).toBe(
      `None of the accepted types "${accept}" is available: use one of application/json, application/x-protobuf, application/octet-stream.`,
    );
  });
});
