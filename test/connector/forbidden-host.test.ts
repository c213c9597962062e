import { describe, expect, it } from "vitest";
import { forbiddenHost } from "../../lib/connector/forbidden-host.js";

const lambda = { AWS_LAMBDA_RUNTIME_API: "127.0.0.1:9001" };

describe("forbiddenHost", () => {
  it.each([
    "http://127.0.0.1:9001/2018-06-01/runtime/invocation/next",
    "http://localhost:9001/",
    "http://LOCALHOST.:9001/",
    "http://api.localhost:9001/",
    "http://127.1:9001/",
    "http://2130706433:9001/",
    "http://0.0.0.0:9001/",
    "http://[::1]:9001/",
    "http://[::]:9001/",
    "http://[::ffff:127.0.0.1]:9001/",
    "http://169.254.169.254/latest/meta-data/",
    "https://169.254.170.2/v2/credentials",
    "http://2852039166/",
    "http://[::ffff:169.254.169.254]/",
    "http://[fd00:ec2::254]/",
    "http://[febf::1]/",
  ])("refuses %s", (url) => {
    expect(forbiddenHost(new URL(url), lambda)).toBe(true);
  });

  it.each([
    "http://127.0.0.1:9002/",
    "http://localhost/",
    "https://hooks.slack.com/services/x",
    "http://10.0.0.5:9001/",
    "http://[::ffff:10.0.0.5]:9001/",
    "http://169.253.0.1/",
  ])("allows %s", (url) => {
    expect(forbiddenHost(new URL(url), lambda)).toBe(false);
  });

  it("allows loopback on any port outside a Lambda", () => {
    expect(forbiddenHost(new URL("http://127.0.0.1:9001/"), {})).toBe(false);
  });
});
