// Imports: import feeds for customers whose dealer has no connector; a CSV upload with the guessed mapping
// (editable), the first rows as they will be read, an import with a progress bar and the refused rows beside their rules.
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, get, post, put } from '../api.ts';
import { Empty, Field, FormError, HealthBadge, Loaded, Panel } from '../components.tsx';
import * as f from '../format.ts';
import { useLoad, useSubmit } from '../hooks.ts';
import type { PageProps } from '../layout.tsx';
import type { Account, Feed, FileGuess, ImportJob, ImportKind, ImportMapping, ImportSummary } from '../types.ts';

type Api = PageProps['api'];

const FIELDS: Record<ImportKind, Array<[string, string, boolean]>> = {
  counters: [['device_id', 'Device', true], ['timestamp', 'Time of reading', true], ['lifetime_total', 'Lifetime total', true],
    ['black_total', 'Black total', false], ['color_total', 'Colour total', false], ['managed', 'Managed', false]],
  usage_daily: [['device_id', 'Device', true], ['date', 'Day', true], ['pages', 'Pages', true], ['paper_size', 'Paper size', false]],
  usage_monthly: [['device_id', 'Device', true], ['month', 'Month', true], ['pages', 'Pages', true], ['paper_size', 'Paper size', false]],
};
const DATE_FORMATS = [['iso', '2025-01-31 (ISO)'], ['ymd', '2025/01/31'], ['mdy', '01/31/2025'], ['dmy', '31/01/2025 or 31.01.2025']] as const;
const DELIMITERS = [[',', 'comma'], [';', 'semicolon'], ['\t', 'tab'], ['|', 'bar']] as const;

export function ImportsPage({ api, account }: PageProps) {
  const feeds = useLoad(async () => (await get<Feed[]>(api('/feeds?include_descendants=true'))).filter((x) => x.type === 'import'), [api('')]);
  const customers = useLoad(async () => (account.role === 'customer' ? [account as Account] : get<Account[]>(api('/accounts'))), [api('')]);
  const [chosen, setChosen] = useState<string | null>(null);
  const names = new Map((customers.data ?? []).map((c) => [c.id, c.name]));
  names.set(account.id, account.name);
  const feed = feeds.data?.find((x) => x.id === chosen) ?? null;
  return (
    <>
      <Panel title="Import feeds" id="import-feeds-title">
        <p class="muted small">For a customer whose fleet tool Canopy has no connector for: upload its meter export (CSV), or send readings to POST /v1/feeds/:id/readings. They go through the same rules as collected readings.</p>
        <Loaded state={customers} what="accounts">{(accounts) => <NewImportFeed api={api} accounts={accounts} onCreated={(id) => { feeds.reload(); setChosen(id); }} />}</Loaded>
        <Loaded state={feeds} what="feeds">
          {(list) => list.length === 0 ? <Empty>No import feeds yet.</Empty> : (
            <div class="table-wrap"><table aria-labelledby="import-feeds-title">
              <thead><tr><th scope="col">Account</th><th scope="col">Health</th><th scope="col">Active since</th><th scope="col">Last upload</th><th scope="col">Actions</th></tr></thead>
              <tbody>{list.map((x) => (
                <tr key={x.id} data-feed={x.id}>
                  <td>{names.get(x.account_id) ?? x.account_id.slice(0, 8)}</td>
                  <td><HealthBadge health={x.health_check} /></td>
                  <td>{f.day(x.activated_at)}</td>
                  <td>{f.ago(x.last_reading_at)}</td>
                  <td><button type="button" onClick={() => setChosen(x.id)} aria-pressed={x.id === chosen}>Upload a file</button></td>
                </tr>
              ))}</tbody>
            </table></div>
          )}
        </Loaded>
      </Panel>
      {feed && <Upload key={feed.id} api={api} feed={feed} accountName={names.get(feed.account_id) ?? ''} onDone={feeds.reload} />}
    </>
  );
}

