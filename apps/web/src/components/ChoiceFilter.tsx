import { humanize } from '../lib/format';

/** A labelled select of one of `values`, or "any" (undefined): the filters above lists. */
export function ChoiceFilter<T extends string>({
  label,
  value,
  values,
  onChange,
}: {
  label: string;
  value: T | undefined;
  values: readonly T[];
  onChange: (value: T | undefined) => void;
}) {
  return (
    <label className="inline">
      {label}{' '}
      <select
        value={value ?? ''}
        onChange={(e) => onChange(values.find((v) => v === e.target.value))}
      >
        <option value="">any</option>
        {values.map((v) => (
          <option key={v} value={v}>
            {humanize(v.toLowerCase())}
          </option>
        ))}
      </select>
    </label>
  );
}
