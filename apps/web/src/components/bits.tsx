// Small presentational pieces every page uses.
import type { ReactNode } from 'react';
import { formatShare, humanize } from '../lib/format';

export function StatusBadge({ status }: { status: string }) {
  return (
    <span className={`badge badge-${status.toLowerCase()}`}>{humanize(status.toLowerCase())}</span>
  );
}

export function Progress({ done, total, label }: { done: number; total: number; label: string }) {
  return (
    <span className="progress">
      <progress max={Math.max(total, 1)} value={Math.min(done, total)} aria-label={label} />
      <span className="progress-text">{formatShare(done, total)}</span>
    </span>
  );
}

export function Stat({ label, value, sub }: { label: string; value: ReactNode; sub?: ReactNode }) {
  return (
    <div className="stat">
      <dt>{label}</dt>
      <dd>
        <span className="stat-value">{value}</span>
        {sub !== undefined && <span className="stat-sub">{sub}</span>}
      </dd>
    </div>
  );
}

export function Stats({ children, label }: { children: ReactNode; label: string }) {
  return (
    <dl className="stats" aria-label={label}>
      {children}
    </dl>
  );
}

export function Section({
  title,
  actions,
  children,
  id,
}: {
  title: string;
  actions?: ReactNode;
  children: ReactNode;
  id?: string;
}) {
  return (
    <section className="card" aria-label={title} id={id}>
      <header className="card-head">
        <h2>{title}</h2>
        {actions && <div className="actions">{actions}</div>}
      </header>
      {children}
    </section>
  );
}

export function PageHeader({ title, children }: { title: ReactNode; children?: ReactNode }) {
  return (
    <header className="page-head">
      <h1>{title}</h1>
      {children && <div className="actions">{children}</div>}
    </header>
  );
}

/** A labelled whole-number input (kept as text while typed; the API checks the range too). */
export function NumberField({
  id,
  label,
  min,
  max,
  value,
  onChange,
}: {
  id: string;
  label: string;
  min: number;
  max: number;
  value: string;
  onChange: (value: string) => void;
}) {
  return (
    <>
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        type="number"
        min={min}
        max={max}
        required
        className="short"
        value={value}
        onChange={(e) => onChange(e.target.value)}
      />
    </>
  );
}
