/**
 * Why a client may not create a group of this name, or undefined. `aws/` is AWS's ("Log group names can't
 * start with the string aws/", the model's CreateLogGroup documentation); `/logward/` is where Logward
 * makes groups itself (subscriptions' dead letters, sources' default groups): a group made there first by
 * someone else would receive copies of another group's events (its dead letters) under their key and policy.
 */
export function reservedGroupName(name: string): string | undefined {
  for (const prefix of ['aws/', '/logward/']) {
    if (name.startsWith(prefix)) return `Log group names can't start with the string ${prefix}`;
  }
  return undefined;
}
