/**
 * The gRPC front over the in-process service (what `npm start` serves), for the gRPC suite.
 * Bundled like a function and run with plain node. Once listening it answers on fd 3 with its
 * address and a resource meta the sleep connector made (for GetTask requests), then serves until
 * SIGTERM. On SIGUSR2 it writes the CPU time it has used so far (`{"cpuUs": n}`), so the suite can
 * tell the server's cost per call from the load generator's.
 */
import { writeSync } from "node:fs";
import { registry } from "../../functions/registry.js";
import { flyteidl } from "../../lib/idl/index.js";
import { ConnectorService } from "../../lib/service/service.js";
import { startGrpcServer } from "../../lib/transport/grpc/index.js";
import { createTaskRequest } from "../messages.js";

export interface GrpcServerReady {
  readonly address: string;
  /** Base64 resource meta of a sleep task, RUNNING for the whole run. */
  readonly meta: string;
}

let failures = 0;
const logger = {
  error: (message: string, ...extra: unknown[]) => {
    // Every failed call is counted by the load generator; the first one explains them.
    if (failures++ === 0) process.stderr.write(`grpc-server: ${message} ${extra.map(String).join(" ")}\n`);
  },
};
const service = new ConnectorService(registry, { logger });
const server = await startGrpcServer({ dispatch: service.dispatch, host: "127.0.0.1", port: 0, logger });
const [created] = await service.dispatch("createTask", [flyteidl.admin.CreateTaskRequest.decode(createTaskRequest())]);
const meta = Buffer.from((created as flyteidl.admin.CreateTaskResponse).resourceMeta).toString("base64");
process.once("SIGTERM", () => {
  void server.close().then(() => process.exit(0));
});
process.on("SIGUSR2", () => {
  const { user, system } = process.cpuUsage();
  writeSync(3, `${JSON.stringify({ cpuUs: user + system })}\n`);
});
const ready: GrpcServerReady = { address: server.address, meta };
writeSync(3, `${JSON.stringify(ready)}\n`);
