import { useState, type FormEvent } from 'react';
import { useFrequencyCap, useSetFrequencyCap } from '../../api/queries';
import type { FrequencyCap } from '../../api/types';
import { ConfirmButton } from '../../components/ConfirmButton';
import { ErrorView } from '../../components/ErrorView';
import { QueryState } from '../../components/QueryState';
import { NumberField, PageHeader, Section, Stat, Stats } from '../../components/bits';
import { formatCount } from '../../lib/format';

/** Workspace settings. Changing them takes an admin key: the API answers others with a 403. */
export default function SettingsPage() {
  const cap = useFrequencyCap();
  return (
    <>
      <PageHeader title="Settings" />
      <Section title="Frequency cap">
        <p className="hint">
          No contact receives more than this many marketing messages from this workspace in any
          rolling period, across all campaigns. Recipients over the cap are skipped (
          <em>frequency cap</em> in the plan and the report). Only admin keys may change it.
        </p>
        <QueryState query={cap}>
          {(c) => <FrequencyCapForm key={JSON.stringify(c)} cap={c} />}
        </QueryState>
      </Section>
    </>
  );
}

function FrequencyCapForm({ cap }: { cap: FrequencyCap | null }) {
  const set = useSetFrequencyCap();
  const [maxMessages, setMax] = useState(String(cap?.maxMessages ?? 2));
  const [perDays, setDays] = useState(String(cap?.perDays ?? 7));

  function submit(e: FormEvent) {
    e.preventDefault();
    set.mutate({ maxMessages: Number(maxMessages), perDays: Number(perDays) });
  }

  return (
    <>
      <Stats label="Frequency cap">
        <Stat
          label="Current cap"
          value={
            cap ? `${formatCount(cap.maxMessages)} per ${formatCount(cap.perDays)} days` : 'No cap'
          }
        />
      </Stats>
      <form className="inline-form" onSubmit={submit}>
        <NumberField
          id="cap-max"
          label="At most"
          min={1}
          max={1000}
          value={maxMessages}
          onChange={setMax}
        />
        <NumberField
          id="cap-days"
          label="messages per"
          min={1}
          max={365}
          value={perDays}
          onChange={setDays}
        />
        <span>days</span>
        <button type="submit" className="button primary" disabled={set.isPending}>
          {cap ? 'Change cap' : 'Set cap'}
        </button>
      </form>
      {cap && (
        <div className="form-actions">
          <ConfirmButton
            label="Remove cap"
            tone="danger"
            title="Remove the frequency cap?"
            confirmLabel="Yes, remove"
            disabled={set.isPending}
            onConfirm={() => set.mutate(null)}
          >
            <p>Campaigns will send to every eligible contact, however many messages they got.</p>
          </ConfirmButton>
        </div>
      )}
      {set.error && <ErrorView error={set.error} title="The frequency cap did not change" />}
    </>
  );
}
