import { describe, expect, it } from "vitest";
import { sensitiveHeaderValues } from "../../lib/connector/sensitive-headers.js";

describe("sensitiveHeaderValues", () => {
  it("takes credential-like headers, whatever their case, and leaves the rest", () => {
    expect(
      sensitiveHeaderValues({
        authorization: "Bearer abc.def",
        "Proxy-Authorization": "Basic dXNlcjpw",
        Cookie: "session=1",
        "X-API-KEY": "k1",
        "X-Auth-Token": "t1",
        "X-Client-Secret": "s1",
        "Content-Type": "application/json",
        Accept: "*/*",
      }),
    ).toEqual(["abc.def", "dXNlcjpw", "session=1", "k1", "t1", "s1"]);
  });

  it("keeps a value with no scheme whole", () => {
    expect(sensitiveHeaderValues({ "X-Api-Key": "one-token" })).toEqual(["one-token"]);
  });
});
