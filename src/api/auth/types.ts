/** The contract between the HTTP layer and the SigV4 verifier. */
export interface SignedRequest {
  method: string;
  /** The raw request path, as sent (still percent-encoded), without the query string. */
  path: string;
  /** The raw query string without the leading '?', '' when absent. */
  query: string;
  /** Header names in lower case, as Node gives them. */
  headers: Record<string, string | string[] | undefined>;
  /** The exact body bytes. */
  body: Buffer;
}

export interface VerifyOptions {
  /** The signing name the request must be scoped to, e.g. 'logs'. */
  service: string;
  region: string;
  nowMs: number;
  /** The secret for an access key id, or undefined when the key is unknown (or inactive). */
  lookupSecret(accessKeyId: string): string | undefined;
}

export interface VerifiedCaller {
  accessKeyId: string;
}
