/** The task-template files of examples/, run through the CLI in-process as the README shows them. */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { flyteidl } from "../../lib/idl/index.js";
import { fromJson } from "../../lib/idl/json-mapping.js";
import { structToJson } from "../../lib/literals/index.js";
import { REPO_ROOT } from "../support/build.js";
import { cli } from "./support/fake-io.js";

const template = async (name: string) =>
  fromJson("flyteidl.core.TaskTemplate", JSON.parse(await readFile(join(REPO_ROOT, "examples", name), "utf8"))) as flyteidl.core.TaskTemplate;

describe("examples/echo.template.json", () => {
  test("runs to its inputs as outputs", async () => {
    const { code, out, err } = await cli(["run", "examples/echo.template.json", "-i", "greeting=hello", "-i", "count=3"]);
    expect(err).toContain("examples.echo (echo_v0): SUCCEEDED");
    expect(code).toBe(0);
    expect(JSON.parse(out)).toEqual({ greeting: "hello", count: 3 });
  });

  test("its declared input types apply: count is an integer", async () => {
    const { code, err } = await cli(["run", "examples/echo.template.json", "-i", "greeting=hello", "-i", "count=3.5"]);
    expect(code).toBe(2);
    expect(err).toMatch(/Bad --input: .*"count"/);
  });
});

describe("examples/sleep.template.json", () => {
  test("creates, polls and answers the seconds slept (input seconds over custom.seconds)", async () => {
    const { code, out, err } = await cli(["run", "examples/sleep.template.json", "-i", "seconds=0.05", "--poll-interval", "10"]);
    expect(err).toContain("examples.sleep (sleep_v0): SUCCEEDED");
    expect(code).toBe(0);
    expect(JSON.parse(out)).toEqual({ seconds: 0.05 });
  });

  test("without an input it sleeps custom.seconds, an async task's worth: its Optional input is None", async () => {
    const sleep = await template("sleep.template.json");
    expect(sleep.type).toBe("sleep");
    expect(structToJson(sleep.custom!)).toEqual({ seconds: 3 });
    const variants = sleep.interface!.inputs!.variables!["seconds"]!.type!.unionType!.variants!;
    expect(variants.map((variant) => variant.simple)).toEqual([flyteidl.core.SimpleType.FLOAT, flyteidl.core.SimpleType.NONE]);
    const { code, out, err } = await cli(["run", "examples/sleep.template.json", "--poll-interval", "100"]);
    expect(err).toContain("examples.sleep (sleep_v0): SUCCEEDED");
    expect(code).toBe(0);
    expect(JSON.parse(out)).toEqual({ seconds: 3 });
  });
});
