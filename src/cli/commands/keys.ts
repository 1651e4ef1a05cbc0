/**
 * `logward keys`: a log group's data keys (encryption at rest, docs/encryption.md), through the server's
 * admin API (src/api/admin-keys.ts): describe them, rotate them (new data under a new key, old data still
 * readable), or shred them (crypto-shredding: the group's data becomes unreadable everywhere, and the
 * group is deleted). Shredding asks for the group's name to be typed again, unless --yes.
 */
import { Command } from 'commander';
import { addClientOptions, type ClientOptions } from '../client.js';
import { UsageError, type CliContext } from '../context.js';
import { readFile, writeFile } from 'node:fs/promises';
import { adminBytesRequest, adminRequest } from '../admin-client.js';
import { renderTable, writeJson } from '../output.js';
import type { CommandSpec } from '../program.js';

interface Keys {
  logGroupName: string;
  encrypted: boolean;
  kmsKeyId: string | null;
  keyId?: string;
  current?: number;
  versions?: Array<{ version: number; kekId: string; createdAt: string }>;
}

type Opts = ClientOptions & { output?: string };

function show(ctx: CliContext, o: Opts, keys: Keys): void {
  if (o.output === 'json') return writeJson(ctx.stdout, keys);
  if (!keys.encrypted) {
    ctx.stdout.write(`${keys.logGroupName}: stored without encryption (the server runs with --no-encryption)\n`);
    return;
  }
  ctx.stdout.write(`${keys.logGroupName}: key ${keys.keyId ?? '(none yet: created with its first event)'}${keys.current !== undefined ? `, current version ${keys.current}` : ''}\n`);
  const rows = (keys.versions ?? []).map((v) => [String(v.version), v.kekId, v.createdAt, v.version === keys.current ? 'current' : '']);
  if (rows.length > 0) ctx.stdout.write(renderTable(['VERSION', 'WRAPPED BY', 'CREATED', ''], rows));
}

const outputOption = (c: Command): Command => c.option('--output <format>', 'table (default) or json');

/** Reads one line from stdin (the confirmation). */
async function readLine(ctx: CliContext): Promise<string> {
  let text = '';
  for await (const chunk of ctx.stdin) {
    text += typeof chunk === 'string' ? chunk : chunk.toString('utf8');
    const nl = text.indexOf('\n');
    if (nl >= 0) return text.slice(0, nl).replace(/\r$/, '');
  }
  return text;
}

export const keysCommand: CommandSpec = {
  build: (ctx) => {
    const cmd = new Command('keys').summary("a log group's data keys: describe, rotate, shred").description(
      "A log group's data keys. Every event is stored encrypted under its group's data key, itself wrapped by the master key or the group's AWS KMS key.",
    );
    cmd.addCommand(
      outputOption(addClientOptions(new Command('describe')))
        .argument('<log-group>')
        .description("Show the group's key versions and what wraps them (never key material).")
        .action(async (group: string, o: Opts) => show(ctx, o, ((await adminRequest(ctx, o, 'POST', '/_logward/admin/keys/describe', { logGroupName: group })) as { keys: Keys }).keys)),
    );
    cmd.addCommand(
      outputOption(addClientOptions(new Command('rotate')))
        .argument('<log-group>')
        .description('Start a new key version: new events are encrypted under it, older ones stay readable under theirs.')
        .action(async (group: string, o: Opts) => show(ctx, o, ((await adminRequest(ctx, o, 'POST', '/_logward/admin/keys/rotate', { logGroupName: group })) as { keys: Keys }).keys)),
    );
    cmd.addCommand(
      outputOption(addClientOptions(new Command('shred')))
        .argument('<log-group>')
        .option('--yes', 'do not ask for confirmation')
        .description(
          "Crypto-shredding: destroy every data key of the group, then delete it. Its events can never be read again, from this server or from any copy of its files (backups, object storage). The call is recorded in the audit trail.",
        )
        .addHelpText('after', '\nExamples:\n  logward keys shred app/customer-42\n  logward keys shred app/customer-42 --yes --output json')
        .action(async (group: string, o: Opts & { yes?: boolean }) => {
          if (o.yes !== true) {
            ctx.stderr.write(`This destroys the keys of log group ${group}: its events become unreadable forever, and the group is deleted.\nType the group's name to confirm: `);
            const answer = await readLine(ctx);
            if (answer.trim() !== group) throw new UsageError('not confirmed: nothing was shredded (pass --yes to skip the question)');
          }
          const out = (await adminRequest(ctx, o, 'POST', '/_logward/admin/keys/shred', { logGroupName: group })) as { shredded: Keys & { at: string } };
          if (o.output === 'json') return writeJson(ctx.stdout, out.shredded);
          ctx.stdout.write(`shredded ${group} at ${out.shredded.at}: ${out.shredded.versions?.length ?? 0} key version(s) destroyed, group deleted\n`);
        }),
    );
    cmd.addCommand(
      addClientOptions(new Command('decrypt'))
        .argument('<log-group>', 'the log group the object comes from')
        .argument('<file>', 'an object a subscription delivered into object storage (ending in .lwenc)')
        .requiredOption('--out <file>', 'where to write the plaintext (a new file, mode 0600)')
        .description(
          "Decrypt an object a subscription filter delivered into object storage: it is sealed under its group's data key, so it opens only while the group's keys exist (never after `keys shred`). The call is recorded in the audit trail.",
        )
        .addHelpText('after', '\nExamples:\n  logward keys decrypt app/web web-2026-11-27-10-00-00-1a2b.ndjson.gz.lwenc --out batch.ndjson.gz')
        .action(async (group: string, file: string, o: Opts & { out: string }) => {
          const plain = await adminBytesRequest(ctx, o, '/_logward/admin/keys/decrypt', await readFile(file), { 'x-logward-log-group': group });
          await writeFile(o.out, plain, { mode: 0o600, flag: 'wx' });
          ctx.stderr.write(`wrote ${plain.length} bytes to ${o.out}\n`);
        }),
    );
    return cmd;
  },
};
