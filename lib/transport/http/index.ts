/** The API Gateway adapter: HTTP API payload 2.0 and REST API payload 1.0 events (docs/CONTRACT.md §3). */
export { handleHttpEvent } from "./handler.js";
export { isApiGatewayEvent, type ApiGatewayEvent } from "./event.js";
export { httpStatusOf } from "./errors.js";
export type { HttpErrorBody, HttpResponse } from "./response.js";
export { routes, type Route } from "./routes.js";
