/**
 * The IAM operations Logward serves (users, access keys, inline user policies): for each, its parameters
 * (validated as IAM's model constrains them, with IAM's ValidationError wording), the IAM resource it is
 * authorized on, and what it does to the user store. Element order in results follows IAM's model, which
 * is the order the aws CLI prints.
 */
import type { Caller } from '../access.js';
import type { AccessKeyRecord, UserRecord, UserStore } from '../../iam/user-store.js';
import { IamApiError, validationError, type XmlValue } from './protocol.js';

export interface IamContext {
  users: UserStore;
  accountId: string;
  caller: Caller;
}

interface Field {
  /** The member name IAM's messages use (`userName`). */
  member: string;
  required?: boolean;
  min?: number;
  max?: number;
  pattern?: string;
  enum?: readonly string[];
}

type Params = Record<string, string | undefined>;

interface Operation {
  fields: Record<string, Field>;
  /** The IAM resource the call is authorized on. */
  resource(p: Params, ctx: IamContext): string;
  run(p: Params, ctx: IamContext): Promise<XmlValue | undefined>;
}

const NAME = '[\\w+=,.@-]+';
const userName = (required: boolean): Field => ({ member: 'userName', required, min: 1, max: 64, pattern: NAME });
const existingUserName = (required: boolean): Field => ({ member: 'userName', required, min: 1, max: 128, pattern: NAME });
const policyName: Field = { member: 'policyName', required: true, min: 1, max: 128, pattern: NAME };
const accessKeyId: Field = { member: 'accessKeyId', required: true, min: 16, max: 128, pattern: '[\\w]+' };
const policyDocument: Field = { member: 'policyDocument', required: true, min: 1, max: 131072, pattern: '[\\u0009\\u000A\\u000D\\u0020-\\u00FF]+' };
const status: Field = { member: 'status', required: true, enum: ['Active', 'Inactive', 'Expired'] };

const userArn = (ctx: IamContext, name: string): string => `arn:aws:iam::${ctx.accountId}:user/${name}`;

/** IAM's default user for key operations is the caller; the root has no user to default to. */
function subject(p: Params, ctx: IamContext): string {
  if (p.UserName !== undefined) return p.UserName;
  if (ctx.caller.userName !== undefined) return ctx.caller.userName;
  const owner = p.AccessKeyId === undefined ? undefined : ctx.users.ownerOfKey(p.AccessKeyId);
  if (owner !== undefined) return owner;
  throw new IamApiError('ValidationError', 'Must specify userName when calling with non-User credentials');
}

const withArn = (ctx: IamContext, u: UserRecord): XmlValue => ({
  Path: u.path,
  UserName: u.userName,
  UserId: u.userId,
  Arn: userArn(ctx, u.userName),
  CreateDate: u.createDate,
});
const keyMetadata = (u: string, k: AccessKeyRecord): XmlValue => ({ UserName: u, AccessKeyId: k.accessKeyId, Status: k.status, CreateDate: k.createDate });

