/**
 * Realistic, deterministic log events for the benchmark.
 *
 * Three kinds of line, mixed the way a small production account mixes them: nginx "combined" access
 * lines (plus $request_time), structured application logs (pino/zap-like JSON with request ids, user ids,
 * durations and, for errors, an error object with a stack), and compact CloudTrail-like records.
 * The mix averages about 200 bytes per message.
 *
 * Contract: the output depends only on the spec and on (first, count) of the batch asked for, so any
 * worker can produce any batch and a later pass (the ripgrep reference file) reproduces it byte for byte.
 * Values that recur in real logs (client IPs, user ids, hosts) come from fixed pools drawn from the seed,
 * so the data compresses the way real data does, neither better (no copy-pasted lines) nor worse (no
 * random noise where real logs repeat themselves).
 */

/** sfc32: small, fast, good enough for synthetic data; not for anything secret. */
export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number, stream = 0) {
    this.a = seed >>> 0;
    this.b = (stream ^ 0x9e3779b9) >>> 0;
    this.c = Math.imul(seed ^ 0x85ebca6b, 0xc2b2ae35) >>> 0;
    this.d = 1;
    for (let i = 0; i < 15; i++) this.u32();
  }

  u32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** Uniform integer in [0, n), n ≤ 2^21. */
  int(n: number): number {
    return Math.floor((this.u32() * n) / 4294967296);
  }

  /** Uniform float in [0, 1). */
  float(): number {
    return this.u32() / 4294967296;
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)] as T;
  }

  /** An index in [0, n) skewed toward 0 (a few hot values, a long tail), like client IPs or user ids. */
  skewed(n: number): number {
    const u = this.float();
    return Math.floor(n * u * u * u);
  }

  hex8(): string {
    return this.u32().toString(16).padStart(8, '0');
  }

  uuid(): string {
    const a = this.hex8();
    const b = this.hex8();
    const c = this.hex8();
    const d = this.hex8();
    return `${a}-${b.slice(0, 4)}-4${b.slice(5)}-${((this.u32() & 3) | 8).toString(16)}${c.slice(1, 4)}-${c.slice(4)}${d}`;
  }
}

/** A weighted choice compiled into a 1024-slot table, so a draw is one random number and one load. */
export class Weighted<T> {
  private readonly table: T[] = [];
  constructor(entries: readonly (readonly [T, number])[]) {
    const total = entries.reduce((s, [, w]) => s + w, 0);
    let acc = 0;
    for (const [value, w] of entries) {
      acc += w;
      const upTo = Math.round((acc / total) * 1024);
      while (this.table.length < upTo) this.table.push(value);
    }
  }
  draw(rng: Rng): T {
    return this.table[rng.u32() & 1023] as T;
  }
}

export interface MarkerSpec {
  /** A word that occurs nowhere else in the data, e.g. `zqxjkvbw`. Letters and digits only. */
  term: string;
  /** Global event indices that carry the term. */
  positions?: readonly number[];
  /** Or: every `every`-th event (index % every === offset) carries it. */
  every?: number;
  offset?: number;
}

export interface GeneratorSpec {
  seed: number;
  /** Timestamp of event 0, ms since the epoch. */
  startMs: number;
  /** Milliseconds between consecutive events; fractional steps are fine. */
  stepMs: number;
  markers?: MarkerSpec;
}

