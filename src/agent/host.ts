/**
 * What the placeholders of names stand for: {instance_id}, {hostname}, {local_hostname}, {ip_address},
 * and `${aws:InstanceId}` in metric dimensions. On EC2 the instance id comes from the instance metadata
 * service (IMDSv2, a short timeout); elsewhere it is the host name, so names stay stable per machine.
 */
import { hostname, networkInterfaces } from 'node:os';

export interface HostInfo {
  instanceId: string;
  hostname: string;
  localHostname: string;
  ipAddress: string;
}

const IMDS = 'http://169.254.169.254/latest';

async function instanceIdFromImds(timeoutMs: number): Promise<string | undefined> {
  try {
    const token = await fetch(`${IMDS}/api/token`, {
      method: 'PUT',
      headers: { 'x-aws-ec2-metadata-token-ttl-seconds': '60' },
      signal: AbortSignal.timeout(timeoutMs),
    });
    if (!token.ok) return undefined;
    const id = await fetch(`${IMDS}/meta-data/instance-id`, {
      headers: { 'x-aws-ec2-metadata-token': await token.text() },
      signal: AbortSignal.timeout(timeoutMs),
    });
    return id.ok ? (await id.text()).trim() : undefined;
  } catch {
    // Not on EC2 (or the metadata service is off): the host name stands in.
    return undefined;
  }
}

export function localIpAddress(): string {
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  return '127.0.0.1';
}

export async function detectHost(opts: { imds: boolean; timeoutMs?: number }): Promise<HostInfo> {
  const name = hostname();
  const instanceId = opts.imds ? await instanceIdFromImds(opts.timeoutMs ?? 300) : undefined;
  return { instanceId: instanceId ?? name, hostname: name, localHostname: name.split('.')[0] ?? name, ipAddress: localIpAddress() };
}

/** The template with its placeholders replaced; unknown ones are left as they are. */
export function substitute(template: string, host: HostInfo): string {
  return template
    .replaceAll('{instance_id}', host.instanceId)
    .replaceAll('{hostname}', host.hostname)
    .replaceAll('{local_hostname}', host.localHostname)
    .replaceAll('{ip_address}', host.ipAddress);
}
