/**
 * The gRPC front FlytePropeller dials (CONTRACT.md §4): the three flyteidl agent services and
 * grpc.health.v1.Health over any Dispatch — the in-process service, or the deployed functions.
 *
 * Message sizes are grpc-js's defaults: 4 MB received per message (a larger request is
 * RESOURCE_EXHAUSTED), no limit on what is sent. That is FlytePropeller's own gRPC client limit
 * too, and below Lambda's 6 MB payload.
 */
import { Server, type UntypedServiceImplementation } from "@grpc/grpc-js";
import { operations, type Dispatch, type Operation } from "../../service/operations.js";
import type { ServiceLogger } from "../../service/service.js";
import { serverCredentials, type TlsOptions } from "./credentials.js";
import { healthService, serverMethod, type ServerMethod } from "./definitions.js";
import { operationHandler } from "./handlers.js";
import { HealthService } from "./health.js";

export const DEFAULT_GRPC_PORT = 8000;

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
  const server = new Server();

  const services = new Map<string, { definition: Record<string, ServerMethod>; implementation: UntypedServiceImplementation }>();
  for (const operation of Object.values(operations) as Operation[]) {
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

/** A wildcard listen address is dialled through loopback. */
export function dialableHost(host: string): string {
  if (host === "0.0.0.0" || host === "") return "127.0.0.1";
  if (host === "::" || host === "[::]") return "::1";
  return host;
}

/** IPv6 literals take brackets in `host:port`. */
export function hostForUrl(host: string): string {
  return host.includes(":") && !host.startsWith("[") ? `[${host}]` : host;
}
