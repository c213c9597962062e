/** `flyte-connector`: serve the local stack, list connectors, run a task, call an operation, build and package a deployment. */
import { packageVersion } from "./package-info.js";
import {
  commandHelp,
  describeError,
  ExitCode,
  parseCommandLine,
  PROGRAM,
  UsageError,
  type CliIo,
  type CommandListing,
} from "./command.js";

export const commands: readonly CommandListing[] = [
  {
    name: "serve",
    summary: "Serve connectors: the gRPC front and the HTTP routes, until Ctrl-C or SIGTERM.",
    load: async () => (await import("./commands/serve.js")).serveCommand,
  },
  {
    name: "list",
    summary: "List the connectors the service offers.",
    load: async () => (await import("./commands/list.js")).listCommand,
  },
  {
    name: "run",
    summary: "Run one task to the end and print its outputs as JSON.",
    load: async () => (await import("./commands/run.js")).runCommand,
  },
  {
    name: "call",
    summary: "Call one operation with a JSON request and print the JSON response.",
    load: async () => (await import("./commands/call.js")).callCommand,
  },
  {
    name: "init",
    summary: "Create a connector project: a connector, its test, a registry and serverless.yml.",
    load: async () => (await import("./commands/init.js")).initCommand,
  },
  {
    name: "build",
    summary: "Build the Lambda functions serving a registry module into .build/.",
    load: async () => (await import("./commands/build.js")).buildCommand,
  },
  {
    name: "package",
    summary: "Build the functions, then run serverless package (CloudFormation in .serverless/).",
    load: async () => (await import("./commands/package.js")).packageCommand,
  },
];

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
    (name === undefined ? io.stderr : io.stdout).write(topic ? commandHelp(topic, await topic.load()) : programHelp());
    return name === undefined ? ExitCode.USAGE : ExitCode.OK;
  }
  const listing = commands.find((candidate) => candidate.name === name);
  if (!listing) {
    io.stderr.write(`${PROGRAM}: unknown command '${name}'. Commands: ${commands.map((c) => c.name).join(", ")}.\n`);
    io.stderr.write(`Run '${PROGRAM} --help' for usage.\n`);
    return ExitCode.USAGE;
  }
  try {
    const command = await listing.load();
    const { help, flags, positionals } = parseCommandLine(command, args);
    if (help) {
      io.stdout.write(commandHelp(listing, command));
      return ExitCode.OK;
    }
    return await command.run(flags, positionals, io);
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr.write(`${PROGRAM} ${listing.name}: ${error.message}\nRun '${PROGRAM} ${listing.name} --help' for usage.\n`);
      return ExitCode.USAGE;
    }
    io.stderr.write(`${PROGRAM} ${listing.name}: ${describeError(error)}\n`);
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
          // Still listened for while shutting down: a signal unheard would kill the process before
          // its exit hooks run (serverless offline's group left holding its ports). One within a
          // second is the same Ctrl-C twice (the terminal's, and npm's passing it on); a later one
          // asks to stop now.
          const first = Date.now();
          const again = (repeated: NodeJS.Signals) => {
            if (Date.now() - first > 1_000) process.exit(repeated === "SIGINT" ? 130 : 143);
          };
          process.on("SIGINT", again);
          process.on("SIGTERM", again);
          resolve(signal);
        };
        process.on("SIGINT", stop);
        process.on("SIGTERM", stop);
      });
    },
  };
}
