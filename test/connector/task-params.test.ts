import { describe, expect, test, vi } from "vitest";
import { InvalidArgumentError, Status } from "../../lib/connector/errors.js";
import { taskParams } from "../../lib/connector/task-params.js";
import { flyteidl } from "../../lib/idl/index.js";
import * as literals from "../../lib/literals/index.js";
import { toLiteralMap } from "../../lib/literals/index.js";
import { taskTemplate } from "../../lib/testing/index.js";

const template = taskTemplate({
  type: "job",
  custom: { query: "select 1", options: { retries: 2, tags: ["a", "b"] } },
  inputs: { n: "integer", ratio: "float", when: "datetime" },
});
const when = new Date("2024-05-01T12:00:00.000Z");
const inputs = toLiteralMap({ n: 3, ratio: 2, when }, template.interface!.inputs!.variables, "input");
/** A string literal where the template declares an integer: the caller's mistake. */
const badInputs = new flyteidl.core.LiteralMap({ literals: { n: { scalar: { primitive: { stringValue: "three" } } } } });

describe("taskParams", () => {
  test("custom is template.custom as plain JSON, {} when the template has none", () => {
    expect(taskParams({ taskTemplate: template, outputPrefix: "" }).custom).toEqual({
      query: "select 1",
      options: { retries: 2, tags: ["a", "b"] },
    });
    expect(taskParams({ taskTemplate: { type: "job" }, outputPrefix: "" }).custom).toEqual({});
  });

  test("inputValues reads each input as the template declares it, {} when there are none", () => {
    const params = taskParams({ taskTemplate: template, outputPrefix: "", inputs });
    expect(params.inputValues).toEqual({ n: 3, ratio: 2, when });
    expect(params.inputValues["when"]).toBeInstanceOf(Date);
    expect(taskParams({ taskTemplate: template, outputPrefix: "", inputs: null }).inputValues).toEqual({});
  });

  test("the raw fields stay as given, beside the plain ones", () => {
    const signal = new AbortController().signal;
    const params = taskParams({ taskTemplate: template, outputPrefix: "s3://b/p", inputs, signal });
    expect(params.taskTemplate).toBe(template);
    expect(params.inputs).toBe(inputs);
    expect(params.outputPrefix).toBe("s3://b/p");
    expect(params.signal).toBe(signal);
  });

  test("nothing is converted until read, and then once", () => {
    const read = vi.spyOn(literals, "literalMapToPlain");
    try {
      const params = taskParams({ taskTemplate: template, outputPrefix: "", inputs });
      expect(read).not.toHaveBeenCalled();
      expect(params.inputValues).toBe(params.inputValues);
      expect(read).toHaveBeenCalledTimes(1);
    } finally {
      read.mockRestore();
    }
  });

  test("an input that does not match its declared type is INVALID_ARGUMENT, only when read", () => {
    const stringTyped = taskTemplate({ type: "job", inputs: { n: "integer" } });
    const params = taskParams({ taskTemplate: stringTyped, outputPrefix: "", inputs: badInputs });
    expect(params.custom).toEqual({});
    let caught: unknown;
    try {
      void params.inputValues;
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(InvalidArgumentError);
    expect((caught as InvalidArgumentError).code).toBe(Status.INVALID_ARGUMENT);
    expect((caught as Error).message).toMatch(/^Cannot read the task's inputs: cannot read input "n" as integer/);
  });
});
