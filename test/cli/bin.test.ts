/**
 * bin/flyte-connector.js as a person runs it: in a pseudo-terminal (util-linux `script`), where
 * the live progress display shows and Ctrl-C arrives as a keystroke, and on plain pipes.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { REPO_ROOT } from "../support/build.js";
import { scratchDir } from "../support/scratch-dir.js";

const BIN = join(REPO_ROOT, "bin/flyte-connector.js");
const FIXTURE = "test/client/fixtures/test-connectors.ts";

interface Running {
  readonly child: ChildProcess;
  /** Everything written so far (stdout and stderr in a terminal are one stream). */
  output(): string;
  stderr(): string;
  /** Resolves when the output matches. */
  waitFor(pattern: RegExp): Promise<void>;
  exited: Promise<number | null>;
}

function watch(child: ChildProcess): Running {
  let output = "";
  let stderr = "";
  const waiters: { pattern: RegExp; resolve: () => void }[] = [];
  const seen = () => {
    for (const waiter of [...waiters]) {
      if (waiter.pattern.test(output)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
    }
  };
  child.stdout!.on("data", (chunk: Buffer) => {
    output += chunk.toString();
    seen();
  });
  child.stderr!.on("data", (chunk: Buffer) => {
    output += chunk.toString();
    stderr += chunk.toString();
    seen();
  });
  const exited = once(child, "exit").then(([code]) => code as number | null);
  return {
    child,
    output: () => output,
    stderr: () => stderr,
    exited,
    waitFor: (pattern) =>
      new Promise<void>((resolve, reject) => {
        if (pattern.test(output)) return resolve();
        waiters.push({ pattern, resolve });
        exited.then(() => reject(new Error(`exited before ${pattern}; output:\n${output}`)), reject);
      }),
  };
}

/** The command in a pseudo-terminal: `script` exits with the command's status (-e), writes as it goes (-f). */
function inTerminal(args: readonly string[], env: Record<string, string> = {}): Running {
  const command = [process.execPath, BIN, ...args].map((word) => `'${word.replaceAll("'", "'\\''")}'`).join(" ");
  const child = spawn("script", ["-qfec", `stty cols 100; exec ${command}`, "/dev/null"], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...env },
    stdio: ["pipe", "pipe", "pipe"],
  });
  return watch(child);
}

/** The command with plain pipes, as a script or CI would run it. */
function onPipes(args: readonly string[], env: Record<string, string> = {}): Running {
  return watch(spawn(process.execPath, [BIN, ...args], { cwd: REPO_ROOT, env: { ...process.env, ...env } }));
}

describe("in a terminal", () => {
  test("run --type sleep shows the live display, then only the summary and the outputs", async () => {
    const run = inTerminal(["run", "--type", "sleep", "--input", "seconds=1"]);
    expect(await run.exited).toBe(0);
    const output = run.output();
    expect(output).toContain("\u001b[?25l"); // cursor hidden while drawing
    expect(output).toMatch(/[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] sleep_v0 {2}RUNNING {2}\d\.\ds {2}Sleeping/);
    expect(output).toMatch(/\r\u001b\[J✔ sleep_v0 SUCCEEDED in \d\.\ds: Slept 1 s\.\r\n\u001b\[\?25h/);
    // After the summary: the cursor back, the outputs as JSON, and nothing else.
    const after = output.slice(output.indexOf("\u001b[?25h") + "\u001b[?25h".length);
    expect(JSON.parse(after)).toEqual({ seconds: 1 });
  });

  test("Ctrl-C mid-run deletes the remote task and exits 130", async () => {
    const dir = await scratchDir("flyte-connector-ctrl-c-");
    const deleteLog = join(dir, "deleted.log");
    const run = inTerminal(["run", "--type", "countdown", "-i", "seconds=60", "--connector", FIXTURE], {
      COUNTDOWN_DELETE_LOG: deleteLog,
    });
    await run.waitFor(/countdown_v0 {2}RUNNING/);
    run.child.stdin!.write("\u0003");
    expect(await run.exited).toBe(130);
    expect(run.output()).toMatch(/✖ countdown_v0 CANCELLED in \d\.\ds: Task cancelled and deleted\./);
    expect(run.output().endsWith("\u001b[?25h")).toBe(true);
    const deleted = (await readFile(deleteLog, "utf8")).trim().split("\n");
    expect(deleted).toHaveLength(1);
    expect(deleted[0]).toMatch(/^countdown-\d+-1$/);
  });
});

describe("on pipes", () => {
  test("SIGINT mid-run deletes the remote task and exits 130; progress is one line per phase", async () => {
    const dir = await scratchDir("flyte-connector-sigint-");
    const deleteLog = join(dir, "deleted.log");
    const run = onPipes(["run", "--type", "countdown", "-i", "seconds=60", "--connector", FIXTURE], { COUNTDOWN_DELETE_LOG: deleteLog });
    await run.waitFor(/countdown_v0: RUNNING/);
    run.child.kill("SIGINT");
    expect(await run.exited).toBe(130);
    expect(run.stderr()).toMatch(
      new RegExp(
        [
          "^countdown_v0: starting",
          "countdown_v0: RUNNING \\(\\d\\.\\ds\\) \\d+ ms left",
          " {2}Countdown log: \\S+",
          "countdown_v0: cancelling \\(Ctrl-C again to quit without deleting the task\\) \\(\\d\\.\\ds\\) \\d+ ms left",
          "✖ countdown_v0 CANCELLED in \\d\\.\\ds: Task cancelled and deleted\\.\n$",
        ].join("\n"),
      ),
    );
    expect(run.stderr()).not.toContain("\u001b");
    expect((await readFile(deleteLog, "utf8")).trim().split("\n")).toHaveLength(1);
  });

  test("--help exits 0; a bad flag exits 2 with the reason", async () => {
    const help = onPipes(["call", "--help"]);
    expect(await help.exited).toBe(0);
    expect(help.output()).toMatch(/^Usage: flyte-connector call \[options\] <op>/);

    const bad = onPipes(["list", "--colour"]);
    expect(await bad.exited).toBe(2);
    expect(bad.stderr()).toBe("flyte-connector list: Unknown option '--colour'.\nRun 'flyte-connector list --help' for usage.\n");
  });
});
