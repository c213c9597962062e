import { createLambdaHandler } from "../lib/transport/lambda/handler.js";
import { registry } from "./registry.js";

export const handler = createLambdaHandler("getTaskMetrics", registry);
