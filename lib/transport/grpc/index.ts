export { readPem, serverCredentials, type PemSource, type TlsOptions } from "./credentials.js";
export { HEALTH_SERVICE } from "./definitions.js";
export { HealthService, ServingStatus } from "./health.js";
export { DEFAULT_GRPC_PORT, startGrpcServer, type GrpcServer, type GrpcServerOptions } from "./server.js";
