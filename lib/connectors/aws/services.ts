/**
 * boto3's service and method names to the AWS SDK v3 client and command that make the same call.
 *
 * A v3 client package is named after its service's sdkId (`client-` + the sdkId lower-cased,
 * spaces as hyphens), which is botocore's service name for every service but a few older ones;
 * those are listed below (all 55 of botocore 1.43.11, whose service-2.json metadata gives each
 * serviceId; test/connectors/aws/services.test.ts checks the list against the installed client
 * packages and, where Python's botocore is present, against botocore itself). A v3 name
 * (`sfn`, `cloudwatch-logs`) is taken as well, and so is an alias botocore keeps for an older name
 * (`runtime.sagemaker`). Commands are matched without regard to case and
 * underscores: `describe_db_instances` is DescribeDBInstancesCommand.
 */
import { InvalidArgumentError } from "../../connector/errors.js";
import { requirePackage } from "../../connector/require-package.js";

/** botocore service name -> v3 package suffix, where the two differ. */
export const V3_NAMES: Readonly<Record<string, string>> = {
  apigateway: "api-gateway",
  "application-autoscaling": "application-auto-scaling",
  appmesh: "app-mesh",
  autoscaling: "auto-scaling",
  "autoscaling-plans": "auto-scaling-plans",
  ce: "cost-explorer",
  cloudhsmv2: "cloudhsm-v2",
  cloudsearchdomain: "cloudsearch-domain",
  "cognito-idp": "cognito-identity-provider",
  config: "config-service",
  cur: "cost-and-usage-report-service",
  datapipeline: "data-pipeline",
  devicefarm: "device-farm",
  directconnect: "direct-connect",
  discovery: "application-discovery-service",
  dms: "database-migration-service",
  ds: "directory-service",
  "ds-data": "directory-service-data",
  dynamodbstreams: "dynamodb-streams",
  elasticbeanstalk: "elastic-beanstalk",
  elb: "elastic-load-balancing",
  elbv2: "elastic-load-balancing-v2",
  es: "elasticsearch-service",
  events: "eventbridge",
  globalaccelerator: "global-accelerator",
  "iot-data": "iot-data-plane",
  "iot-jobs-data": "iot-jobs-data-plane",
  iotevents: "iot-events",
  "iotevents-data": "iot-events-data",
  iotwireless: "iot-wireless",
  kinesisanalytics: "kinesis-analytics",
  kinesisanalyticsv2: "kinesis-analytics-v2",
  kinesisvideo: "kinesis-video",
  "lex-models": "lex-model-building-service",
  "lex-runtime": "lex-runtime-service",
  "lexv2-models": "lex-models-v2",
  "lexv2-runtime": "lex-runtime-v2",
  logs: "cloudwatch-logs",
  machinelearning: "machine-learning",
  "marketplace-entitlement": "marketplace-entitlement-service",
  marketplacecommerceanalytics: "marketplace-commerce-analytics",
  meteringmarketplace: "marketplace-metering",
  mgh: "migration-hub",
  resourcegroupstaggingapi: "resource-groups-tagging-api",
  route53: "route-53",
  route53domains: "route-53-domains",
  s3control: "s3-control",
  sdb: "simpledb",
  secretsmanager: "secrets-manager",
  serverlessrepo: "serverlessapplicationrepository",
  servicecatalog: "service-catalog",
  "servicecatalog-appregistry": "service-catalog-appregistry",
  "sms-voice": "pinpoint-sms-voice",
  stepfunctions: "sfn",
  storagegateway: "storage-gateway",
};

/**
 * The older names botocore still takes for a service, as its "choose-service-name" handler maps
 * them (SERVICE_NAME_ALIASES, botocore/utils.py:3646, botocore 1.43.11).
 */
export const SERVICE_NAME_ALIASES: Readonly<Record<string, string>> = { "runtime.sagemaker": "sagemaker-runtime" };

/** The v3 package of a boto3 service name. */
export function clientPackage(service: string): string {
  const name = Object.hasOwn(SERVICE_NAME_ALIASES, service) ? SERVICE_NAME_ALIASES[service]! : service;
  if (!/^[a-z0-9][a-z0-9-]*$/.test(name)) {
    throw new InvalidArgumentError(`Boto task: ${JSON.stringify(service)} is not an AWS service name (boto3's, e.g. "sagemaker", "stepfunctions").`);
  }
  return `@aws-sdk/client-${Object.hasOwn(V3_NAMES, name) ? V3_NAMES[name] : name}`;
}

/** A v3 command class, as far as this connector uses it. */
export type CommandClass = new (input: Record<string, unknown>) => object;

/** A v3 client class, as far as this connector uses it. */
export type ClientClass = new (config: Record<string, unknown>) => AwsSdkClient;

export interface AwsSdkClient {
  readonly config: { readonly serviceId?: string };
  readonly middlewareStack: {
    add(middleware: (next: (args: unknown) => Promise<unknown>) => (args: unknown) => Promise<unknown>, options: Record<string, unknown>): void;
  };
  send(command: object, options?: { abortSignal?: AbortSignal }): Promise<Record<string, unknown>>;
  destroy(): void;
}

export interface ServiceModule {
  readonly packageName: string;
  readonly Client: ClientClass;
  /** The command of a boto3 method name, or undefined when the service has none. */
  command(method: string): CommandClass | undefined;
}

/** Loads the v3 client package of a boto3 service; InvalidArgumentError when the runtime has none. */
export async function loadService(service: string): Promise<ServiceModule> {
  const packageName = clientPackage(service);
  let exports: Record<string, unknown>;
  try {
    exports = requirePackage(packageName);
  } catch (error) {
    if ((error as { code?: unknown }).code !== "MODULE_NOT_FOUND") throw error;
    throw new InvalidArgumentError(
      `Boto task: service ${JSON.stringify(service)} has no AWS SDK v3 client here (${packageName} is not installed); use boto3's service name.`,
    );
  }
  // `__Client` is smithy's base class, re-exported by every package.
  const clients = Object.entries(exports).filter(([name, value]) => /^[A-Z]\w*Client$/.test(name) && isClass(value, "send"));
  if (clients.length !== 1) throw new Error(`${packageName} exports ${clients.length} client classes; expected one`);
  const commands = new Map<string, CommandClass>();
  for (const [name, value] of Object.entries(exports)) {
    if (name.endsWith("Command") && typeof value === "function") commands.set(commandKey(name.slice(0, -"Command".length)), value as CommandClass);
  }
  return { packageName, Client: clients[0]![1] as ClientClass, command: (method) => commands.get(commandKey(method)) };
}

function commandKey(name: string): string {
  return name.replace(/_/g, "").toLowerCase();
}

function isClass(value: unknown, method: string): boolean {
  return typeof value === "function" && typeof (value.prototype as Record<string, unknown> | undefined)?.[method] === "function";
}
