export { readPem, serverCredentials, type PemSource, type TlsOptions } from "./credentials.js";
export { HEALTH_SERVICE } from "./definitions.js";
export { HealthService, ServingStatus } from "./health.js";
export { startGrpcServer, type GrpcServer, type GrpcServerOptions } from "./server.js";
