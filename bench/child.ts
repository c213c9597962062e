/**
 * Runs a bench script in a fresh node process. The script answers with one JSON document on
 * file descriptor 3, so its stdout stays free for what the code under test prints (metrics,
 * logs), which goes to /dev/null as a Lambda runtime's log pipe would take it.
 */
import { spawn } from "node:child_process";
import { basename } from "node:path";
import { ROOT } from "./paths.js";

export interface ChildOptions {
  readonly args?: readonly string[];
  /** Added to this process's environment. */
  readonly env?: Readonly<Record<string, string>>;
  readonly timeoutMs?: number;
  /** The node that runs it (default: this process's). */
  readonly execPath?: string;
}

export interface ChildAnswer<T> {
  readonly result: T;
  /** Spawn to the first byte of the answer, as this process saw it. */
  readonly spawnMs: number;
}

const STDERR_KEPT = 4000;

export function runChild<T>(script: string, options: ChildOptions = {}): Promise<ChildAnswer<T>> {
  const nodeArgs = [script, ...(options.args ?? [])];
  const timeoutMs = options.timeoutMs ?? 120_000;
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(options.execPath ?? process.execPath, nodeArgs, {
      cwd: ROOT,
      env: { ...process.env, ...options.env },
      stdio: ["ignore", "ignore", "pipe", "pipe"],
    });
    let answeredAt: number | undefined;
    const answer: Buffer[] = [];
    let stderr = "";
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.stdio[3]!.on("data", (chunk: Buffer) => {
      answeredAt ??= performance.now();
      answer.push(chunk);
    });
    child.stderr!.on("data", (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-STDERR_KEPT);
    });
    child.on("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      const text = Buffer.concat(answer).toString();
      if (code !== 0 || answeredAt === undefined) {
        const how = signal ? `was killed by ${signal}${signal === "SIGKILL" ? ` (timeout ${timeoutMs} ms?)` : ""}` : `exited with ${code}`;
        // The first line says what went wrong; the stderr tail follows for the whole story.
        const reason = stderr.split("\n").find((line) => /^[A-Za-z]*Error\b/.test(line)) ?? stderr.trim().split("\n").at(-1) ?? "";
        reject(new Error(`${basename(script)} ${how}${reason ? `: ${reason}` : ""}${stderr ? `\n${stderr.trim()}` : ""}`));
        return;
      }
      try {
        resolve({ result: JSON.parse(text) as T, spawnMs: answeredAt - started });
      } catch {
        reject(new Error(`${script} answered something other than JSON: ${text.slice(0, 200)}`));
      }
    });
  });
}

export interface RunningChild<T> {
  /** The first line the child wrote to fd 3, parsed. */
  readonly ready: T;
  /** Sends `signal` and resolves with the next line the child writes to fd 3, parsed. */
  ask<A>(signal: NodeJS.Signals): Promise<A>;
  /** SIGTERM, then the child's exit. */
  stop(): Promise<void>;
}

/**
 * Starts a long-running bench child (a server); resolves once it has written its first line
 * (JSON) to fd 3. It may answer signals with further lines.
 */
export function startChild<T>(script: string, options: Pick<ChildOptions, "args" | "env"> = {}): Promise<RunningChild<T>> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, ...(options.args ?? [])], {
      cwd: ROOT,
      env: { ...process.env, ...options.env },
      stdio: ["ignore", "ignore", "inherit", "pipe"],
    });
    const exited = new Promise<void>((done) => child.once("exit", () => done()));
    const waiting: ((line: string) => void)[] = [];
    let text = "";
    child.once("error", reject);
    child.once("exit", (code, signal) => reject(new Error(`${basename(script)} exited (${signal ?? code}) before it was ready`)));
    const nextLine = () => new Promise<string>((got) => waiting.push(got));
    child.stdio[3]!.on("data", (chunk: Buffer) => {
      text += chunk.toString();
      for (let newline = text.indexOf("\n"); newline >= 0; newline = text.indexOf("\n")) {
        const line = text.slice(0, newline);
        text = text.slice(newline + 1);
        waiting.shift()?.(line);
      }
    });
    void nextLine().then((line) =>
      resolve({
        ready: JSON.parse(line) as T,
        ask: <A>(signal: NodeJS.Signals) => {
          const answer = nextLine();
          child.kill(signal);
          return answer.then((l) => JSON.parse(l) as A);
        },
        stop: () => {
          child.kill("SIGTERM");
          return exited;
        },
      }),
    );
  });
}
