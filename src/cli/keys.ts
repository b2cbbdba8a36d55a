// `canopy keys create|revoke|list`: API keys for an account, shown once, stored hashed.
import { createKey, listKeys, revokeKey } from '../keys/api-keys.ts';
import { isoTimestamp } from '../http/wire.ts';
import { UsageError, parseOptions, type StoreCommand } from './command.ts';
import { isUuid } from '../domain/ids.ts';


export const keysCommand: StoreCommand = {
  name: 'keys',
  usage: 'keys create --account <account-id> [--label <text>] | keys revoke <key-prefix> | keys list --account <account-id>',
  help: `Usage: canopy keys create --account <account-id> [--label <text>]
       canopy keys list --account <account-id>
       canopy keys revoke <key-or-prefix>

API keys of an account. A new key is printed once and stored hashed.

  create             print a new API key for the account
  list               the account's keys by their first 8 characters, active or revoked
  revoke <key>       revoke a key: the whole key, or the 8 characters keys list shows
Options
  --account <id>     the account (a UUID; canopy accounts list shows them)
  --label <text>     a note kept with the key, e.g. "billing export"

Example
  canopy keys create --account 0b6f3c2e-8d4a-4f1b-9c7e-2a5d8e1f4b3c --label ops`,
  async execute({ db, out }, argv) {
    const { values, positionals } = parseOptions('keys', argv, { account: { type: 'string' }, label: { type: 'string' } }, true);
    const [action, target] = positionals;
    if (action === 'create' || action === 'list') {
      if (!values.account || !isUuid(values.account)) throw new UsageError(`keys ${action}: --account <account-id> (a UUID) is required; canopy accounts list shows the ids`);
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
    throw new UsageError(action ? `keys: unknown action "${action}": use create, list or revoke` : 'keys: say create, list or revoke');
  },
};
