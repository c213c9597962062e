import { expect, test } from "vitest";
import { formatConnectorTable } from "../../lib/local/connector-table.js";

test("one row per connector: name, task categories, sync or async, in aligned columns", () => {
  const table = formatConnectorTable([
    { name: "Echo Connector", isSync: true, supportedTaskCategories: [{ name: "echo", version: 0 }] },
    {
      name: "Sleep Connector",
      isSync: false,
      supportedTaskCategories: [
        { name: "sleep", version: 0 },
        { name: "sleep", version: 1 },
      ],
    },
  ]);
  expect(table.split("\n")).toEqual([
    "Connector        Task categories     Kind",
    "---------------  ------------------  -----",
    "Echo Connector   echo_v0             sync",
    "Sleep Connector  sleep_v0, sleep_v1  async",
  ]);
});

test("an empty registry says so", () => {
  expect(formatConnectorTable([])).toBe("No connectors are registered.");
});