function NewImportFeed({ api, accounts, onCreated }: { api: Api; accounts: Account[]; onCreated: (id: string) => void }) {
  const [accountId, setAccountId] = useState(accounts[0]?.id ?? '');
  const [activatedAt, setActivatedAt] = useState('');
  const create = useSubmit(() => post<Feed>(`/v1/accounts/${accountId}/feeds`, { type: 'import', activated_at: activatedAt || undefined }));
  if (accounts.length === 0) return null;
  const fields = ['activated_at'] as const;
  return (
    <form class="inline-form" aria-label="New import feed" onSubmit={async (e) => { e.preventDefault(); const feed = await create.run(); if (feed) onCreated(feed.id); }}>
      <Field label="Customer" name="import-account" fields={fields}>
        {(p) => <select {...p} value={accountId} onChange={(e) => setAccountId((e.target as HTMLSelectElement).value)}>{accounts.map((a) => <option key={a.id} value={a.id}>{a.name}</option>)}</select>}
      </Field>
      <Field label="Active since" name="activated_at" fields={fields} error={create.error} hint="first day counted; empty: this month">
        {(p) => <input {...p} type="date" value={activatedAt} onInput={(e) => setActivatedAt((e.target as HTMLInputElement).value)} />}
      </Field>
      <button type="submit" class="primary" disabled={create.busy}>New import feed</button>
      <FormError error={create.error} fields={fields} />
    </form>
  );
}

