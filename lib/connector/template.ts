import type { flyteidl } from "../idl/index.js";

/** The container arg placeholders flytekit's render_task_template fills, and where they point. */
const placeholders: Readonly<Record<string, (prefix: string) => string>> = {
  "{{.input}}": (prefix) => `${prefix}/inputs.pb`,
  "{{.outputPrefix}}": (prefix) => prefix,
  "{{.rawOutputDataPrefix}}": (prefix) => `${prefix}/raw_output`,
  "{{.checkpointOutputPrefix}}": (prefix) => `${prefix}/checkpoint_output`,
  "{{.prevCheckpointPrefix}}": (prefix) => `${prefix}/prev_checkpoint`,
};

const placeholderPattern = new RegExp(
  Object.keys(placeholders)
    .map((placeholder) => placeholder.replace(/[.{}]/g, "\\$&"))
    .join("|"),
  "g",
);

/** A copy of `object` (same prototype, so generated message classes stay instances) with `patch`. */
function copyWith<T extends object>(object: T, patch: Partial<T>): T {
  return Object.assign(Object.create(Object.getPrototypeOf(object) as object | null) as T, object, patch);
}

/**
 * flytekit's render_task_template: the container args with the input, output, raw output and
 * checkpoint placeholders pointing under `filePrefix`; any other `{{...}}` is left alone. One
 * pass, so a prefix that itself contains a placeholder is not expanded again. Returns a copy and
 * leaves `template` as it was; a template with no container args is returned as is.
 */
export function renderTaskTemplate(
  template: flyteidl.core.ITaskTemplate,
  filePrefix: string,
): flyteidl.core.ITaskTemplate {
  const container = template.container;
  if (!container?.args?.length) return template;
  const args = container.args.map((arg) =>
    arg.replace(placeholderPattern, (placeholder) => placeholders[placeholder]?.(filePrefix) ?? placeholder),
  );
  return copyWith(template, { container: copyWith(container, { args }) });
}
