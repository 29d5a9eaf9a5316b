import type { AbTestMetric, Template } from '../../api/types';
import { NumberField, Section } from '../../components/bits';
import { emptyMessage, MessageEditor, type MessageDraft } from './MessageEditor';

export interface VariantsDraft {
  variants: Array<{ key: string; weight: string; message: MessageDraft }>;
  /** Test on a share first and send the winner to the rest (else the whole target is split). */
  decide: boolean;
  testPercent: string;
  metric: AbTestMetric;
  decideAfterMinutes: string;
  minPerVariant: string;
}

const KEYS = ['a', 'b', 'c', 'd', 'e'];
const METRICS: Array<[AbTestMetric, string]> = [
  ['click', 'clicks'],
  ['read', 'reads'],
  ['conversion', 'conversions'],
];

/**
 * A/B variants (2–5 messages with weights) and how the winner is decided, as the API takes them.
 * Turning it on starts from the campaign's message as variant a; turning it off keeps variant a.
 */
export function VariantsFields({
  value,
  onChange,
  first,
  onFirst,
  templates,
  fields,
  contactId,
}: {
  value: VariantsDraft | null;
  onChange: (v: VariantsDraft | null) => void;
  first: MessageDraft;
  onFirst: (m: MessageDraft) => void;
  templates: readonly Template[];
  fields: ReadonlyArray<{ value: string; label: string }>;
  contactId: string | undefined;
}) {
  const set = (patch: Partial<VariantsDraft>) => value && onChange({ ...value, ...patch });
  const setVariant = (i: number, patch: Partial<VariantsDraft['variants'][number]>) =>
    value && set({ variants: value.variants.map((v, j) => (j === i ? { ...v, ...patch } : v)) });
  return (
    <>
      <label className="inline">
        <input
          type="checkbox"
          checked={value !== null}
          onChange={(e) => {
            if (e.target.checked) {
              onChange({
                variants: [
                  { key: 'a', weight: '1', message: first },
                  { key: 'b', weight: '1', message: emptyMessage() },
                ],
                decide: true,
                testPercent: '20',
                metric: 'click',
                decideAfterMinutes: '60',
                minPerVariant: '100',
              });
            } else {
              onFirst(value?.variants[0]?.message ?? first);
              onChange(null);
            }
          }}
        />{' '}
        A/B test: send 2 to 5 variants of the message
      </label>
      {value && (
        <>
          {value.variants.map((v, i) => (
            <Section
              key={v.key}
              title={`Variant ${v.key}`}
              actions={
                value.variants.length > 2 && (
                  <button
                    type="button"
                    className="button plain"
                    onClick={() => set({ variants: value.variants.filter((_, j) => j !== i) })}
                  >
                    Remove variant {v.key}
                  </button>
                )
              }
            >
              <div className="form-grid">
                <NumberField
                  id={`v-${v.key}-weight`}
                  label={`Weight of variant ${v.key}`}
                  min={1}
                  max={100}
                  value={v.weight}
                  onChange={(weight) => setVariant(i, { weight })}
                />
              </div>
              <MessageEditor
                name={`variant ${v.key}`}
                templates={templates}
                fields={fields}
                contactId={contactId}
                value={v.message}
                onChange={(message) => setVariant(i, { message })}
              />
            </Section>
          ))}
          {value.variants.length < KEYS.length && (
            <button
              type="button"
              className="button plain"
              onClick={() => {
                const key = KEYS.find((k) => !value.variants.some((v) => v.key === k)) ?? 'e';
                set({
                  variants: [...value.variants, { key, weight: '1', message: emptyMessage() }],
                });
              }}
            >
              Add a variant
            </button>
          )}
          <fieldset className="choices">
            <legend className="visually-hidden">How the winner is chosen</legend>
            <label>
              <input
                type="checkbox"
                checked={value.decide}
                onChange={(e) => set({ decide: e.target.checked })}
              />{' '}
              Test on a share first, then send the winner to the rest
            </label>
          </fieldset>
          {value.decide ? (
            <div className="form-grid">
              <NumberField
                id="ab-share"
                label="Test share (% of the eligible target)"
                min={1}
                max={100}
                value={value.testPercent}
                onChange={(testPercent) => set({ testPercent })}
              />
              <label htmlFor="ab-metric">Winner by</label>
              <select
                id="ab-metric"
                value={value.metric}
                onChange={(e) =>
                  set({ metric: METRICS.find(([m]) => m === e.target.value)?.[0] ?? 'click' })
                }
              >
                {METRICS.map(([m, label]) => (
                  <option key={m} value={m}>
                    {label} per delivered message
                  </option>
                ))}
              </select>
              <NumberField
                id="ab-after"
                label="Decide after (minutes)"
                min={1}
                max={10080}
                value={value.decideAfterMinutes}
                onChange={(decideAfterMinutes) => set({ decideAfterMinutes })}
              />
              <NumberField
                id="ab-min"
                label="Delivered per variant before deciding"
                min={1}
                max={1000000}
                value={value.minPerVariant}
                onChange={(minPerVariant) => set({ minPerVariant })}
              />
            </div>
          ) : (
            <p className="hint">The whole target is split between the variants by weight.</p>
          )}
          <p className="hint">
            The winner has the best rate if its lead is significant (95 %), else the first variant.
            You can also pick it by hand on the campaign page.
          </p>
        </>
      )}
    </>
  );
}
