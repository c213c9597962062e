import { describe, expect, test } from "vitest";
import { TaskCategory } from "../../lib/connector/task-category.js";

describe("TaskCategory", () => {
  test("defaults to version 0", () => {
    const category = new TaskCategory("bigquery_query_job_task");
    expect(category.name).toBe("bigquery_query_job_task");
    expect(category.version).toBe(0);
  });

  test("prints as name_v<version>, as flytekit does", () => {
    expect(String(new TaskCategory("sleep"))).toBe("sleep_v0");
    expect(`${new TaskCategory("sensor", 2)}`).toBe("sensor_v2");
  });

  test("is equal to another with the same name and version only", () => {
    const category = new TaskCategory("echo", 1);
    expect(category.equals(new TaskCategory("echo", 1))).toBe(true);
    expect(category.equals(new TaskCategory("echo", 0))).toBe(false);
    expect(category.equals(new TaskCategory("Echo", 1))).toBe(false);
    expect(new TaskCategory("echo").equals(new TaskCategory("echo", 0))).toBe(true);
  });
});