export interface Batch {
  timestamps: number[];
  messages: string[];
  /** Indices (within the batch) of events that carry the marker term. */
  marked: number[];
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

const BROWSER_UAS = [
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15',
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148',
  'Mozilla/5.0 (X11; Linux x86_64; rv:127.0) Gecko/20100101 Firefox/127.0',
  'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/125.0.0.0 Mobile',
];
const CLIENT_UAS = [
  'okhttp/4.12.0',
  'python-requests/2.31.0',
  'Go-http-client/1.1',
  'curl/8.5.0',
  'kube-probe/1.29',
  'ELB-HealthChecker/2.0',
  'aws-sdk-js/3.614.0',
  'Googlebot/2.1 (+http://www.google.com/bot.html)',
];
const REFERERS = [
  'https://shop.example.com/',
  'https://shop.example.com/cart',
  'https://shop.example.com/products',
  'https://www.google.com/',
  'https://www.bing.com/',
];
const WORDS = [
  'boots', 'jacket', 'lamp', 'coffee', 'kettle', 'tent', 'bike', 'helmet', 'socks', 'desk', 'chair',
  'monitor', 'cable', 'charger', 'backpack', 'mug', 'blender', 'towel', 'pillow', 'shirt', 'gloves',
];
const SERVICES = ['checkout', 'catalog', 'auth', 'payments', 'inventory', 'search', 'notifications'];
const WAREHOUSES = ['ams1', 'fra2', 'iad3', 'sfo1', 'nrt1'];
const TABLES = ['orders', 'order_items', 'users', 'sessions', 'products', 'inventory', 'payments'];

interface TrailEvent {
  source: string;
  name: string;
  readOnly: boolean;
  params: (rng: Rng) => string;
}
const TRAIL: Weighted<TrailEvent> = new Weighted<TrailEvent>([
  [{ source: 'kms', name: 'Decrypt', readOnly: true, params: (r) => `{"encryptionAlgorithm":"SYMMETRIC_DEFAULT","keyId":"arn:aws:kms:us-east-1:123456789012:key/${r.uuid()}"}` }, 18],
  [{ source: 'ec2', name: 'DescribeInstances', readOnly: true, params: (r) => `{"instancesSet":{"items":[{"instanceId":"i-0${r.hex8()}${r.hex8().slice(0, 1)}"}]}}` }, 14],
  [{ source: 'sts', name: 'AssumeRole', readOnly: true, params: (r) => `{"roleArn":"arn:aws:iam::123456789012:role/${r.pick(SERVICES)}-task","roleSessionName":"${r.hex8()}"}` }, 12],
  [{ source: 'ssm', name: 'GetParameter', readOnly: true, params: (r) => `{"name":"/prod/${r.pick(SERVICES)}/db_url","withDecryption":true}` }, 12],
  [{ source: 's3', name: 'GetObject', readOnly: true, params: (r) => `{"bucketName":"prod-assets","key":"img/${r.hex8()}.webp"}` }, 10],
  [{ source: 'secretsmanager', name: 'GetSecretValue', readOnly: true, params: (r) => `{"secretId":"prod/${r.pick(SERVICES)}/api-key"}` }, 8],
  [{ source: 'iam', name: 'GetUser', readOnly: true, params: () => `{}` }, 6],
  [{ source: 'ec2', name: 'DescribeRouteTables', readOnly: true, params: (r) => `{"filterSet":{"items":[{"name":"vpc-id","valueSet":{"items":[{"value":"vpc-0${r.hex8()}"}]}}]}}` }, 6],
  [{ source: 'ssm', name: 'PutParameter', readOnly: false, params: (r) => `{"name":"/prod/${r.pick(SERVICES)}/flag","type":"String","overwrite":true}` }, 3],
  [{ source: 'iam', name: 'CreateAccessKey', readOnly: false, params: (r) => `{"userName":"deploy-${r.int(20)}"}` }, 1],
  [{ source: 'cloudtrail', name: 'StopLogging', readOnly: false, params: () => `{"name":"arn:aws:cloudtrail:us-east-1:123456789012:trail/org-trail"}` }, 1],
]);
const IDENTITIES = [
  `{"type":"AssumedRole","arn":"arn:aws:sts::123456789012:assumed-role/checkout-task/`,
  `{"type":"AssumedRole","arn":"arn:aws:sts::123456789012:assumed-role/ci-deploy/`,
  `{"type":"IAMUser","arn":"arn:aws:iam::123456789012:user/`,
];

const METHODS = new Weighted<string>([['GET', 70], ['POST', 18], ['PUT', 5], ['DELETE', 3], ['HEAD', 2], ['PATCH', 2]]);
const STATUSES = new Weighted<number>([
  [200, 78], [201, 4], [204, 3], [301, 1], [304, 5], [400, 2], [401, 1], [403, 1], [404, 3], [429, 0.6], [500, 0.5], [502, 0.4], [503, 0.5],
]);
const KINDS = new Weighted<0 | 1 | 2>([[0, 50], [1, 44], [2, 6]]);
const LEVELS = new Weighted<string>([['info', 70], ['debug', 15], ['warn', 11], ['error', 4]]);

const pad2 = (n: number): string => (n < 10 ? `0${n}` : `${n}`);
const pad3 = (n: number): string => (n < 10 ? `00${n}` : n < 100 ? `0${n}` : `${n}`);

/** Formats times, recomputing the date part once per second. */
class TimeText {
  private second = Number.NaN;
  private isoPrefix = '';
  private local = '';

