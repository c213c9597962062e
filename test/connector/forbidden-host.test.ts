import { describe, expect, it } from "vitest";
import type { LookupAddress } from "node:dns";
import { ForbiddenAddressError, forbiddenAddressGuard, forbiddenHost } from "../../lib/connector/forbidden-host.js";

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

describe("forbiddenAddressGuard", () => {
  /** The guard's answer for `url`'s host, as node:http asks it (all addresses, for happy eyeballs). */
  const resolve = (url: string, all = true) =>
    new Promise<{ error: NodeJS.ErrnoException | null; address: string | LookupAddress[] }>((done) => {
      const target = new URL(url);
      forbiddenAddressGuard(target, lambda)(target.hostname, { all }, (error, address) => done({ error, address }));
    });

  it("refuses a name whose addresses include one forbiddenHost refuses, naming it", async () => {
    for (const all of [true, false]) {
      const { error } = await resolve("http://localhost:9001/", all);
      expect(error).toBeInstanceOf(ForbiddenAddressError);
      expect(error!.message).toMatch(/^localhost is (127\.0\.0\.1|::1)$/);
    }
  });

  it("answers the resolver's addresses, or its error, when none is forbidden", async () => {
    const { error, address } = await resolve("http://localhost:9002/");
    expect(error).toBeNull();
    expect((address as LookupAddress[]).map((entry) => entry.address)).toEqual(expect.arrayContaining([expect.stringMatching(/^(127\.0\.0\.1|::1)$/)]));
    const missing = await resolve("http://no-such-host.invalid/");
    expect(missing.error).not.toBeInstanceOf(ForbiddenAddressError);
    expect(missing.error?.code).toMatch(/^(ENOTFOUND|EAI_AGAIN)$/);
  });
});
