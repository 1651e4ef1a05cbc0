/**
 * How the client commands reach a server: endpoint, region and credentials, resolved from options and the
 * environment (the CLI is the one place that reads it), and the AWS SDK client built from them.
 *
 * Credentials, first found wins:
 * 1. LOGWARD_ACCESS_KEY_ID and LOGWARD_SECRET_ACCESS_KEY;
 * 2. for a server on this machine (a loopback endpoint), the root keys that `logward serve` generated in
 *    <data-dir>/credentials.json, so that `npm start` then `logward groups` just works;
 * 3. the SDK's default chain (AWS_ACCESS_KEY_ID..., AWS_PROFILE and the shared config files, ...).
 */
import { join } from 'node:path';
import { z } from 'zod';
import type { Command } from 'commander';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { CREDENTIALS_FILE } from '../api/auth/credentials.js';
import { serverConfigSchema } from '../config.js';
import { UsageError, type CliContext } from './context.js';

/** The server's defaults, from the one schema that defines them. */
export const SERVER_DEFAULTS = serverConfigSchema.parse({});
export const DEFAULT_ENDPOINT = `http://${SERVER_DEFAULTS.host}:${SERVER_DEFAULTS.port}`;

/** The options every client command takes. */
export interface ClientOptions {
  endpointUrl?: string;
  region?: string;
  dataDir?: string;
}

export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
}

export type CredentialSource = 'environment' | 'data-dir' | 'sdk-default-chain';

export interface ClientSettings {
  endpoint: string;
  region: string;
  /** Absent when the SDK's default chain is to find them. */
  credentials?: Credentials;
  credentialSource: CredentialSource;
}

export interface ResolveDeps {
  env: Readonly<Record<string, string | undefined>>;
  readFile(path: string): Promise<string>;
}

const credentialsFileSchema = z.object({ accessKeyId: z.string().min(1), secretAccessKey: z.string().min(1) });

export async function resolveClientSettings(opts: ClientOptions, deps: ResolveDeps): Promise<ClientSettings> {
  const endpoint = parseEndpoint(opts.endpointUrl ?? nonEmpty(deps.env.LOGWARD_ENDPOINT) ?? DEFAULT_ENDPOINT);
  const region =
    nonEmpty(opts.region) ?? nonEmpty(deps.env.AWS_REGION) ?? nonEmpty(deps.env.AWS_DEFAULT_REGION) ?? SERVER_DEFAULTS.region;

  const fromEnv = credentialsFromEnv(deps.env);
  if (fromEnv !== undefined) return { endpoint, region, credentials: fromEnv, credentialSource: 'environment' };

  if (isLoopback(endpoint)) {
    const path = join(opts.dataDir ?? SERVER_DEFAULTS.dataDir, CREDENTIALS_FILE);
    const fromFile = await readCredentialsFile(path, deps.readFile);
    if (fromFile !== undefined) return { endpoint, region, credentials: fromFile, credentialSource: 'data-dir' };
  }
  return { endpoint, region, credentialSource: 'sdk-default-chain' };
}

/** LOGWARD_ACCESS_KEY_ID and LOGWARD_SECRET_ACCESS_KEY, both or neither. `serve` reads them too. */
export function credentialsFromEnv(env: Readonly<Record<string, string | undefined>>): Credentials | undefined {
  const accessKeyId = nonEmpty(env.LOGWARD_ACCESS_KEY_ID);
  const secretAccessKey = nonEmpty(env.LOGWARD_SECRET_ACCESS_KEY);
  if (accessKeyId === undefined && secretAccessKey === undefined) return undefined;
  if (accessKeyId === undefined || secretAccessKey === undefined) {
    throw new UsageError('set both LOGWARD_ACCESS_KEY_ID and LOGWARD_SECRET_ACCESS_KEY, or neither');
  }
  return { accessKeyId, secretAccessKey };
}

function parseEndpoint(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch (cause) {
    throw new UsageError(`invalid endpoint URL '${text}': expected something like ${DEFAULT_ENDPOINT}`, { cause });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UsageError(`invalid endpoint URL '${text}': only http and https are supported`);
  }
  return text;
}

/** A server on this machine: the only kind the generated root keys are sent to. */
export function isLoopback(endpoint: string): boolean {
  const host = new URL(endpoint).hostname;
  return host === 'localhost' || host === '[::1]' || /^127(\.\d{1,3}){3}$/.test(host);
}

/** The keys in the file, or undefined when it cannot be read; a file that is there but malformed is an error. */
async function readCredentialsFile(path: string, readFile: ResolveDeps['readFile']): Promise<Credentials | undefined> {
  let text: string;
  try {
    text = await readFile(path);
  } catch (error) {
    if (isUnreadable(error)) return undefined;
    throw error;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw new UsageError(`${path} is not valid JSON`, { cause });
  }
  const parsed = credentialsFileSchema.safeParse(json);
  if (!parsed.success) {
    throw new UsageError(`${path} does not hold {"accessKeyId", "secretAccessKey"}`, { cause: parsed.error });
  }
  return { accessKeyId: parsed.data.accessKeyId, secretAccessKey: parsed.data.secretAccessKey };
}

function isUnreadable(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR' || code === 'EACCES' || code === 'EPERM' || code === 'EISDIR';
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}

export function createLogsClient(settings: ClientSettings): CloudWatchLogsClient {
  return new CloudWatchLogsClient({
    endpoint: settings.endpoint,
    region: settings.region,
    ...(settings.credentials === undefined ? {} : { credentials: settings.credentials }),
  });
}

/** The options every client command takes. */
export function addClientOptions(command: Command): Command {
  return command
    .option('--endpoint-url <url>', `the server (default: $LOGWARD_ENDPOINT, else ${DEFAULT_ENDPOINT})`)
    .option('--region <region>', `the region to sign for (default: $AWS_REGION, $AWS_DEFAULT_REGION, else ${SERVER_DEFAULTS.region})`)
    .option(
      '--data-dir <dir>',
      `where a local server keeps ${CREDENTIALS_FILE}, read when no credentials are in the environment (default: ${SERVER_DEFAULTS.dataDir})`,
    );
}

/** Runs `fn` with a client for the resolved server, and releases the client's connections after. */
export async function withLogsClient<T>(
  ctx: CliContext,
  opts: ClientOptions,
  fn: (client: CloudWatchLogsClient) => Promise<T>,
): Promise<T> {
  const client = createLogsClient(await resolveClientSettings(opts, ctx));
  try {
    return await fn(client);
  } finally {
    client.destroy();
  }
}

/** withLogsClient for the CloudWatch (metrics and alarms) API, served on the same endpoint. */
export async function withCloudWatchClient<T>(ctx: CliContext, opts: ClientOptions, fn: (client: CloudWatchClient) => Promise<T>): Promise<T> {
  const settings = await resolveClientSettings(opts, ctx);
  // Imported here: commands that do not use it (the agent without host metrics) do not load it.
  const { CloudWatchClient } = await import('@aws-sdk/client-cloudwatch');
  const client = new CloudWatchClient({
    endpoint: settings.endpoint,
    region: settings.region,
    ...(settings.credentials === undefined ? {} : { credentials: settings.credentials }),
  });
  try {
    return await fn(client);
  } finally {
    client.destroy();
  }
}
