import type { CampaignOutcome } from '../../api/types';
import { OUTCOME_LABELS, OUTCOMES } from './filter-model';

/** A campaign outcome (a segment's campaign condition, a follow-up's target). */
export function OutcomeSelect({
  id,
  label,
  value,
  onChange,
}: {
  id?: string;
  /** Its accessible name when no <label> points at `id`. */
  label?: string;
  value: CampaignOutcome;
  onChange: (o: CampaignOutcome) => void;
}) {
  return (
    <select
      id={id}
      aria-label={label}
      value={value}
      onChange={(e) => onChange(OUTCOMES.find((o) => o === e.target.value) ?? value)}
    >
      {OUTCOMES.map((o) => (
        <option key={o} value={o}>
          {OUTCOME_LABELS[o]}
        </option>
      ))}
    </select>
  );
}
