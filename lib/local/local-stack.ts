/**
 * The local stack (`npm start`): the gRPC front FlytePropeller dials and the HTTP routes of
 * docs/CONTRACT.md §3, both over one Dispatch — by default the in-process service over a registry,
 * or any other backend (the deployed functions, or `serverless offline`: the production
 * topology on one machine).
 */
import { createServer, type Server } from "node:http";
import { errorMessage } from "../connector/errors.js";
import type { ConnectorRegistry } from "../connector/registry.js";
import { flyteidl } from "../idl/index.js";
import { metaSealerFromEnv } from "../service/meta-keys.js";
import type { Dispatch } from "../service/operations.js";
import { ConnectorService } from "../service/service.js";
import { DEFAULT_GRPC_PORT, DEFAULT_HTTP_PORT, dialableHost, hostForUrl } from "../transport/addresses.js";
import { startGrpcServer, type TlsOptions } from "../transport/grpc/index.js";
import { handleHttpEvent } from "../transport/http/index.js";
import { formatConnectorTable } from "./connector-table.js";
import { httpBridge } from "./http-bridge.js";

export interface LocalStackLogger {
  info(message: string): void;
  error(message: string, ...extra: unknown[]): void;
}

interface CommonOptions {
  /** Default 8000; 0 picks a free port. */
  readonly grpcPort?: number;
  /** Default 3000; 0 picks a free port; false serves no HTTP (when something else does, e.g. serverless offline). */
  readonly httpPort?: number | false;
  /** The interface both servers listen on (default 127.0.0.1; `0.0.0.0` to be reached from a Flyte sandbox). */
  readonly host?: string;
  /** Serve gRPC over TLS. */
  readonly tls?: TlsOptions;
  /** The deadline of each HTTP request (default 30 s, API Gateway's longest integration timeout). */
  readonly httpTimeoutMs?: number;
  /** How long close() lets running calls finish (default 10 s). */
  readonly shutdownTimeoutMs?: number;
  /** Close on SIGTERM or SIGINT, then exit the process; a second signal exits at once. */
  readonly handleSignals?: boolean;
  /** Default: the console. */
  readonly logger?: LocalStackLogger;
}

/** A registry served in-process, or any other Dispatch (which then wins). */
export type LocalStackOptions = CommonOptions &
  ({ readonly registry: ConnectorRegistry; readonly dispatch?: Dispatch } | { readonly registry?: ConnectorRegistry; readonly dispatch: Dispatch });

export interface LocalStack {
  /** `host:port` to dial. */
  readonly grpcAddress: string;
  /** `http://host:port`, or undefined when the stack serves no HTTP. */
  readonly httpUrl: string | undefined;
  /** The connectors served, as ListAgents answered at start. */
  readonly agents: readonly flyteidl.admin.IAgent[];
  close(): Promise<void>;
}

/** A port of the stack that another process holds: `server` says which, so a caller can name the setting that moves it. */
export class PortInUseError extends Error {
  constructor(
    readonly server: "grpc" | "http",
    readonly host: string,
    readonly port: number,
    options?: ErrorOptions,
  ) {
    super(`${server === "grpc" ? "gRPC" : "HTTP"} port ${port} on ${host} is already in use.`, options);
    this.name = "PortInUseError";
  }
}

/** Node's listen error, or grpc-js's bind error, which carries it in its message alone. */
function isAddressInUse(error: unknown): boolean {
  return (error as NodeJS.ErrnoException | undefined)?.code === "EADDRINUSE" || /\bEADDRINUSE\b/.test(errorMessage(error));
}

export async function startLocalStack(options: LocalStackOptions): Promise<LocalStack> {
  const logger = options.logger ?? console;
  const host = options.host ?? "127.0.0.1";
  const shutdownTimeoutMs = options.shutdownTimeoutMs ?? 10_000;
  // In-process, the stack seals metas as the functions would, from the same environment.
  const dispatch = options.dispatch ?? new ConnectorService(options.registry!, { logger, metaSealer: metaSealerFromEnv() }).dispatch;

  // Asking the backend first proves it answers, and gives the table to print.
  const [listed] = await dispatch("listAgents", [new flyteidl.admin.ListAgentsRequest()]);
  const agents = (listed as flyteidl.admin.IListAgentsResponse).agents ?? [];

  const grpcPort = options.grpcPort ?? DEFAULT_GRPC_PORT;
  const grpc = await startGrpcServer({ dispatch, host, port: grpcPort, tls: options.tls, logger, shutdownTimeoutMs }).catch((error: unknown) => {
    throw isAddressInUse(error) ? new PortInUseError("grpc", host, grpcPort, { cause: error }) : error;
  });

  let http: Server | undefined;
  let httpUrl: string | undefined;
  if (options.httpPort !== false) {
    const onInternalError = (error: unknown) => logger.error("HTTP request failed", error);
    const listener = httpBridge((event, deadline, signal) => handleHttpEvent(event, dispatch, { deadline, signal }, onInternalError), {
      timeoutMs: options.httpTimeoutMs,
      logger,
    });
    const httpPort = options.httpPort ?? DEFAULT_HTTP_PORT;
    try {
      http = await listen(createServer(listener), httpPort, host);
    } catch (error) {
      await grpc.close();
      throw isAddressInUse(error) ? new PortInUseError("http", host, httpPort, { cause: error }) : error;
    }
    const { port } = http.address() as { port: number };
    httpUrl = `http://${hostForUrl(dialableHost(host))}:${port}`;
  }

  logger.info(formatConnectorTable(agents));
  logger.info(`gRPC front on ${grpc.address} (${options.tls ? "TLS" : "plaintext"})`);
  if (httpUrl) logger.info(`HTTP routes on ${httpUrl}`);

  let closing: Promise<void> | undefined;
  const close = () => (closing ??= Promise.all([grpc.close(), http && closeHttp(http, shutdownTimeoutMs)]).then(() => undefined));

  if (options.handleSignals) {
    const onSignal = (signal: NodeJS.Signals) => {
      if (closing) process.exit(1);
      logger.info(`${signal}: shutting down`);
      close().then(
        () => process.exit(0),
        (error: unknown) => {
          logger.error("shutdown failed", error);
          process.exit(1);
        },
      );
    };
    process.on("SIGTERM", onSignal);
    process.on("SIGINT", onSignal);
  }

  return { grpcAddress: grpc.address, httpUrl, agents, close };
}

function listen(server: Server, port: number, host: string): Promise<Server> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve(server);
    });
  });
}

/** Stops accepting, lets requests in flight finish within the timeout, then cuts the rest. */
function closeHttp(server: Server, timeoutMs: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => server.closeAllConnections(), timeoutMs);
    server.close(() => {
      clearTimeout(timer);
      resolve();
    });
    server.closeIdleConnections();
  });
}
