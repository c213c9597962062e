import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, test } from "vitest";
import { formatElapsed, ProgressDisplay, type ProgressStream } from "../../lib/client/progress.js";
import { Phase } from "../../lib/connector/phase.js";

/** A stream that keeps what is written, as a terminal of `columns` or a pipe. */
function capture(tty: boolean, columns = 80) {
  const writes: string[] = [];
  const stream: ProgressStream = { isTTY: tty, columns, write: (text: string) => writes.push(text) };
  return { stream, writes, text: () => writes.join("") };
}

/** A clock the test moves. */
function clock() {
  let now = 1_000_000;
  return { now: () => now, advance: (ms: number) => void (now += ms) };
}

const link = { name: "Job log", uri: "https://logs.example.com/job/1" };
const status = (phase: Phase, message = "", logLinks: { name: string; uri: string }[] = []) => ({ phase, message, logLinks });

describe("on a pipe (not a terminal)", () => {
  test("one line per change of phase, log links once, and no summary repeating the last phase", () => {
    const { stream, text } = capture(false);
    const time = clock();
    const display = new ProgressDisplay({ stream, title: "sleep_v0", now: time.now });
    time.advance(100);
    display.update(status(Phase.RUNNING, "9 s left"));
    time.advance(1000);
    display.update(status(Phase.RUNNING, "8 s left", [link]));
    display.update(status(Phase.RUNNING, "7 s left", [link]));
    time.advance(1400);
    display.update(status(Phase.SUCCEEDED, "", [link]));
    display.finish({ succeeded: true, state: "SUCCEEDED" });
    expect(text()).toBe(
      [
        "sleep_v0: starting",
        "sleep_v0: RUNNING (0.1s) 9 s left",
        "  Job log: https://logs.example.com/job/1",
        "sleep_v0: SUCCEEDED (2.5s)",
        "",
      ].join("\n"),
    );
    expect(text()).not.toContain("\u001b");
  });

  test("a summary when the end is not a phase already printed (cancelled, an error)", () => {
    const { stream, text } = capture(false);
    const display = new ProgressDisplay({ stream, title: "t", now: () => 0 });
    display.update(status(Phase.RUNNING));
    display.finish({ succeeded: false, state: "CANCELLED", message: "Task cancelled and deleted." });
    expect(text().split("\n").at(-2)).toBe("✖ t CANCELLED in 0.0s: Task cancelled and deleted.");
  });

  test("a failure's summary carries the message; later calls write nothing", () => {
    const { stream, writes, text } = capture(false);
    const display = new ProgressDisplay({ stream, title: "t" });
    display.finish({ succeeded: false, state: "FAILED", message: "boom" });
    const written = writes.length;
    display.update(status(Phase.RUNNING));
    display.note("cancelling");
    display.finish({ succeeded: true, state: "SUCCEEDED" });
    expect(writes.length).toBe(written);
    expect(text()).toMatch(/✖ t FAILED in \d\.\ds: boom\n$/);
  });
});

describe("on a terminal", () => {
  test("redraws the block in place: spinner, title, phase, time, message, then the links", () => {
    const { stream, writes } = capture(true);
    const time = clock();
    const display = new ProgressDisplay({ stream, title: "sleep_v0", now: time.now, frameMs: 60_000 });
    expect(writes[0]).toBe("\u001b[?25l"); // cursor hidden while drawing
    expect(writes[1]).toBe("\r⠋ sleep_v0  starting  0.0s");
    time.advance(1200);
    display.update(status(Phase.RUNNING, "3 s left", [link]));
    expect(writes[2]).toBe("\r\u001b[J⠋ sleep_v0  RUNNING  1.2s  3 s left\n  Job log: https://logs.example.com/job/1");
    display.update(status(Phase.RUNNING, "2 s left", [link]));
    // Two lines drawn: back up one line, clear to the end of the screen, draw again.
    expect(writes[3]!.startsWith("\r\u001b[1A\u001b[J⠋ sleep_v0  RUNNING  1.2s  2 s left\n")).toBe(true);
  });

  test("the spinner turns on its own, and finish leaves only the summary and the cursor back", async () => {
    const { stream, writes, text } = capture(true);
    const display = new ProgressDisplay({ stream, title: "x", frameMs: 5 });
    await sleep(40);
    const frames = new Set(writes.map((write) => /([⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏])/.exec(write)?.[1]).filter(Boolean));
    expect(frames.size).toBeGreaterThan(1);
    display.update(status(Phase.SUCCEEDED, "", [link]));
    display.finish({ succeeded: true, state: "SUCCEEDED" });
    const last = writes.at(-1)!;
    expect(last).toMatch(/^\r\u001b\[1A\u001b\[J✔ x SUCCEEDED in \d+\.\ds\n {2}Job log: https:\/\/logs\.example\.com\/job\/1\n\u001b\[\?25h$/);
    const count = writes.length;
    await sleep(30);
    expect(writes.length).toBe(count); // nothing after completion
    expect(text().split("\u001b[?25h").length).toBe(2);
  });

  test("lines are cut to the terminal's width and control characters in messages are blanked", () => {
    const { stream, writes } = capture(true, 30);
    const display = new ProgressDisplay({ stream, title: "t", frameMs: 60_000 });
    display.update(status(Phase.RUNNING, "line one\nline two \u001b[31mred and a long tail of text"));
    const drawn = writes.at(-1)!.replace(/^\r(\u001b\[\d*A)?\u001b\[J/, "");
    expect(drawn).not.toMatch(/[\n\u001b]/);
    expect([...drawn].length).toBe(29);
    expect(drawn.endsWith("…")).toBe(true);
    display.finish({ succeeded: true, state: "SUCCEEDED" });
  });

  test("a pseudo-terminal that reports 0 columns is taken as 80 wide", () => {
    const { stream, writes } = capture(true, 0);
    const display = new ProgressDisplay({ stream, title: "title", frameMs: 60_000 });
    expect(writes[1]).toBe("\r⠋ title  starting  0.0s");
    display.finish({ succeeded: true, state: "SUCCEEDED" });
  });

  test("note shows a client-side state such as cancelling", () => {
    const { stream, writes } = capture(true);
    const display = new ProgressDisplay({ stream, title: "t", frameMs: 60_000 });
    display.update(status(Phase.RUNNING, "busy"));
    display.note("cancelling");
    expect(writes.at(-1)).toContain("cancelling");
    expect(writes.at(-1)).toContain("busy");
    display.finish({ succeeded: false, state: "CANCELLED" });
  });
});

test("formatElapsed", () => {
  expect(formatElapsed(-5)).toBe("0.0s");
  expect(formatElapsed(400)).toBe("0.4s");
  expect(formatElapsed(59_949)).toBe("59.9s");
  expect(formatElapsed(125_000)).toBe("2m05s");
  expect(formatElapsed(3_725_000)).toBe("1h02m");
});
