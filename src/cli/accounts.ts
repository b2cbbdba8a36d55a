// `canopy accounts list [--tree] [--account <id>]`: every account's id, name, role and status, to find the ids other commands take.
import { isUuid } from '../domain/ids.ts';
import { UsageError, parseOptions, type StoreCommand } from './command.ts';
import { accountLines } from './listings.ts';

export const accountsCommand: StoreCommand = {
  name: 'accounts',
  usage: 'accounts list [--tree] [--account <account-id>]',
  help: `Usage: canopy accounts list [--tree] [--account <account-id>]

Lists the installation's accounts with their id, name, role and status: the ids that keys, users
invite and collect take. Parents come before their children, siblings by name.

Options
  --tree             indent each account below its parent
  --account <id>     only this account and the accounts below it

Example
  canopy accounts list --tree`,
  async execute({ db, out }, argv) {
    const { values, positionals } = parseOptions('accounts', argv, { tree: { type: 'boolean' }, account: { type: 'string' } }, true);
    if (positionals[0] !== 'list') throw new UsageError(positionals[0] ? `accounts: unknown action "${positionals[0]}": use list` : 'accounts: say list (canopy accounts list --tree)');
    if (values.account !== undefined && !isUuid(values.account)) throw new UsageError('accounts list: --account must be an account id (a UUID)');
    for (const line of await accountLines(db, values.account ?? null, values.tree === true)) out(line);
    return 0;
  },
};
