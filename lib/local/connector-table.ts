/**
 * The table the local stack prints at start, like `pyflyte serve connector`: each connector
 * served, the task categories it takes, and whether it is sync or async.
 */
import type { flyteidl } from "../idl/index.js";

const HEADINGS = ["Connector", "Task categories", "Kind"] as const;

export function formatConnectorTable(agents: readonly flyteidl.admin.IAgent[]): string {
  if (agents.length === 0) return "No connectors are registered.";
  const rows = agents.map((agent) => [
    agent.name ?? "",
    (agent.supportedTaskCategories ?? []).map((category) => `${category.name}_v${category.version ?? 0}`).join(", "),
    agent.isSync ? "sync" : "async",
  ]);
  const widths = HEADINGS.map((heading, column) => Math.max(heading.length, ...rows.map((row) => row[column]!.length)));
  const line = (cells: readonly string[]) => cells.map((cell, column) => cell.padEnd(widths[column]!)).join("  ").trimEnd();
  return [line(HEADINGS), line(widths.map((width) => "-".repeat(width))), ...rows.map(line)].join("\n");
}
