/** `flyte-connector`: serve the local stack, list connectors, run a task, call an operation, build and package a deployment. */
import { buildCommand } from "./commands/build.js";
import { callCommand } from "./commands/call.js";
import { initCommand } from "./commands/init.js";
import { listCommand } from "./commands/list.js";
import { packageCommand } from "./commands/package.js";
import { runCommand } from "./commands/run.js";
import { serveCommand } from "./commands/serve.js";
import { packageVersion } from "./package-info.js";
import {
  commandHelp,
  describeError,
  ExitCode,
  parseCommandLine,
  PROGRAM,
  UsageError,
  type CliIo,
  type Command,
} from "./command.js";

export const commands: readonly Command[] = [serveCommand, listCommand, runCommand, callCommand, initCommand, buildCommand, packageCommand];

export function programHelp(): string {
  const width = Math.max(...commands.map((command) => command.name.length));
  const list = commands.map((command) => `  ${command.name.padEnd(width)}  ${command.summary}`).join("\n");
  return `Usage: ${PROGRAM} <command> [options]

Flyte connectors in TypeScript: serve them locally, and call them over any transport.

Commands:
${list}

Run '${PROGRAM} <command> --help' for the options of a command, '${PROGRAM} --version' for the version.
`;
}

/** Runs one command line; resolves with the exit status. */
export async function main(argv: readonly string[], io: CliIo = processIo()): Promise<number> {
  const [name, ...args] = argv;
  if (name === "--version" || name === "-V") {
    io.stdout.write(`${packageVersion()}\n`);
    return ExitCode.OK;
  }
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    const topic = name === "help" ? commands.find((command) => command.name === args[0]) : undefined;
    (name === undefined ? io.stderr : io.stdout).write(topic ? commandHelp(topic) : programHelp());
    return name === undefined ? ExitCode.USAGE : ExitCode.OK;
  }
  const command = commands.find((candidate) => candidate.name === name);
  if (!command) {
    io.stderr.write(`${PROGRAM}: unknown command '${name}'. Commands: ${commands.map((c) => c.name).join(", ")}.\n`);
    io.stderr.write(`Run '${PROGRAM} --help' for usage.\n`);
    return ExitCode.USAGE;
  }
  try {
    const { help, flags, positionals } = parseCommandLine(command, args);
    if (help) {
      io.stdout.write(commandHelp(command));
      return ExitCode.OK;
    }
    return await command.run(flags, positionals, io);
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr.write(`${PROGRAM} ${command.name}: ${error.message}\nRun '${PROGRAM} ${command.name} --help' for usage.\n`);
      return ExitCode.USAGE;
    }
    io.stderr.write(`${PROGRAM} ${command.name}: ${describeError(error)}\n`);
    return ExitCode.FAILURE;
  }
}

/** The real process: its streams, its working directory, its signals. */
export function processIo(): CliIo {
  return {
    stdin: process.stdin,
    stdout: process.stdout,
    stderr: process.stderr,
    cwd: process.cwd(),
    onInterrupt(handler) {
      process.on("SIGINT", handler);
      return () => process.off("SIGINT", handler);
    },
    exit(code) {
      process.exit(code);
    },
    untilStopped() {
      return new Promise<NodeJS.Signals>((resolve) => {
        const stop = (signal: NodeJS.Signals) => {
          process.off("SIGINT", stop);
          process.off("SIGTERM", stop);
          resolve(signal);
        };
        process.on("SIGINT", stop);
        process.on("SIGTERM", stop);
      });
    },
  };
}
