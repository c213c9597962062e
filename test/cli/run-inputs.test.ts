/** `run`'s command line carried to the task as written: inputs by their declared types, any input name, user connectors as configured. */
import { describe, expect, test } from "vitest";
import { cli } from "./support/fake-io.js";

const TEMPLATE = "test/cli/fixtures/typed-inputs.template.json";

describe("run reads -i values by the template's declared types", () => {
  test("an integer beyond 2^53 exactly, a string as written, a datetime as RFC 3339, a duration as 1.5s", async () => {
    const { code, out, err } = await cli([
      "run",
      TEMPLATE,
      "-i",
      "count=9007199254740993",
      "-i",
      "text=2024",
      "-i",
      "when=2024-01-01T00:00:00Z",
      "-i",
      "wait=1.5s",
    ]);
    expect(err).toContain("typed-inputs (echo_v0): SUCCEEDED");
    expect(code).toBe(0);
    // Outputs print an integer beyond 2^53 as a string, so that it stays exact.
    expect(JSON.parse(out)).toEqual({ count: "9007199254740993", text: "2024", when: "2024-01-01T00:00:00.000Z", wait: "1.5s" });
  });

  test("a JSON-quoted string still reads as the string it quotes", async () => {
    const { code, out } = await cli(["run", TEMPLATE, "-i", "count=1", "-i", 'text="2024"', "-i", "when=2024-01-01T00:00:00Z", "-i", "wait=1s"]);
    expect(code).toBe(0);
    expect(JSON.parse(out)).toMatchObject({ text: "2024" });
  });

  test.each([
    ["when=yesterday", 'flyte-connector run: Bad --input: cannot convert input "when" to datetime: expected an RFC 3339 timestamp such as 2024-05-01T12:00:00Z, got "yesterday"\n'],
    ["wait=90", 'flyte-connector run: Bad --input: cannot convert input "wait" to duration: expected a duration in seconds such as 1.5s, got "90"\n'],
  ])("%s is a usage error naming the input and the form", async (assignment, message) => {
    const { code, out, err } = await cli(["run", TEMPLATE, "-i", assignment]);
    expect(code).toBe(2);
    expect(out).toBe("");
    expect(err).toBe(`${message}Run 'flyte-connector run --help' for usage.\n`);
  });
});

describe("run passes every input the template declares, as FlytePropeller does", () => {
  const DECLARED = "test/cli/fixtures/declared-inputs.template.json";

  test("one left out is a usage error naming it, its type and the flag that gives it", async () => {
    const { code, out, err } = await cli(["run", DECLARED, "-i", "count=1"]);
    expect(code).toBe(2);
    expect(out).toBe("");
    expect(err).toBe(
      "flyte-connector run: The template declares input seconds (float), which is not given: add -i seconds=<float>.\n" +
        "Run 'flyte-connector run --help' for usage.\n",
    );
  });

  test("several left out are named together", async () => {
    const { code, err } = await cli(["run", DECLARED]);
    expect(code).toBe(2);
    expect(err).toContain(
      "The template declares inputs seconds (float), count (integer), which are not given: add -i seconds=<float> -i count=<integer>.",
    );
  });

  test("an Optional one left out is none, as flytekit binds it", async () => {
    const { code, out } = await cli(["run", DECLARED, "-i", "seconds=0.5", "-i", "count=1"]);
    expect(code).toBe(0);
    expect(JSON.parse(out)).toEqual({ seconds: 0.5, count: 1, limit: null });
  });

  test("an Optional one given keeps its value", async () => {
    const { code, out } = await cli(["run", DECLARED, "-i", "seconds=0.5", "-i", "count=1", "-i", "limit=3"]);
    expect(code).toBe(0);
    expect(JSON.parse(out)).toEqual({ seconds: 0.5, count: 1, limit: 3 });
  });
});

describe("run without a template", () => {
  test("an integer beyond 2^53 stays exact", async () => {
    const { code, out } = await cli(["run", "--type", "echo", "-i", "z=9007199254740993"]);
    expect(code).toBe(0);
    expect(JSON.parse(out)).toEqual({ z: "9007199254740993" });
  });

  test("an integer beyond int64 is a usage error, not a rounded float", async () => {
    const { code, err } = await cli(["run", "--type", "echo", "-i", "z=12345678901234567890"]);
    expect(code).toBe(2);
    expect(err).toContain('Bad --input: cannot convert input "z" to integer: got bigint 12345678901234567890n (outside the int64 range)');
  });

  test("an input named __proto__ reaches the task", async () => {
    const { code, out } = await cli(["run", "--type", "echo", "-i", "__proto__=1", "-i", "x=2"]);
    expect(code).toBe(0);
    expect(out).toBe('{\n  "__proto__": 1,\n  "x": 2\n}\n');
  });
});

describe("run --connector with a module that exports a configured instance", () => {
  test("runs that instance, not one built again from its class", async () => {
    const { code, out } = await cli(["run", "--type", "greet", "--connector", "./test/cli/fixtures/configured.ts"]);
    expect(code).toBe(0);
    expect(JSON.parse(out)).toEqual({ greeting: "bonjour" });
  });

  test("whose class needs constructor arguments", async () => {
    const { code, err } = await cli(["run", "--type", "api", "--connector", "./test/cli/fixtures/configured-needs-arguments.ts"]);
    expect(err).toContain("api_v0: SUCCEEDED");
    expect(code).toBe(0);
  });
});