  private update(ms: number): void {
    const s = Math.floor(ms / 1000);
    if (s === this.second) return;
    this.second = s;
    const d = new Date(s * 1000);
    this.isoPrefix = d.toISOString().slice(0, 20); // 2024-10-10T13:55:36.
    this.local =
      `${pad2(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:` +
      `${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())} +0000`;
  }
  iso(ms: number): string {
    this.update(ms);
    return `${this.isoPrefix}${pad3(Math.floor(ms) % 1000)}Z`;
  }
  isoSeconds(ms: number): string {
    this.update(ms);
    return `${this.isoPrefix.slice(0, 19)}Z`;
  }
  nginx(ms: number): string {
    this.update(ms);
    return this.local;
  }
}

export class EventGenerator {
  private readonly ips: string[] = [];
  private readonly hosts: string[] = [];
  private readonly time = new TimeText();

  constructor(readonly spec: GeneratorSpec) {
    const rng = new Rng(spec.seed, 0x5eed);
    for (let i = 0; i < 5000; i++) {
      // Mostly public client addresses, some from the load balancer's private range.
      this.ips.push(
        rng.int(10) < 8
          ? `${1 + rng.int(223)}.${rng.int(256)}.${rng.int(256)}.${1 + rng.int(254)}`
          : `10.${rng.int(4)}.${rng.int(256)}.${1 + rng.int(254)}`,
      );
    }
    for (const svc of SERVICES) {
      for (let i = 0; i < 4; i++) this.hosts.push(`${svc}-${rng.hex8().slice(0, 6)}-${rng.hex8().slice(0, 5)}`);
    }
  }

  private isMarked(index: number): boolean {
    const m = this.spec.markers;
    if (m === undefined) return false;
    if (m.every !== undefined && index % m.every === (m.offset ?? 0)) return true;
    return m.positions !== undefined && m.positions.includes(index);
  }

  /** Events [first, first + count): timestamps ascending, messages without newlines. */
  batch(first: number, count: number): Batch {
    const rng = new Rng(this.spec.seed ^ 0x2545f491, first);
    const timestamps: number[] = new Array<number>(count);
    const messages: string[] = new Array<string>(count);
    const marked: number[] = [];
    const m = this.spec.markers;
    const mayMark = m !== undefined && (m.every !== undefined || (m.positions ?? []).some((p) => p >= first && p < first + count));
    for (let i = 0; i < count; i++) {
      const index = first + i;
      const ms = this.spec.startMs + index * this.spec.stepMs;
      timestamps[i] = Math.floor(ms);
      const term = mayMark && this.isMarked(index) ? (m as MarkerSpec).term : undefined;
      if (term !== undefined) marked.push(i);
      const kind = KINDS.draw(rng);
      messages[i] = kind === 0 ? this.nginx(rng, ms, term) : kind === 1 ? this.app(rng, ms, term) : this.trail(rng, ms, term);
    }
    return { timestamps, messages, marked };
  }

  private path(rng: Rng, term: string | undefined): string {
    if (term !== undefined) return `/search?q=${term}&page=1`;
    switch (rng.int(10)) {
      case 0:
      case 1:
        return `/api/v1/orders/${100000 + rng.int(900000)}`;
      case 2:
        return `/api/v1/users/${rng.skewed(200000)}/cart`;
      case 3:
        return `/static/js/app.${rng.hex8()}.js`;
      case 4:
        return `/products/${rng.pick(WORDS)}-${rng.pick(WORDS)}?page=${1 + rng.int(5)}`;
      case 5:
        return '/healthz';
      case 6:
        return `/search?q=${rng.pick(WORDS)}+${rng.pick(WORDS)}`;
      case 7:
        return `/images/${rng.hex8()}${rng.hex8()}.webp`;
      case 8:
        return `/api/v2/inventory?sku=SKU-${rng.int(50000)}&warehouse=${rng.pick(WAREHOUSES)}`;
      default:
        return rng.int(2) === 0 ? '/login' : '/api/v1/session';
    }
  }

  private nginx(rng: Rng, ms: number, term: string | undefined): string {
    const ip = this.ips[rng.skewed(this.ips.length)] as string;
    const method = METHODS.draw(rng);
    const status = STATUSES.draw(rng);
    const browser = rng.int(10) < 4;
    const ua = browser ? rng.pick(BROWSER_UAS) : rng.pick(CLIENT_UAS);
    const referer = browser && rng.int(3) > 0 ? rng.pick(REFERERS) : '-';
    const bytes = status === 204 || status === 304 || method === 'HEAD' ? 0 : Math.floor(Math.exp(4 + rng.float() * 8));
    const rt = (Math.exp(rng.float() * 7) / 1000).toFixed(3);
    const user = rng.int(50) === 0 ? `u${rng.skewed(200000)}` : '-';
    return `${ip} - ${user} [${this.time.nginx(ms)}] "${method} ${this.path(rng, term)} HTTP/1.1" ${status} ${bytes} "${referer}" "${ua}" ${rt}`;
  }

