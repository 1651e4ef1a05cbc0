/**
 * A small client of the IAM Query API (the server's `POST /` with a form body, signed for `iam`): signs
 * with SigV4, sends, and turns the XML answer into the JSON the aws CLI prints for it. IAM errors become
 * an Error whose name is the IAM error code, as the SDK's errors are named, so `logward` prints
 * `logward: NoSuchEntity: The user with name bob cannot be found.`
 */
import { SignatureV4 } from '@smithy/signature-v4';
import { NodeSha256 } from '../api/auth/node-sha256.js';
import type { ClientSettings, Credentials } from './client.js';
import { createLogsClient } from './client.js';

/** An element of the answer: its children in order, and its text. */
export interface XmlNode {
  name: string;
  children: XmlNode[];
  text: string;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
const unescape = (s: string): string =>
  s.replace(/&(#x[0-9a-fA-F]+|#\d+|amp|lt|gt|quot|apos);/g, (_, e: string) =>
    e.startsWith('#x') ? String.fromCodePoint(parseInt(e.slice(2), 16)) : e.startsWith('#') ? String.fromCodePoint(Number(e.slice(1))) : ENTITIES[e]!,
  );

/** Enough XML for AWS Query answers: elements, text, entities; no attributes kept, no CDATA. */
export function parseXml(text: string): XmlNode {
  const root: XmlNode = { name: '#root', children: [], text: '' };
  const stack: XmlNode[] = [root];
  const re = /<(\/?)([A-Za-z_][\w.:-]*)[^>]*?(\/?)>|<\?[^>]*\?>|([^<]+)/g;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    const top = stack[stack.length - 1]!;
    if (m[4] !== undefined) top.text += unescape(m[4]);
    else if (m[2] === undefined) continue;
    else if (m[1] === '/') {
      if (stack.length > 1) stack.pop();
    } else {
      const node: XmlNode = { name: m[2], children: [], text: '' };
      top.children.push(node);
      if (m[3] !== '/') stack.push(node);
    }
  }
  return root;
}

/** Members that are lists in IAM's model (so an empty one is `[]`, not `""`). */
const LISTS = new Set(['Users', 'AccessKeyMetadata', 'PolicyNames']);
/** Pagination members the aws CLI leaves out once it has read every page. */
const PAGINATION = new Set(['IsTruncated', 'Marker']);

export function toJson(node: XmlNode): unknown {
  if (LISTS.has(node.name) || (node.children.length > 0 && node.children.every((c) => c.name === 'member'))) {
    return node.children.map((c) => toJson(c));
  }
  if (node.children.length === 0) return node.text;
  const out: Record<string, unknown> = {};
  for (const c of node.children) if (!PAGINATION.has(c.name)) out[c.name] = toJson(c);
  return out;
}

export class IamClient {
  private readonly signer: SignatureV4;

  constructor(
    private readonly settings: ClientSettings,
    credentials: Credentials | (() => Promise<Credentials>),
  ) {
    this.signer = new SignatureV4({ service: 'iam', region: settings.region, credentials, sha256: NodeSha256 });
  }

  /** Builds a client; without explicit keys, the AWS SDK's default chain finds them. */
  static create(settings: ClientSettings): IamClient {
    if (settings.credentials !== undefined) return new IamClient(settings, settings.credentials);
    const logs = createLogsClient(settings);
    const provider = async (): Promise<Credentials> => logs.config.credentials();
    return new IamClient(settings, provider);
  }

  /** Calls `action` and gives its result element as JSON (undefined when the result is empty). */
  async call(action: string, params: Record<string, string | undefined>): Promise<Record<string, unknown> | undefined> {
    const form = new URLSearchParams({ Action: action, Version: '2010-05-08' });
    for (const [k, v] of Object.entries(params)) if (v !== undefined) form.set(k, v);
    const body = form.toString();
    const url = new URL(this.settings.endpoint);
    const signed = await this.signer.sign({
      method: 'POST',
      protocol: url.protocol,
      hostname: url.hostname,
      port: url.port === '' ? undefined : Number(url.port),
      path: url.pathname || '/',
      query: {},
      headers: { host: url.host, 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
      body,
    });
    const res = await fetch(new URL('/', url), { method: 'POST', headers: signed.headers as Record<string, string>, body });
    const doc = parseXml(await res.text());
    const top = doc.children[0];
    if (!res.ok || top?.name === 'ErrorResponse') {
      const error = top?.children.find((c) => c.name === 'Error');
      const field = (n: string): string | undefined => error?.children.find((c) => c.name === n)?.text;
      const e = new Error(field('Message') ?? `HTTP ${res.status}`);
      e.name = field('Code') ?? `HTTP${res.status}`;
      throw e;
    }
    const result = top?.children.find((c) => c.name === `${action}Result`);
    return result === undefined ? undefined : (toJson(result) as Record<string, unknown>);
  }
}
