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
