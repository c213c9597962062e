/**
 * PlatformFake's route params: typed from the path pattern (checked by tsc), as the pattern
 * matches them at run time.
 */
import { afterAll, beforeAll, describe, expect, expectTypeOf, test } from "vitest";
import type { RouteParams } from "../../lib/testing/platform-fake.js";
import { PlatformFake, type FakeHandler, type FakeRequest } from "../../lib/testing/index.js";

const echo: FakeHandler = ({ params }) => ({ json: params });
const anyPath: string = "/any/{name}";

/** Each route answers its params. */
class EchoParams extends PlatformFake {
  constructor() {
    super();
    this.route("GET", "/jobs/{id}", ({ params }) => {
      expectTypeOf(params).toEqualTypeOf<{ readonly id: string }>();
      return { json: { id: params.id } };
    });
    this.route("GET", "/projects/{project}/jobs/{job_id}", ({ params }) => {
      expectTypeOf(params).toEqualTypeOf<{ readonly project: string; readonly job_id: string }>();
      return { json: params };
    });
    this.route("GET", "/jobs", ({ params }) => {
      // @ts-expect-error the pattern has no parameter
      return { json: { id: params.id ?? null } };
    });
    this.route("GET", /^\/regexp\/(?<name>[^/]+)$/, ({ params }) => {
      expectTypeOf(params).toEqualTypeOf<Readonly<Record<string, string>>>();
      return { json: params };
    });
    this.route("GET", anyPath, ({ params }) => {
      expectTypeOf(params).toEqualTypeOf<Readonly<Record<string, string>>>();
      return { json: params };
    });
    // A handler typed for any params, and one taking a FakeRequest, still serve a pattern's route.
    this.route("GET", "/echo/{id}", echo);
    this.route("GET", "/request/{id}", (call) => this.#answer(call));
  }

  #answer(call: FakeRequest): { json: unknown } {
    return { json: call.params };
  }
}

async function get(url: string, path: string): Promise<unknown> {
  return (await fetch(`${url}${path}`)).json();
}

describe("PlatformFake route params", () => {
  const fake = new EchoParams();
  beforeAll(() => fake.start());
  afterAll(() => fake.stop());

  test("a pattern's params are its {name} parts, by type and at run time", async () => {
    expect(await get(fake.url, "/jobs/job-1")).toEqual({ id: "job-1" });
    expect(await get(fake.url, "/projects/p/jobs/j")).toEqual({ project: "p", job_id: "j" });
    expect(await get(fake.url, "/jobs")).toEqual({ id: null });
    expect(await get(fake.url, "/regexp/r")).toEqual({ name: "r" });
    expect(await get(fake.url, "/any/n")).toEqual({ name: "n" });
    expect(await get(fake.url, "/echo/e")).toEqual({ id: "e" });
    expect(await get(fake.url, "/request/q")).toEqual({ id: "q" });
  });

  test("RouteParams reads names as the pattern does: other braces are text (checked by tsc)", () => {
    expectTypeOf<RouteParams<"/a/{x}{y}/{z_1}">>().toEqualTypeOf<{ x: string; y: string; z_1: string }>();
    expectTypeOf<RouteParams<"/a/{{x}}/{x-y}/{ x}">>().toEqualTypeOf<{ x: string }>();
    expectTypeOf<RouteParams<"/a">>().toEqualTypeOf<{}>();
    expectTypeOf<RouteParams<string>>().toEqualTypeOf<Record<string, string>>();
  });
});
