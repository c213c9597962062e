import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runChild, startChild } from "../../bench/child.js";

const dir = mkdtempSync(join(tmpdir(), "bench-child-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function script(name: string, source: string): string {
  const path = join(dir, name);
  writeFileSync(path, source);
  return path;
}

describe("runChild", () => {
  it("returns the JSON the child writes to fd 3, with its arguments and environment", async () => {
    const echo = script(
      "echo.mjs",
      'import { writeSync } from "node:fs";\nconsole.log("stdout is not the answer");\nwriteSync(3, JSON.stringify({ args: process.argv.slice(2), env: process.env.BENCH_TEST }));\n',
    );
    const { result, spawnMs } = await runChild<{ args: string[]; env: string }>(echo, { args: ["a", "b c"], env: { BENCH_TEST: "yes" } });
    expect(result).toEqual({ args: ["a", "b c"], env: "yes" });
    expect(spawnMs).toBeGreaterThan(0);
  });

  it("fails with the child's error as its first line", async () => {
    const failing = script("fail.mjs", 'throw new TypeError("no codec here");\n');
    await expect(runChild(failing)).rejects.toThrow(/^fail\.mjs exited with 1: TypeError: no codec here\n/);
  });

  it("fails when the child answers nothing, or something other than JSON", async () => {
    await expect(runChild(script("silent.mjs", ""))).rejects.toThrow("silent.mjs exited with 0");
    const garbled = script("garbled.mjs", 'import { writeSync } from "node:fs";\nwriteSync(3, "not json");\n');
    await expect(runChild(garbled)).rejects.toThrow("answered something other than JSON: not json");
  });

  it("kills a child that outlives its timeout", async () => {
    const hanging = script("hang.mjs", "setInterval(() => {}, 1000);\n");
    await expect(runChild(hanging, { timeoutMs: 300 })).rejects.toThrow("hang.mjs was killed by SIGKILL (timeout 300 ms?)");
  });
});

describe("startChild", () => {
  it("resolves with the first line, answers signals with further lines and stops on SIGTERM", async () => {
    const server = script(
      "server.mjs",
      [
        'import { writeSync } from "node:fs";',
        "let asked = 0;",
        'process.on("SIGUSR2", () => writeSync(3, JSON.stringify({ asked: ++asked }) + "\\n"));',
        'process.on("SIGTERM", () => process.exit(0));',
        "setInterval(() => {}, 1000);",
        'writeSync(3, JSON.stringify({ ready: true }) + "\\n");',
      ].join("\n"),
    );
    const running = await startChild<{ ready: boolean }>(server);
    expect(running.ready).toEqual({ ready: true });
    expect(await running.ask("SIGUSR2")).toEqual({ asked: 1 });
    expect(await running.ask("SIGUSR2")).toEqual({ asked: 2 });
    await running.stop();
  });

  it("fails when the child exits before it is ready", async () => {
    await expect(startChild(script("quits.mjs", "process.exit(3);\n"))).rejects.toThrow("quits.mjs exited (3) before it was ready");
  });
});
