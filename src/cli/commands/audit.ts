/**
 * `logward audit verify`: reads the audit group `logward/audit` through the API (FilterLogEvents, every
 * page, in the group's order) and checks its hash chain (src/api/audit/chain.ts). Prints
 * `OK: <n> records, 0 to <seq>, head <hash>` and exits 0, or names the first altered, removed or
 * reordered record and exits 1. The caller needs logs:FilterLogEvents and logward:ReadAudit on the group.
 */
import { Command } from 'commander';
import { paginateFilterLogEvents, DescribeLogGroupsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { addClientOptions, withLogsClient, type ClientOptions } from '../client.js';
import { AUDIT_GROUP, ChainVerifier } from '../../api/audit/chain.js';
import { Progress } from '../output.js';
import type { CommandSpec } from '../program.js';

/** The chain is broken: exit 1 with the first problem. */
export class AuditChainError extends Error {
  override readonly name = 'AuditChainBroken';
}

export const auditCommand: CommandSpec = {
  build: (ctx) => {
    const audit = new Command('audit').summary('check the audit trail').description(`Commands for the audit trail, the log group ${AUDIT_GROUP}.`);
    const verify = addClientOptions(new Command('verify'))
      .summary('verify the hash chain of the audit trail')
      .description(`Read ${AUDIT_GROUP} through the API and check that no record was altered, removed or reordered.`)
      .action(async (opts: ClientOptions) =>
        withLogsClient(ctx, opts, async (client) => {
          const verifier = new ChainVerifier();
          const progress = new Progress(ctx.stderr, 'records');
          try {
            for await (const page of paginateFilterLogEvents({ client, pageSize: 10_000 }, { logGroupName: AUDIT_GROUP })) {
              for (const e of page.events ?? []) {
                const problem = verifier.push(e.message ?? '', e.timestamp ?? 0);
                if (problem !== undefined) throw new AuditChainError(`${problem.kind} at record ${problem.seq}: ${problem.detail}`);
              }
              progress.update(verifier.count);
            }
          } finally {
            progress.done();
          }
          const head = verifier.head;
          if (head === undefined) {
            ctx.stdout.write('OK: the audit trail is empty\n');
            return;
          }
          const first = verifier.firstSeq ?? 0;
          if (first > 0) {
            // Only a retention policy may remove the oldest records; without one they were removed.
            const groups = await client.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: AUDIT_GROUP }));
            const retention = groups.logGroups?.find((g) => g.logGroupName === AUDIT_GROUP)?.retentionInDays;
            if (retention === undefined) throw new AuditChainError(`removed at record 0: records 0 to ${first - 1} are missing`);
            ctx.stdout.write(`note: records before ${first} expired under the group's retention of ${retention} days\n`);
          }
          ctx.stdout.write(`OK: ${verifier.count} records, ${first} to ${head.seq}, head ${head.hash}\n`);
        }),
      );
    audit.addCommand(verify.copyInheritedSettings(audit));
    return audit;
  },
};
