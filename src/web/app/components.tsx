// Small building blocks every page uses: labelled fields with their errors, states, badges, panels.
import type { ComponentChildren, JSX } from 'preact';
import type { ApiError } from './api.ts';
import type { Health } from './types.ts';

let nextId = 0;
const fieldId = (name: string) => `f-${name}-${++nextId}`;

interface FieldProps {
  label: string;
  name: string;
  error?: ApiError | null;
  /** Field names of the whole form: an error naming this one shows here. */
  fields: readonly string[];
  hint?: string;
  children: (props: { id: string; name: string; 'aria-invalid': boolean; 'aria-describedby'?: string }) => JSX.Element;
}

/** A visible label, the control, and the API's error when it names this field. */
export function Field({ label, name, error, fields, hint, children }: FieldProps) {
  const id = fieldId(name);
  const mine = error && error.fieldIn(fields) === name ? error.message : null;
  const describedBy = [mine ? `${id}-error` : '', hint ? `${id}-hint` : ''].filter(Boolean).join(' ') || undefined;
  return (
    <div class={`field${mine ? ' invalid' : ''}`}>
      <label for={id}>{label}</label>
      {children({ id, name, 'aria-invalid': Boolean(mine), 'aria-describedby': describedBy })}
      {hint && <small id={`${id}-hint`} class="hint">{hint}</small>}
      {mine && <p id={`${id}-error`} class="field-error" role="alert">{mine}</p>}
    </div>
  );
}

/** An API error that names none of the form's fields. */
export function FormError({ error, fields }: { error: ApiError | null; fields: readonly string[] }) {
  if (!error || error.fieldIn(fields)) return null;
  return <p class="form-error" role="alert">{error.message}</p>;
}

export function Loading({ what }: { what: string }) {
  return <p class="state loading" role="status" aria-live="polite">Loading {what}…</p>;
}

export function Empty({ children }: { children: ComponentChildren }) {
  return <p class="state empty">{children}</p>;
}

export function ErrorState({ error, retry }: { error: ApiError; retry?: () => void }) {
  return (
    <div class="state error" role="alert">
      <p>{error.status === 404 ? 'Not found, or not yours to see: ' : 'Something went wrong: '}{error.message}</p>
      {retry && <button type="button" onClick={retry}>Try again</button>}
    </div>
  );
}

/** Shows loading, error, or the content once data is there. */
export function Loaded<T>({ state, what, children }: {
  state: { data: T | undefined; error: ApiError | null; loading: boolean; reload: () => void };
  what: string;
  children: (data: T) => ComponentChildren;
}) {
  if (state.error) return <ErrorState error={state.error} retry={state.reload} />;
  if (state.data === undefined) return <Loading what={what} />;
  return <>{children(state.data)}</>;
}

const HEALTH_TEXT: Record<Health, string> = { pending: 'Pending', healthy: 'Healthy', unhealthy: 'Unhealthy', offline: 'Offline' };
/** What "pending" means for each: a server not checked yet, a feed with no reading yet. */
const PENDING_TEXT = { server: 'Not checked yet', feed: 'Waiting for the first reading' } as const;

export function HealthBadge({ health, of }: { health: Health; of?: 'server' | 'feed' }) {
  return <span class={`badge health-${health}`}>{health === 'pending' && of ? PENDING_TEXT[of] : HEALTH_TEXT[health] ?? health}</span>;
}

const TYPE_NAMES = { printtracker: 'Print Tracker', pharos: 'Pharos Cloud', printix: 'Printix' } as const;

/** A server as a person names it: its label, else its type and host. */
export function serverName(server: { type: keyof typeof TYPE_NAMES; label: string | null; url: string | null }): string {
  const host = server.url ? server.url.replace(/^https?:\/\//, '') : '';
  return server.label ?? `${TYPE_NAMES[server.type]}${host ? ` · ${host}` : ''}`;
}

/** A feed's or server's kind as a person reads it (import feeds have no server). */
export function serverTypeName(type: keyof typeof TYPE_NAMES | 'import'): string {
  return type === 'import' ? 'Import' : TYPE_NAMES[type];
}

export function StatusBadge({ status }: { status: string }) {
  return <span class={`badge status-${status}`}>{status === 'active' ? 'Active' : status === 'inactive' ? 'Inactive' : status}</span>;
}

export function Panel({ title, children, actions, id }: { title: string; children: ComponentChildren; actions?: ComponentChildren; id?: string }) {
  return (
    <section class="panel" aria-labelledby={id}>
      <header class="panel-head">
        <h2 id={id}>{title}</h2>
        {actions}
      </header>
      {children}
    </section>
  );
}

/** A secret the server shows once (an API key, a set-password link), with a copy button. */
export function ShownOnce({ label, value }: { label: string; value: string }) {
  return (
    <div class="shown-once" role="status">
      <p><strong>{label}</strong> — shown once; copy it now.</p>
      <code data-testid="shown-once">{value}</code>
      <button type="button" onClick={() => void navigator.clipboard?.writeText(value)}>Copy</button>
    </div>
  );
}
