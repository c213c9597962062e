import { describe, expect, test } from "vitest";
import { isApiGatewayEvent, readEvent } from "../../../lib/transport/http/event.js";
import { fixture, httpApiEvent, restApiEvent } from "./events.js";

const fixtureNames = [
  "http-api-v2-get-metrics",
  "http-api-v2-post-json",
  "http-api-v2-post-stream-protobuf-base64",
  "http-api-v2-named-stage",
  "rest-api-v1-get-logs",
  "rest-api-v1-post-json",
  "rest-api-v1-post-octet-base64",
  "rest-api-v1-custom-domain-delete",
];

describe("isApiGatewayEvent", () => {
  test.each(fixtureNames)("knows %s", (name) => {
    expect(isApiGatewayEvent(fixture(name))).toBe(true);
  });

  test.each([
    ["the invoke envelope", { body: "CgA=" }],
    ["the streaming invoke envelope", { messages: [] }],
    ["null", null],
    ["a string", "GET /api/v1/agents"],
    ["version 2.0 without requestContext.http", { version: "2.0", requestContext: {} }],
    ["httpMethod without requestContext", { httpMethod: "GET", path: "/" }],
    ["a WebSocket event", { requestContext: { eventType: "MESSAGE", routeKey: "$default" }, body: "{}" }],
  ])("refuses %s", (_, event) => {
    expect(isApiGatewayEvent(event)).toBe(false);
  });
});

describe("readEvent", () => {
  test("payload 2.0: method, raw path, headers and the raw query with repeats", () => {
    const request = readEvent(fixture("http-api-v2-get-metrics"));
    expect(request.method).toBe("GET");
    expect(request.path).toBe("/api/v1/agent/task/metrics/job/0/eyJqb2JfaWQiOiAiamE_YWE-In0=");
    expect(request.header("Accept")).toBe("application/json");
    expect(request.query).toEqual([
      ["queries", "cpu"],
      ["queries", "memory"],
      ["start_time", "2024-05-01T12:00:00Z"],
      ["end_time", "2024-05-01T13:00:00.5Z"],
      ["step", "30s"],
    ]);
    expect(request.body).toBe("");
    expect(request.isBase64Encoded).toBe(false);
  });

  test("payload 2.0: a value holding a comma stays one value", () => {
    const request = readEvent(httpApiEvent({ method: "GET", path: "/", query: [["queries", "a,b"], ["queries", "c"]] }));
    expect(request.query).toEqual([["queries", "a,b"], ["queries", "c"]]);
  });

  test("payload 2.0 without rawQueryString falls back to queryStringParameters", () => {
    const event = httpApiEvent({ method: "GET", path: "/", query: [["lines", "3"]] });
    delete (event as { rawQueryString?: string }).rawQueryString;
    expect(readEvent(event).query).toEqual([["lines", "3"]]);
  });

  test("payload 1.0: headers by name in any case, repeated query values from multiValueQueryStringParameters", () => {
    const request = readEvent(
      restApiEvent({ method: "get", path: "/x", headers: { "Content-TYPE": "application/json" }, query: [["queries", "a"], ["queries", "b"]] }),
    );
    expect(request.method).toBe("GET");
    expect(request.header("content-type")).toBe("application/json");
    expect(request.header("CONTENT-TYPE")).toBe("application/json");
    expect(request.query).toEqual([["queries", "a"], ["queries", "b"]]);
  });

  test("payload 1.0: repeated headers are joined, single-value maps are used when the multi-value ones are missing", () => {
    const event = restApiEvent({ method: "GET", path: "/x", query: [["lines", "3"]] });
    event.multiValueHeaders = { Accept: ["application/json", "application/x-protobuf"] };
    expect(readEvent(event).header("accept")).toBe("application/json, application/x-protobuf");
    event.multiValueHeaders = {};
    event.multiValueQueryStringParameters = null;
    event.headers = { Accept: "text/html" };
    const request = readEvent(event);
    expect(request.header("accept")).toBe("text/html");
    expect(request.query).toEqual([["lines", "3"]]);
  });

  test("fields missing from a damaged event read as empty", () => {
    const request = readEvent({ version: "2.0", requestContext: { http: {} } } as never);
    expect(request).toMatchObject({ method: "", path: "", query: [], body: "", isBase64Encoded: false });
    expect(request.header("accept")).toBeUndefined();
  });
});
