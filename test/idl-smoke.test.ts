import { expect, test } from "vitest";
import { flyteidl } from "../lib/idl/index.js";
test("smoke", () => {
  const b = flyteidl.admin.CreateTaskRequest.encode({ outputPrefix: "x" }).finish();
  expect(flyteidl.admin.CreateTaskRequest.decode(b).outputPrefix).toBe("x");
});
