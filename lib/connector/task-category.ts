import type { flyteidl } from "../idl/index.js";

/** flytekit's TaskCategory: a task type name and version, the key connectors are looked up by. */
export class TaskCategory {
  constructor(
    readonly name: string,
    readonly version: number = 0,
  ) {}

  equals(other: TaskCategory): boolean {
    return this.name === other.name && this.version === other.version;
  }

  /** `name_v<version>`, as flytekit prints it in its messages. */
  toString(): string {
    return `${this.name}_v${this.version}`;
  }
}

/** The category a task template names: its type at its task type version. */
export function templateCategory(template: flyteidl.core.ITaskTemplate): TaskCategory {
  return new TaskCategory(template.type ?? "", template.taskTypeVersion ?? 0);
}

/** A request's category (docs/CONTRACT.md §5): `task_category` when its name is set, else the deprecated `task_type` at version 0. */
export function requestCategory(request: { taskCategory?: flyteidl.admin.ITaskCategory | null; taskType?: string | null }): TaskCategory {
  const category = request.taskCategory;
  if (category?.name) return new TaskCategory(category.name, category.version ?? 0);
  return new TaskCategory(request.taskType ?? "", 0);
}
