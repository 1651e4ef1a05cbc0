/**
 * What the audit record of a call says of it (http.ts's onSend hook writes it), filled in as the call's
 * checks pass: by the HTTP front for the AWS APIs, by the admin routes for theirs.
 */
import type { FastifyRequest } from 'fastify';
import type { Caller } from './access.js';

export interface CallInfo {
  protocol: 'json' | 'query';
  action?: string;
  resources?: string[];
  caller?: Caller;
  error?: { code: string; message: string };
}

interface CallRequest extends FastifyRequest {
  call?: CallInfo;
}

export const callOf = (req: FastifyRequest): CallInfo => ((req as CallRequest).call ??= { protocol: 'json' });