export const IAM_OPERATIONS: Record<string, Operation> = {
  CreateUser: {
    fields: { UserName: userName(true) },
    resource: (p, ctx) => userArn(ctx, p.UserName!),
    run: async (p, ctx) => ({ User: withArn(ctx, await ctx.users.createUser(p.UserName!)) }),
  },
  GetUser: {
    fields: { UserName: existingUserName(false) },
    resource: (p, ctx) => userArn(ctx, p.UserName ?? ctx.caller.userName ?? ''),
    run: async (p, ctx) => ({ User: withArn(ctx, ctx.users.getUser(subject(p, ctx))) }),
  },
  DeleteUser: {
    fields: { UserName: existingUserName(true) },
    resource: (p, ctx) => userArn(ctx, p.UserName!),
    run: async (p, ctx) => void (await ctx.users.deleteUser(p.UserName!)),
  },
  ListUsers: {
    fields: {},
    resource: (_p, ctx) => `arn:aws:iam::${ctx.accountId}:user/`,
    run: async (_p, ctx) => ({ Users: ctx.users.listUsers().map((u) => withArn(ctx, u)), IsTruncated: false }),
  },
  CreateAccessKey: {
    fields: { UserName: existingUserName(false) },
    resource: (p, ctx) => userArn(ctx, p.UserName ?? ctx.caller.userName ?? ''),
    run: async (p, ctx) => {
      const name = subject(p, ctx);
      const { key, secret } = await ctx.users.createAccessKey(name);
      return { AccessKey: { UserName: name, AccessKeyId: key.accessKeyId, Status: key.status, SecretAccessKey: secret, CreateDate: key.createDate } };
    },
  },
  ListAccessKeys: {
    fields: { UserName: existingUserName(false) },
    resource: (p, ctx) => userArn(ctx, p.UserName ?? ctx.caller.userName ?? ''),
    run: async (p, ctx) => {
      const name = subject(p, ctx);
      return { AccessKeyMetadata: ctx.users.getUser(name).accessKeys.map((k) => keyMetadata(name, k)), IsTruncated: false };
    },
  },
  UpdateAccessKey: {
    fields: { UserName: existingUserName(false), AccessKeyId: accessKeyId, Status: status },
    resource: (p, ctx) => userArn(ctx, p.UserName ?? ctx.caller.userName ?? ctx.users.ownerOfKey(p.AccessKeyId!) ?? ''),
    run: async (p, ctx) => {
      // Expired is in IAM's enum but only IAM itself sets it.
      if (p.Status === 'Expired') throw new IamApiError('ValidationError', 'Status Expired cannot be set; use Active or Inactive.');
      await ctx.users.updateAccessKey(subject(p, ctx), p.AccessKeyId!, p.Status as 'Active' | 'Inactive');
      return undefined;
    },
  },
  DeleteAccessKey: {
    fields: { UserName: existingUserName(false), AccessKeyId: accessKeyId },
    resource: (p, ctx) => userArn(ctx, p.UserName ?? ctx.caller.userName ?? ctx.users.ownerOfKey(p.AccessKeyId!) ?? ''),
    run: async (p, ctx) => void (await ctx.users.deleteAccessKey(subject(p, ctx), p.AccessKeyId!)),
  },
  PutUserPolicy: {
    fields: { UserName: existingUserName(true), PolicyName: policyName, PolicyDocument: policyDocument },
    resource: (p, ctx) => userArn(ctx, p.UserName!),
    run: async (p, ctx) => void (await ctx.users.putUserPolicy(p.UserName!, p.PolicyName!, p.PolicyDocument!)),
  },
  GetUserPolicy: {
    fields: { UserName: existingUserName(true), PolicyName: policyName },
    resource: (p, ctx) => userArn(ctx, p.UserName!),
    // IAM returns the document URL-encoded (RFC 3986); SDKs and the aws CLI decode it.
    run: async (p, ctx) => ({
      UserName: p.UserName!,
      PolicyName: p.PolicyName!,
      PolicyDocument: encodeURIComponent(ctx.users.getUserPolicy(p.UserName!, p.PolicyName!)),
    }),
  },
  ListUserPolicies: {
    fields: { UserName: existingUserName(true) },
    resource: (p, ctx) => userArn(ctx, p.UserName!),
    run: async (p, ctx) => ({ PolicyNames: Object.keys(ctx.users.getUser(p.UserName!).policies).sort(), IsTruncated: false }),
  },
  DeleteUserPolicy: {
    fields: { UserName: existingUserName(true), PolicyName: policyName },
    resource: (p, ctx) => userArn(ctx, p.UserName!),
    run: async (p, ctx) => void (await ctx.users.deleteUserPolicy(p.UserName!, p.PolicyName!)),
  },
};

/** The operation's parameters, or IAM's ValidationError listing every constraint they break. */
export function validateParams(op: Operation, form: ReadonlyMap<string, string>): Params {
  const problems: string[] = [];
  const out: Params = {};
  for (const [param, f] of Object.entries(op.fields)) {
    const v = form.get(param);
    out[param] = v;
    if (v === undefined) {
      if (f.required) problems.push(`Value null at '${f.member}' failed to satisfy constraint: Member must not be null`);
      continue;
    }
    const at = `Value '${v}' at '${f.member}' failed to satisfy constraint: Member must`;
    if (f.min !== undefined && v.length < f.min) problems.push(`${at} have length greater than or equal to ${f.min}`);
    if (f.max !== undefined && v.length > f.max) problems.push(`${at} have length less than or equal to ${f.max}`);
    if (f.pattern !== undefined && v.length > 0 && !new RegExp(`^(?:${f.pattern})$`, 'u').test(v)) {
      problems.push(`${at} satisfy regular expression pattern: ${f.pattern}`);
    }
    if (f.enum !== undefined && !f.enum.includes(v)) problems.push(`${at} satisfy enum value set: [${f.enum.join(', ')}]`);
  }
  if (problems.length > 0) throw validationError(problems);
  return out;
}

export type { Operation as IamOperation };
