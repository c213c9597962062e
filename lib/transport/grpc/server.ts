/**
 * The gRPC front FlytePropeller dials (docs/CONTRACT.md §4): the three flyteidl agent services, the two
 * flyteidl2 connector services Flyte 2's executor dials (§7) on the same port, and
 * grpc.health.v1.Health over any Dispatch — the in-process service, or the deployed functions.
 *
 * A request message larger than MAX_GRPC_MESSAGE_BYTES (4 MB, grpc-js's default, set here so that
 * it is a named limit) is RESOURCE_EXHAUSTED; what is sent has no limit.
 */
import type { ServerHttp2Session } from "node:http2";
import { Server, type UntypedServiceImplementation } from "@grpc/grpc-js";
import { MAX_GRPC_MESSAGE_BYTES } from "../../limits.js";
import { DEFAULT_GRPC_PORT, dialableHost, hostForUrl } from "../addresses.js";
import { flyteidl2Operations } from "../../service/flyteidl2/operations.js";
import { operations, type Dispatch, type Operation } from "../../service/operations.js";
import type { ServiceLogger } from "../../service/service.js";
import { serverCredentials, type TlsOptions } from "./credentials.js";
import { healthService, serverMethod, type ServerMethod } from "./definitions.js";
import { operationHandler } from "./handlers.js";
import { HealthService } from "./health.js";

/**
 * Each connection's HTTP/2 receive window. Node's default, 64 KB shared by all of a connection's
 * streams, is less than 64 concurrent 2 KB CreateTask requests carry: the client then sends only
 * as WINDOW_UPDATEs come back, and some requests wait hundreds of ms behind later ones
 * (BENCHMARKS.md, Findings). 4 MB is 64 streams' own 64 KB windows, so the connection's never
 * binds first. It bounds no memory: Node counts connection window consumed as bytes arrive.
 */
export const CONNECTION_WINDOW_BYTES = 4 * 1024 * 1024;

export interface GrpcServerOptions {
  readonly dispatch: Dispatch;
  /** The interface to listen on (default `0.0.0.0`: FlytePropeller dials from another host). */
  readonly host?: string;
  /** Default 8000; 0 picks a free port. */
  readonly port?: number;
  /** Serve TLS instead of plaintext. */
  readonly tls?: TlsOptions;
  /** Gets the errors callers only see as INTERNAL (default: the console). */
  readonly logger?: ServiceLogger;
  /** How long `close()` lets running calls finish before cutting them (default 10 s). */
  readonly shutdownTimeoutMs?: number;
}

export interface GrpcServer {
  /** The port bound (useful with port 0). */
  readonly port: number;
  /** `host:port` a client on this machine can dial. */
  readonly address: string;
  readonly health: HealthService;
  /** Stops accepting calls, lets running ones finish within the shutdown timeout, then cuts the rest. */
  close(): Promise<void>;
}

export async function startGrpcServer(options: GrpcServerOptions): Promise<GrpcServer> {
  const logger = options.logger ?? console;
  const host = options.host ?? "0.0.0.0";
  const server = new Server({ "grpc.max_receive_message_length": MAX_GRPC_MESSAGE_BYTES });

  const services = new Map<string, { definition: Record<string, ServerMethod>; implementation: UntypedServiceImplementation }>();
  for (const operation of [...Object.values(operations), ...Object.values(flyteidl2Operations)] as Operation[]) {
    let service = services.get(operation.service);
    if (!service) services.set(operation.service, (service = { definition: {}, implementation: {} }));
    service.definition[operation.method] = serverMethod(operation);
    service.implementation[operation.method] = operationHandler(operation, options.dispatch, logger);
  }
  for (const { definition, implementation } of services.values()) server.addService(definition, implementation);

  const health = new HealthService(services.keys(), logger);
  server.addService(healthService, health.implementation);

  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync(`${hostForUrl(host)}:${options.port ?? DEFAULT_GRPC_PORT}`, serverCredentials(options.tls), (error, bound) =>
      error ? reject(error) : resolve(bound),
    );
  });

  onEachSession(server, (session) => session.setLocalWindowSize(CONNECTION_WINDOW_BYTES));

  const shutdownTimeoutMs = options.shutdownTimeoutMs ?? 10_000;
  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= new Promise<void>((resolve) => {
      health.shutdown();
      const timer = setTimeout(() => {
        server.forceShutdown();
        resolve();
      }, shutdownTimeoutMs);
      server.tryShutdown(() => {
        clearTimeout(timer);
        resolve();
      });
    }));

  return { port, address: `${hostForUrl(dialableHost(host))}:${port}`, health, close };
}

/**
 * Runs `listener` on every HTTP/2 session the bound server accepts. grpc-js 1.14 has no option
 * for the server's connection window (grpc/grpc-node#3058 proposes one), so this reaches its
 * http2 servers through a private field (there since 1.10). If an upgrade drops it, the window
 * stays at Node's default and server.test.ts says so.
 */
function onEachSession(server: Server, listener: (session: ServerHttp2Session) => void): void {
  const http2Servers: unknown = (server as unknown as { http2Servers?: unknown }).http2Servers;
  if (!(http2Servers instanceof Map)) return;
  for (const http2Server of http2Servers.keys() as Iterable<NodeJS.EventEmitter>) http2Server.on("session", listener);
}
