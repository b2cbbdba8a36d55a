// `canopy keys create|revoke|list`: API keys for an account, shown once, stored hashed.
import { parseArgs } from 'node:util';
import { createKey, listKeys, revokeKey } from '../keys/api-keys.ts';
import { isoTimestamp } from '../http/wire.ts';
import { UsageError, type StoreCommand } from './command.ts';
import { isUuid } from '../domain/ids.ts';


export const keysCommand: StoreCommand = {
  name: 'keys',
  usage: 'keys create --account <account-id> [--label <text>] | keys revoke <key-prefix> | keys list --account <account-id>',
  async execute({ db, out }, argv) {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: { account: { type: 'string' }, label: { type: 'string' } },
    });
    const [action, target] = positionals;
    if (action === 'create' || action === 'list') {
      if (!values.account || !isUuid(values.account)) throw new UsageError('--account <account-id> (a UUID) is required');
      if (action === 'list') {
        for (const k of await listKeys(db, values.account)) {
          out(`${k.prefix}…  ${k.revoked_at ? 'revoked ' + isoTimestamp(k.revoked_at) : 'active'}  created ${isoTimestamp(k.created_at)}  ${k.label ?? ''}`);
        }
        return 0;
      }
      const created = await createKey(db, values.account, values.label ?? null);
      out(`API key for account ${created.accountId} (shown once; store it now):`);
      out(created.key);
      return 0;
    }
    if (action === 'revoke') {
      if (!target) throw new UsageError('keys revoke <key-prefix> needs the key\'s first 8 characters (as keys list shows them) or the whole key');
      const revoked = await revokeKey(db, target);
      out(`revoked key ${target.slice(0, 8)}… of account ${revoked.accountId}`);
      return 0;
    }
    throw new UsageError(`usage: canopy ${this.usage}`);
  },
};
