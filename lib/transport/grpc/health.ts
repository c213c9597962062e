/**
 * grpc.health.v1.Health: Check answers the status of "" (the whole server) or of one service
 * (NOT_FOUND for a service it does not know, as the protocol asks); Watch streams the status,
 * then every change, until the caller leaves or the server shuts down.
 */
import type { handleServerStreamingCall, handleUnaryCall, ServerWritableStream, UntypedServiceImplementation } from "@grpc/grpc-js";
import { ConnectorNotFoundError } from "../../connector/errors.js";
import { grpc } from "../../idl/index.js";
import type { ServiceLogger } from "../../service/service.js";
import type { Decoded } from "./definitions.js";
import { HEALTH_SERVICE } from "./definitions.js";
import { unwrap } from "./handlers.js";
import { toGrpcStatus } from "./status.js";

const { HealthCheckResponse } = grpc.health.v1;
export const ServingStatus = HealthCheckResponse.ServingStatus;
export type ServingStatus = grpc.health.v1.HealthCheckResponse.ServingStatus;

type HealthRequest = Decoded<grpc.health.v1.IHealthCheckRequest>;
type Watcher = ServerWritableStream<HealthRequest, grpc.health.v1.HealthCheckResponse>;

export class HealthService {
  readonly #statuses = new Map<string, ServingStatus>();
  readonly #watchers = new Map<Watcher, string>();
  readonly #logger: ServiceLogger | undefined;

  /** Every named service, and the server as a whole (""), start SERVING. */
  constructor(services: Iterable<string>, logger?: ServiceLogger) {
    this.#logger = logger;
    for (const service of ["", ...services]) this.#statuses.set(service, ServingStatus.SERVING);
  }

  status(service: string): ServingStatus | undefined {
    return this.#statuses.get(service);
  }

  setStatus(service: string, status: ServingStatus): void {
    if (this.#statuses.get(service) === status) return;
    this.#statuses.set(service, status);
    for (const [call, watched] of this.#watchers) {
      if (watched === service) call.write(new HealthCheckResponse({ status }));
    }
  }

  /** Marks everything NOT_SERVING and ends the Watch streams, so a draining server is not held open by them. */
  shutdown(): void {
    for (const service of this.#statuses.keys()) this.setStatus(service, ServingStatus.NOT_SERVING);
    for (const call of this.#watchers.keys()) call.end();
    this.#watchers.clear();
  }

  readonly implementation: UntypedServiceImplementation = {
    Check: ((call, callback) => {
      try {
        const service = unwrap(call.request).service ?? "";
        const status = this.#statuses.get(service);
        if (status === undefined) throw new ConnectorNotFoundError(`Unknown service: ${service}.`);
        callback(null, new HealthCheckResponse({ status }));
      } catch (error) {
        callback(toGrpcStatus(error, this.#logger, `${HEALTH_SERVICE}/Check`));
      }
    }) satisfies handleUnaryCall<HealthRequest, grpc.health.v1.HealthCheckResponse>,

    Watch: ((call) => {
      let service: string;
      try {
        service = unwrap(call.request).service ?? "";
      } catch (error) {
        call.emit("error", toGrpcStatus(error, this.#logger, `${HEALTH_SERVICE}/Watch`));
        return;
      }
      // An unknown service is not an error for Watch: it may be registered later.
      call.write(new HealthCheckResponse({ status: this.#statuses.get(service) ?? ServingStatus.SERVICE_UNKNOWN }));
      this.#watchers.set(call, service);
      call.on("cancelled", () => this.#watchers.delete(call));
    }) satisfies handleServerStreamingCall<HealthRequest, grpc.health.v1.HealthCheckResponse>,
  };
}
