// Accounts: the tree below the viewed account with figures and status; create, rename, (de)activate, drill in.
import { useEffect, useState } from 'preact/hooks';
import { get, patch, post } from '../api.ts';
import { Empty, ErrorState, Field, FormError, Loading, Panel, StatusBadge } from '../components.tsx';
import * as f from '../format.ts';
import { useLoad, useSubmit } from '../hooks.ts';
import type { PageProps } from '../layout.tsx';
import type { Account, ExpandedAccount } from '../types.ts';

async function childrenOf(id: string): Promise<ExpandedAccount[]> {
  const children = await get<Account[]>(`/v1/accounts/${id}/accounts`);
  return Promise.all(children.map((c) => get<ExpandedAccount>(`/v1/accounts/${c.id}/account`)));
}

export function AccountsPage({ account, session }: PageProps) {
  const [version, setVersion] = useState(0);
  const refresh = () => setVersion((v) => v + 1);
  return (
    <>
      {account.role !== 'customer' && <CreateAccount parent={account} onCreated={refresh} />}
      <Panel title="Account tree" id="tree-title">
        <div class="table-wrap">
          <table class="tree" aria-labelledby="tree-title">
            <thead>
              <tr>
                <th scope="col">Account</th><th scope="col">Role</th><th scope="col">Status</th>
                <th scope="col" class="num">Pages this month</th><th scope="col" class="num">Pages lifetime</th>
                <th scope="col" class="num">Trees lifetime</th><th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              <AccountRow account={account} depth={0} self={account.id === session.account.id} onChanged={refresh} version={version} expanded />
            </tbody>
          </table>
        </div>
      </Panel>
    </>
  );
}

function AccountRow({ account: loaded, depth, self, onChanged, version, expanded: startExpanded = false }: {
  account: ExpandedAccount; depth: number; self: boolean; onChanged: () => void; version: number; expanded?: boolean;
}) {
  // The row's own answer to rename or (de)activate, until the tree is loaded again.
  const [changed, setAccount] = useState<ExpandedAccount | null>(null);
  useEffect(() => setAccount(null), [loaded]);
  const account = changed ?? loaded;
  const [expanded, setExpanded] = useState(startExpanded);
  const [renaming, setRenaming] = useState(false);
  const [name, setName] = useState(account.name);
  const rename = useSubmit(() => patch<ExpandedAccount>(`/v1/accounts/${account.id}`, { name }));
  const toggle = useSubmit(() => post<ExpandedAccount>(`/v1/accounts/${account.id}/${account.status === 'active' ? 'deactivate' : 'activate'}`));
  const hasChildren = account.accounts_count > 0;
  return (
    <>
      <tr data-account={account.id}>
        <th scope="row" style={{ paddingLeft: `${0.5 + depth * 1.25}rem` }}>
          {hasChildren ? (
            <button type="button" class="disclose" aria-expanded={expanded} aria-label={`${expanded ? 'Collapse' : 'Expand'} ${account.name}`} onClick={() => setExpanded(!expanded)}>
              {expanded ? '▾' : '▸'}
            </button>
          ) : <span class="disclose-space" />}
          {renaming ? (
            <form class="inline" onSubmit={async (e) => {
              e.preventDefault();
              const updated = await rename.run();
              if (updated) { setAccount({ ...account, ...updated }); setRenaming(false); }
            }}>
              <Field label="New name" name="name" error={rename.error} fields={['name']}>
                {(p) => <input {...p} value={name} onInput={(e) => setName(e.currentTarget.value)} />}
              </Field>
              <FormError error={rename.error} fields={['name']} />
              <button type="submit" disabled={rename.busy}>Save</button>
              <button type="button" class="link" onClick={() => setRenaming(false)}>Cancel</button>
            </form>
          ) : (
            <a href={`/?account=${account.id}`}>{account.name}</a>
          )}
        </th>
        <td>{account.role}</td>
        <td><StatusBadge status={account.status} /></td>
        <td class="num">{f.pages(account.mtd_pages)}</td>
        <td class="num">{f.pages(account.ltd_pages)}</td>
        <td class="num">{f.trees(account.ltd_trees)}</td>
        <td class="actions">
          <a href={`/?account=${account.id}`} class="button">Dashboard</a>
          {!renaming && <button type="button" onClick={() => { setName(account.name); setRenaming(true); }}>Rename</button>}
          {!self && (
            <button type="button" disabled={toggle.busy} onClick={async () => {
              const updated = await toggle.run();
              if (updated) setAccount({ ...account, ...updated });
            }}>
              {account.status === 'active' ? 'Deactivate' : 'Activate'}
            </button>
          )}
          {toggle.error && <p class="field-error" role="alert">{toggle.error.message}</p>}
        </td>
      </tr>
      {expanded && hasChildren && <Children parentId={account.id} depth={depth + 1} onChanged={onChanged} version={version} />}
    </>
  );
}

function Children({ parentId, depth, onChanged, version }: { parentId: string; depth: number; onChanged: () => void; version: number }) {
  const children = useLoad(() => childrenOf(parentId), [parentId, version]);
  if (children.error) return <tr><td colSpan={7}><ErrorState error={children.error} retry={children.reload} /></td></tr>;
  if (!children.data) return <tr><td colSpan={7}><Loading what="accounts" /></td></tr>;
  if (children.data.length === 0) return <tr><td colSpan={7}><Empty>No accounts below this one.</Empty></td></tr>;
  return <>{children.data.map((c) => <AccountRow key={c.id} account={c} depth={depth} self={false} onChanged={onChanged} version={version} />)}</>;
}

const CREATE_FIELDS = ['name', 'role'] as const;

function CreateAccount({ parent, onCreated }: { parent: ExpandedAccount; onCreated: () => void }) {
  const roles = parent.role === 'admin' ? ['channel'] : ['customer', 'channel'];
  const [name, setName] = useState('');
  const [role, setRole] = useState(roles[0]);
  const [created, setCreated] = useState<string | null>(null);
  const submit = useSubmit(() => post<ExpandedAccount>('/v1/accounts', { name, role, parent_id: parent.id }));
  return (
    <Panel title={`New account under ${parent.name}`} id="create-title">
      <form class="row-form" onSubmit={async (e) => {
        e.preventDefault();
        const account = await submit.run();
        if (account) { setCreated(account.name); setName(''); onCreated(); }
      }}>
        <Field label="Name" name="name" error={submit.error} fields={CREATE_FIELDS}>
          {(p) => <input {...p} required value={name} onInput={(e) => setName(e.currentTarget.value)} />}
        </Field>
        <Field label="Role" name="role" error={submit.error} fields={CREATE_FIELDS}>
          {(p) => (
            <select {...p} value={role} onChange={(e) => setRole(e.currentTarget.value)}>
              {roles.map((r) => <option key={r} value={r}>{r === 'channel' ? 'Channel (dealer)' : 'Customer'}</option>)}
            </select>
          )}
        </Field>
        <button type="submit" class="primary" disabled={submit.busy}>Create account</button>
        <FormError error={submit.error} fields={CREATE_FIELDS} />
        {created && <p role="status" class="ok">Created {created}.</p>}
      </form>
    </Panel>
  );
}
