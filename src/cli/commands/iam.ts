/**
 * `logward iam <command>`: the aws CLI's iam commands for users, access keys and inline user policies,
 * with the same flags and the same JSON output (4-space indent, members in the model's order), sent to
 * the server's IAM Query API with the credentials the other client commands use (the root keys on the
 * server's machine).
 */
import { readFile } from 'node:fs/promises';
import { Command } from 'commander';
import { addClientOptions, resolveClientSettings, type ClientOptions } from '../client.js';
import { UsageError, type CliContext } from '../context.js';
import { IamClient } from '../iam-client.js';
import type { CommandSpec } from '../program.js';

interface IamOptions extends ClientOptions {
  userName?: string;
  policyName?: string;
  policyDocument?: string;
  accessKeyId?: string;
  status?: string;
}

/** One subcommand: the IAM action, its flags (IAM parameter ← option), which are required. */
interface Sub {
  action: string;
  summary: string;
  flags: Array<{ param: keyof typeof FLAGS; required: boolean }>;
}

const FLAGS = {
  UserName: { flag: '--user-name <name>', key: 'userName', help: 'the IAM user' },
  PolicyName: { flag: '--policy-name <name>', key: 'policyName', help: 'the inline policy' },
  PolicyDocument: { flag: '--policy-document <doc>', key: 'policyDocument', help: 'the policy: JSON, or file://path' },
  AccessKeyId: { flag: '--access-key-id <id>', key: 'accessKeyId', help: 'the access key' },
  Status: { flag: '--status <status>', key: 'status', help: 'Active or Inactive' },
} as const;

const req = (param: keyof typeof FLAGS) => ({ param, required: true });
const opt = (param: keyof typeof FLAGS) => ({ param, required: false });

const SUBCOMMANDS: Record<string, Sub> = {
  'create-user': { action: 'CreateUser', summary: 'create an IAM user', flags: [req('UserName')] },
  'get-user': { action: 'GetUser', summary: 'show an IAM user', flags: [opt('UserName')] },
  'delete-user': { action: 'DeleteUser', summary: 'delete an IAM user (without keys or policies)', flags: [req('UserName')] },
  'list-users': { action: 'ListUsers', summary: 'list the IAM users', flags: [] },
  'create-access-key': { action: 'CreateAccessKey', summary: 'create an access key (prints its secret, once)', flags: [opt('UserName')] },
  'list-access-keys': { action: 'ListAccessKeys', summary: "list a user's access keys", flags: [opt('UserName')] },
  'update-access-key': { action: 'UpdateAccessKey', summary: 'activate or deactivate an access key', flags: [req('AccessKeyId'), req('Status'), opt('UserName')] },
  'delete-access-key': { action: 'DeleteAccessKey', summary: 'delete an access key', flags: [req('AccessKeyId'), opt('UserName')] },
  'put-user-policy': { action: 'PutUserPolicy', summary: 'add or replace an inline user policy', flags: [req('UserName'), req('PolicyName'), req('PolicyDocument')] },
  'get-user-policy': { action: 'GetUserPolicy', summary: 'show an inline user policy', flags: [req('UserName'), req('PolicyName')] },
  'list-user-policies': { action: 'ListUserPolicies', summary: "list a user's inline policies", flags: [req('UserName')] },
  'delete-user-policy': { action: 'DeleteUserPolicy', summary: 'delete an inline user policy', flags: [req('UserName'), req('PolicyName')] },
};

export const iamCommand: CommandSpec = {
  build: (ctx) => {
    const iam = new Command('iam')
      .summary('manage users, access keys and policies (as `aws iam`)')
      .description('Users, access keys and inline user policies, with the aws CLI\'s iam commands, flags and JSON output.')
      .addHelpText(
        'after',
        '\nExamples:\n  logward iam create-user --user-name reader\n  logward iam create-access-key --user-name reader\n' +
          '  logward iam put-user-policy --user-name reader --policy-name read --policy-document file://policy.json\n' +
          '  logward iam update-access-key --user-name reader --access-key-id LKIA... --status Inactive',
      );
    for (const [name, sub] of Object.entries(SUBCOMMANDS)) iam.addCommand(subcommand(ctx, name, sub).copyInheritedSettings(iam));
    return iam;
  },
};

function subcommand(ctx: CliContext, name: string, sub: Sub): Command {
  const command = addClientOptions(new Command(name)).summary(sub.summary).description(`${sub.summary} (IAM ${sub.action})`);
  for (const { param, required } of sub.flags) {
    const f = FLAGS[param];
    if (required) command.requiredOption(f.flag, f.help);
    else command.option(f.flag, f.help);
  }
  return command.action(async (opts: IamOptions) => {
    const params: Record<string, string | undefined> = {};
    for (const { param } of sub.flags) params[param] = opts[FLAGS[param].key];
    if (params.PolicyDocument !== undefined) params.PolicyDocument = await policyText(params.PolicyDocument);
    const client = IamClient.create(await resolveClientSettings(opts, ctx));
    const result = await client.call(sub.action, params);
    if (result === undefined) return;
    // The aws CLI decodes the URL-encoded policy document IAM returns, and prints it as JSON.
    if (typeof result.PolicyDocument === 'string') result.PolicyDocument = JSON.parse(decodeURIComponent(result.PolicyDocument));
    ctx.stdout.write(`${JSON.stringify(result, null, 4)}\n`);
  });
}

/** `file://path` reads the file, as the aws CLI does; anything else is the document itself. */
async function policyText(value: string): Promise<string> {
  if (!value.startsWith('file://')) return value;
  try {
    return await readFile(value.slice('file://'.length), 'utf8');
  } catch (cause) {
    throw new UsageError(`cannot read the policy document ${value}: ${(cause as Error).message}`, { cause });
  }
}
