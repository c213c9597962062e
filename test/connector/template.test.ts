import { describe, expect, test } from "vitest";
import { renderTaskTemplate } from "../../lib/connector/template.js";
import { flyteidl } from "../../lib/idl/index.js";

const prefix = "s3://bucket/run/n0";

function templateWithArgs(args: string[]): flyteidl.core.TaskTemplate {
  return flyteidl.core.TaskTemplate.fromObject({
    id: { name: "my_task" },
    type: "python-task",
    container: { image: "img:1", command: ["pyflyte-execute"], args },
    custom: { fields: { x: { numberValue: 1 } } },
  });
}

describe("renderTaskTemplate", () => {
  test("fills flytekit's five placeholders under the prefix", () => {
    const template = templateWithArgs([
      "--inputs",
      "{{.input}}",
      "--output-prefix",
      "{{.outputPrefix}}",
      "--raw-output-data-prefix",
      "{{.rawOutputDataPrefix}}",
      "--checkpoint-path",
      "{{.checkpointOutputPrefix}}",
      "--prev-checkpoint",
      "{{.prevCheckpointPrefix}}",
    ]);
    expect(renderTaskTemplate(template, prefix).container?.args).toEqual([
      "--inputs",
      `${prefix}/inputs.pb`,
      "--output-prefix",
      prefix,
      "--raw-output-data-prefix",
      `${prefix}/raw_output`,
      "--checkpoint-path",
      `${prefix}/checkpoint_output`,
      "--prev-checkpoint",
      `${prefix}/prev_checkpoint`,
    ]);
  });

  test("replaces every occurrence inside an arg and leaves any other {{...}} alone", () => {
    const template = templateWithArgs([
      "{{.input}},{{.input}}",
      "{{ .remote_package_path }}",
      "{{.Input}}",
      "{{ .input }}",
      "{{.taskTemplatePath}}",
    ]);
    expect(renderTaskTemplate(template, prefix).container?.args).toEqual([
      `${prefix}/inputs.pb,${prefix}/inputs.pb`,
      "{{ .remote_package_path }}",
      "{{.Input}}",
      "{{ .input }}",
      "{{.taskTemplatePath}}",
    ]);
  });

  test("does not expand placeholders that come with the prefix", () => {
    expect(renderTaskTemplate(templateWithArgs(["{{.outputPrefix}}"]), "s3://b/{{.input}}").container?.args).toEqual([
      "s3://b/{{.input}}",
    ]);
  });

  test("returns a copy, of the same message class, and leaves the input as it was", () => {
    const template = templateWithArgs(["{{.input}}"]);
    const before = flyteidl.core.TaskTemplate.toObject(template);
    const rendered = renderTaskTemplate(template, prefix);
    expect(rendered).not.toBe(template);
    expect(rendered.container).not.toBe(template.container);
    expect(flyteidl.core.TaskTemplate.toObject(template)).toEqual(before);
    expect(rendered).toBeInstanceOf(flyteidl.core.TaskTemplate);
    expect(rendered.container).toBeInstanceOf(flyteidl.core.Container);
    expect(rendered.type).toBe("python-task");
    expect(rendered.container?.image).toBe("img:1");
    expect((rendered as flyteidl.core.TaskTemplate).target).toBe("container");
    const decoded = flyteidl.core.TaskTemplate.decode(
      flyteidl.core.TaskTemplate.encode(rendered as flyteidl.core.TaskTemplate).finish(),
    );
    expect(decoded.container?.args).toEqual([`${prefix}/inputs.pb`]);
    expect(decoded.custom?.fields?.x?.numberValue).toBe(1);
  });

  test("works on plain objects too", () => {
    const template: flyteidl.core.ITaskTemplate = { type: "t", container: { args: ["{{.outputPrefix}}/x"] } };
    expect(renderTaskTemplate(template, prefix)).toEqual({ type: "t", container: { args: [`${prefix}/x`] } });
    expect(template.container?.args).toEqual(["{{.outputPrefix}}/x"]);
  });

  test("gives back a template without a container, or without args, unchanged", () => {
    const sql = flyteidl.core.TaskTemplate.fromObject({ type: "bigquery_query_job_task", sql: { statement: "{{.input}}" } });
    expect(renderTaskTemplate(sql, prefix)).toBe(sql);
    expect(sql.sql?.statement).toBe("{{.input}}");
    const noArgs: flyteidl.core.ITaskTemplate = { container: { image: "i" } };
    expect(renderTaskTemplate(noArgs, prefix)).toBe(noArgs);
  });
});