  private app(rng: Rng, ms: number, term: string | undefined): string {
    const level = LEVELS.draw(rng);
    const svc = rng.pick(SERVICES);
    const host = this.hosts[rng.int(this.hosts.length)] as string;
    const head = `{"ts":"${this.time.iso(ms)}","level":"${level}","svc":"${svc}","host":"${host}","req_id":"${rng.uuid()}"`;
    const user = `"user_id":"u_${rng.skewed(200000)}"`;
    const dur = Math.floor(Math.exp(rng.float() * 8));
    if (term !== undefined) {
      return `${head},${user},"msg":"cache lookup for key ${term} returned stale entry","duration_ms":${dur}}`;
    }
    switch (level) {
      case 'debug':
        return `${head},"msg":"db query","table":"${rng.pick(TABLES)}","rows":${rng.int(500)},"duration_ms":${dur}}`;
      case 'warn':
        return rng.int(2) === 0
          ? `${head},${user},"msg":"slow request","route":"/api/v1/orders","duration_ms":${1000 + dur}}`
          : `${head},"msg":"retrying upstream call","upstream":"${rng.pick(SERVICES)}","attempt":${1 + rng.int(3)}}`;
      case 'error':
        return (
          `${head},${user},"msg":"payment provider timeout","err":{"type":"TimeoutError","message":"timed out after 5000ms",` +
          `"stack":"TimeoutError: timed out after 5000ms\\n    at PaymentClient.charge (/app/src/payments/client.js:88:13)"}}`
        );
      default:
        switch (rng.int(3)) {
          case 0:
            return `${head},${user},"msg":"request completed","status":${STATUSES.draw(rng)},"duration_ms":${dur}}`;
          case 1:
            return `${head},"msg":"cache ${rng.int(4) === 0 ? 'miss' : 'hit'}","key":"product:${rng.int(50000)}"}`;
          default:
            return `${head},${user},"msg":"order created","order_id":"ord_${rng.hex8()}","total_cents":${rng.int(50000)}}`;
        }
    }
  }

  private trail(rng: Rng, ms: number, term: string | undefined): string {
    const ev = TRAIL.draw(rng);
    const who = rng.pick(IDENTITIES);
    const principal = who.endsWith('user/') ? `deploy-${rng.int(20)}` : `i-0${rng.hex8()}`;
    const ip = rng.int(3) === 0 ? `${ev.source}.amazonaws.com` : (this.ips[rng.skewed(this.ips.length)] as string);
    const params = term !== undefined ? `{"name":"/prod/${term}/flag"}` : ev.params(rng);
    return (
      `{"eventTime":"${this.time.isoSeconds(ms)}","eventSource":"${ev.source}.amazonaws.com","eventName":"${ev.name}",` +
      `"awsRegion":"us-east-1","sourceIPAddress":"${ip}","userIdentity":${who}${principal}"},` +
      `"requestParameters":${params},"eventID":"${rng.uuid()}","readOnly":${ev.readOnly}}`
    );
  }
}

/** The JSON text of a PutLogEvents `logEvents` array for a batch. */
export function logEventsJson(batch: Batch): string {
  const parts: string[] = new Array<string>(batch.messages.length);
  for (let i = 0; i < parts.length; i++) {
    parts[i] = `{"timestamp":${batch.timestamps[i]},"message":${JSON.stringify(batch.messages[i])}}`;
  }
  return `[${parts.join(',')}]`;
}

/**
 * `count` positions spread over [0, total), one in each of `count` equal slices, at irregular offsets
 * inside their slice so they do not all fall on batch boundaries.
 */
export function spreadPositions(total: number, count: number): number[] {
  const slice = Math.floor(total / count);
  if (slice < 2) throw new Error(`cannot spread ${count} positions over ${total} events`);
  const out: number[] = [];
  for (let k = 0; k < count; k++) out.push(k * slice + Math.floor(slice / 2) + ((7919 * k + 137) % Math.floor(slice / 2)));
  return out;
}