function Upload({ api, feed, accountName, onDone }: { api: Api; feed: Feed; accountName: string; onDone: () => void }) {
  const base = `/v1/accounts/${feed.account_id}`;
  const [file, setFile] = useState<File | null>(null);
  const [guess, setGuess] = useState<FileGuess | null>(null);
  const [mapping, setMapping] = useState<ImportMapping | null>(null);
  const [save, setSave] = useState(true);
  const [job, setJob] = useState<ImportJob | null>(null);
  const [summary, setSummary] = useState<ImportSummary | null>(null);
  const previewing = useSubmit(async (chosen: File, edited: ImportMapping | null) => {
    const query = edited ? `?mapping=${encodeURIComponent(JSON.stringify(edited))}` : '';
    return post<FileGuess>(`${base}/feeds/${feed.id}/imports/preview${query}`, chosen.slice(0, 65_536));
  });
  const importing = useSubmit(async () => {
    const created = await post<ImportJob>(`${base}/feeds/${feed.id}/imports`, { filename: file!.name, bytes_total: file!.size, mapping, save_mapping: save });
    setJob(created);
    const poll = setInterval(() => { get<ImportJob>(`${base}/imports/${created.id}`).then(setJob, () => undefined); }, 400);
    try {
      const done = await put<ImportSummary>(`${base}/imports/${created.id}/file`, file!);
      setJob(await get<ImportJob>(`${base}/imports/${created.id}`));
      return done;
    } finally {
      clearInterval(poll);
    }
  });
  const latest = useRef(0);
  useEffect(() => {
    if (!file) return;
    const run = ++latest.current;
    void previewing.run(file, mapping && guess ? mapping : null).then((g) => {
      if (!g || run !== latest.current) return;
      setGuess((old) => old ?? g);
      if (!mapping) setMapping(g.mapping);
      setGuess((old) => (old ? { ...old, preview: g.preview, notes: g.notes } : g));
    });
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [file, JSON.stringify(mapping)]);

  const edit = (change: Partial<ImportMapping>) => setMapping((m) => (m ? { ...m, ...change } : m));
  const column = (field: string, header: string) => setMapping((m) => (m ? { ...m, columns: { ...m.columns, [field]: header || undefined } } : m));
  const fields = FIELDS[mapping?.kind ?? 'counters'];
  const shown = fields.filter(([field]) => mapping?.columns[field]);
  const share = job?.bytes_total ? Math.min(1, job.bytes_done / job.bytes_total) : 0;

  return (
    <Panel title={`Upload readings for ${accountName}`} id="upload-title">
      <Field label="CSV file" name="import-file" fields={[]} hint="meter readings or usage per day or month, exported by your fleet tool">
        {(p) => <input {...p} type="file" accept=".csv,.txt,text/csv" onChange={(e) => {
          const chosen = (e.target as HTMLInputElement).files?.[0] ?? null;
          setGuess(null); setMapping(null); setSummary(null); setJob(null); setFile(chosen);
        }} />}
      </Field>
      <FormError error={previewing.error} fields={[]} />
      {guess && mapping && (
        <section aria-label="Mapping">
          {guess.notes.length > 0 && <ul class="notes">{guess.notes.map((n) => <li key={n} class="muted small">{n}</li>)}</ul>}
          <div class="inline-form">
            <Field label="Kind" name="import-kind" fields={[]}>
              {(p) => <select {...p} value={mapping.kind} onChange={(e) => edit({ kind: (e.target as HTMLSelectElement).value as ImportKind })}>
                <option value="counters">Lifetime counters</option><option value="usage_daily">Pages per day</option><option value="usage_monthly">Pages per month</option>
              </select>}
            </Field>
            {fields.map(([field, label, required]) => (
              <Field key={field} label={`${label}${required ? '' : ' (optional)'}`} name={`column-${field}`} fields={[]}>
                {(p) => <select {...p} value={mapping.columns[field] ?? ''} onChange={(e) => column(field, (e.target as HTMLSelectElement).value)}>
                  <option value="">{required ? 'choose a column' : 'none'}</option>
                  {guess.headers.map((h) => <option key={h} value={h}>{h}</option>)}
                </select>}
              </Field>
            ))}
            <Field label="Dates" name="import-date-format" fields={[]}>
              {(p) => <select {...p} value={mapping.date_format} onChange={(e) => edit({ date_format: (e.target as HTMLSelectElement).value as ImportMapping['date_format'] })}>
                {DATE_FORMATS.map(([v, l]) => <option key={v} value={v}>{l}</option>)}
              </select>}
            </Field>
            <Field label="Time zone" name="import-zone" fields={[]} hint="for times written without one">
              {(p) => <input {...p} value={mapping.zone} onChange={(e) => edit({ zone: (e.target as HTMLInputElement).value })} />}
            </Field>
            <Field label="Delimiter" name="import-delimiter" fields={[]}>
              {(p) => <select {...p} value={mapping.delimiter} onChange={(e) => edit({ delimiter: (e.target as HTMLSelectElement).value })}>
                {DELIMITERS.map(([v, l]) => <option key={v} value={v}>{l}</option>)}
              </select>}
            </Field>
          </div>
          <p class="muted small">Read as {mapping.encoding === 'utf-8' ? 'UTF-8' : 'Windows-1252'}, header on line {mapping.header_line}.</p>
          <div class="table-wrap"><table aria-label="Preview">
            <thead><tr><th scope="col">Row</th>{shown.map(([field, label]) => <th key={field} scope="col">{label}</th>)}<th scope="col">As read</th></tr></thead>
            <tbody>{guess.preview.map((r) => (
              <tr key={r.row} class={r.problem ? 'invalid' : undefined} data-row={r.row}>
                <td>{r.row}</td>{shown.map(([field]) => <td key={field}>{r.values[field]}</td>)}
                <td>{r.problem ? <span class="field-error">{r.problem.column} {r.problem.rule}</span> : 'ok'}</td>
              </tr>
            ))}</tbody>
          </table></div>
          <label class="check"><input type="checkbox" checked={save} onChange={(e) => setSave((e.target as HTMLInputElement).checked)} /> Keep this mapping for the next file</label>
          <div class="actions">
            <button type="button" class="primary" disabled={importing.busy || previewing.busy} onClick={async () => {
              const done = await importing.run();
              if (done) { setSummary(done); onDone(); }
            }}>Import {file?.name}</button>
          </div>
        </section>
      )}
      {job && (importing.busy || job.status !== 'succeeded') && (
        <p aria-live="polite">
          <progress max={1} value={share} aria-label="Import progress" /> {job.rows_done.toLocaleString()} rows · {job.accepted.toLocaleString()} accepted · {job.status}
        </p>
      )}
      <FormError error={importing.error as ApiError | null} fields={[]} />
      {summary && (
        <section aria-label="Import result">
          <p role="status">
            {summary.rows.toLocaleString()} rows: {summary.accepted.toLocaleString()} accepted, {summary.duplicates.toLocaleString()} already there,{' '}
            {summary.conflicts.toLocaleString()} conflicts, {summary.refused.toLocaleString()} refused; deposits changed on {summary.changed_days.length} day(s).
          </p>
          {summary.problems.length > 0 && (
            <div class="table-wrap"><table aria-label="Refused rows">
              <thead><tr><th scope="col">Row</th><th scope="col">Column</th><th scope="col">Value</th><th scope="col">Why</th></tr></thead>
              <tbody>{summary.problems.map((p) => (
                <tr key={`${p.row}-${p.column}`} data-row={p.row}><td>{p.row}</td><td>{p.column}</td><td>{p.value}</td><td>{p.rule}</td></tr>
              ))}</tbody>
            </table></div>
          )}
        </section>
      )}
    </Panel>
  );
}
