/** The CLI run in-process through main(), with its streams and signals in the test's hands. */
import { Readable, Writable } from "node:stream";
import type { CliIo } from "../../../lib/cli/command.js";
import { main } from "../../../lib/cli/main.js";
import { REPO_ROOT } from "../../support/build.js";

export function fakeIo(stdin = "", cwd = REPO_ROOT) {
  let stdout = "";
  let stderr = "";
  const interrupts = new Set<() => void>();
  let resolveStopped: (signal: NodeJS.Signals) => void = () => {};
  const stopped = new Promise<NodeJS.Signals>((resolve) => (resolveStopped = resolve));
  const sink = (append: (text: string) => void) =>
    new Writable({
      write(chunk: Buffer, _encoding, callback) {
        append(chunk.toString());
        callback();
      },
    });
  const io: CliIo = {
    stdin: Readable.from([stdin]),
    stdout: sink((text) => (stdout += text)),
    stderr: sink((text) => (stderr += text)),
    cwd,
    onInterrupt(handler) {
      interrupts.add(handler);
      return () => interrupts.delete(handler);
    },
    untilStopped: () => stopped,
    exit(code) {
      throw new Error(`exit(${code}) called`);
    },
  };
  return {
    io,
    out: () => stdout,
    err: () => stderr,
    interrupt: () => interrupts.forEach((handler) => handler()),
    listening: () => interrupts.size > 0,
    stop: (signal: NodeJS.Signals = "SIGINT") => resolveStopped(signal),
  };
}

/** Runs one command line in-process; resolves with its exit status and what it wrote. */
export async function cli(args: string[], stdin?: string, cwd?: string) {
  const fake = fakeIo(stdin, cwd);
  const code = await main(args, fake.io);
  return { code, out: fake.out(), err: fake.err() };
}
