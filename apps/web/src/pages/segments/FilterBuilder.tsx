import { useState } from 'react';
import type { Audience, Campaign } from '../../api/types';
import { humanize } from '../../lib/format';
import { OutcomeSelect } from './OutcomeSelect';
import {
  ATTRIBUTE_PREFIX,
  FIELDS,
  newRule,
  OP_LABELS,
  opsOf,
  valueTypeOf,
  type Group,
  type Rule,
  type RuleKind,
  type SegmentDraft,
  type ValueType,
} from './filter-model';

const KINDS: Array<[RuleKind, string]> = [
  ['field', 'Contact field or attribute'],
  ['audience', 'Member of an audience'],
  ['campaign', 'Outcome of a campaign'],
  ['messaged', 'Got a message recently'],
  ['converted', 'Converted recently'],
  ['group', 'Group of conditions'],
];

const CONSENTS = ['opted_in', 'opted_out', 'none'];

interface Choices {
  audiences: readonly Audience[];
  campaigns: readonly Campaign[];
}

/**
 * The segment's filter as conditions: who is in (all or any of a list, groups nested), and who is
 * left out. Every edit goes up as a new draft; the page asks the API what it matches.
 */
export function FilterBuilder({
  draft,
  onChange,
  ...choices
}: { draft: SegmentDraft; onChange: (d: SegmentDraft) => void } & Choices) {
  return (
    <div className="filter-builder">
      <fieldset className="rule-group">
        <legend>
          Contacts who match{' '}
          <MatchSelect
            label="Include when"
            value={draft.include.match}
            onChange={(match) => onChange({ ...draft, include: { ...draft.include, match } })}
          />{' '}
          of these conditions
        </legend>
        <RuleList
          name="Condition"
          rules={draft.include.rules}
          onChange={(rules) => onChange({ ...draft, include: { ...draft.include, rules } })}
          {...choices}
        />
      </fieldset>
      <fieldset className="rule-group exclude">
        <legend>Leave out contacts who match any of these</legend>
        <RuleList
          name="Exclusion"
          rules={draft.exclude}
          onChange={(exclude) => onChange({ ...draft, exclude })}
          {...choices}
        />
      </fieldset>
    </div>
  );
}

function MatchSelect({
  label,
  value,
  onChange,
}: {
  label: string;
  value: Group['match'];
  onChange: (m: Group['match']) => void;
}) {
  return (
    <select
      aria-label={label}
      value={value}
      onChange={(e) => onChange(e.target.value === 'any' ? 'any' : 'all')}
    >
      <option value="all">all</option>
      <option value="any">any</option>
    </select>
  );
}

function RuleList({
  name,
  rules,
  onChange,
  ...choices
}: { name: string; rules: Rule[]; onChange: (rules: Rule[]) => void } & Choices) {
  const [kind, setKind] = useState<RuleKind>('field');
  const set = (i: number, r: Rule) => onChange(rules.map((x, j) => (j === i ? r : x)));
  return (
    <>
      {rules.length === 0 && <p className="hint">None yet.</p>}
      <ol className="rules">
        {rules.map((r, i) => (
          <li key={r.id}>
            <RuleRow
              name={`${name} ${i + 1}`}
              rule={r}
              onChange={(x) => set(i, x)}
              onRemove={() => onChange(rules.filter((_, j) => j !== i))}
              {...choices}
            />
          </li>
        ))}
      </ol>
      <div className="add-rule">
        <select
          aria-label={`Kind of ${name.toLowerCase()} to add`}
          value={kind}
          onChange={(e) => setKind(e.target.value as RuleKind)}
        >
          {KINDS.map(([k, label]) => (
            <option key={k} value={k}>
              {label}
            </option>
          ))}
        </select>
        <button
          type="button"
          className="button plain"
          onClick={() => onChange([...rules, newRule(kind)])}
        >
          Add {name.toLowerCase()}
        </button>
      </div>
    </>
  );
}

function RuleRow({
  name,
  rule,
  onChange,
  onRemove,
  ...choices
}: {
  name: string;
  rule: Rule;
  onChange: (r: Rule) => void;
  onRemove: () => void;
} & Choices) {
  return (
    <fieldset className="rule" aria-label={name}>
      <legend className="visually-hidden">{name}</legend>
      <label className="inline">
        <input
          type="checkbox"
          checked={rule.negate}
          onChange={(e) => onChange({ ...rule, negate: e.target.checked })}
        />{' '}
        not
      </label>
      <RuleEditor rule={rule} onChange={onChange} name={name} {...choices} />
      <button type="button" className="button plain" onClick={onRemove}>
        Remove
      </button>
    </fieldset>
  );
}

function Days({
  value,
  onChange,
  label,
}: {
  value: number;
  onChange: (n: number) => void;
  label: string;
}) {
  return (
    <label className="inline">
      in the last{' '}
      <input
        type="number"
        aria-label={label}
        min={1}
        max={3650}
        required
        className="short"
        value={value}
        onChange={(e) => onChange(Number(e.target.value))}
      />{' '}
      days
    </label>
  );
}

/** A choice among named things by id; an id not listed (another page, deleted) stays shown. */
function IdSelect({
  label,
  placeholder,
  items,
  value,
  onChange,
}: {
  label: string;
  placeholder: string;
  items: ReadonlyArray<{ id: string; name: string }>;
  value: string;
  onChange: (id: string) => void;
}) {
  return (
    <select aria-label={label} required value={value} onChange={(e) => onChange(e.target.value)}>
      <option value="">{placeholder}</option>
      {items.map((x) => (
        <option key={x.id} value={x.id}>
          {x.name}
        </option>
      ))}
      {value && !items.some((x) => x.id === value) && <option value={value}>{value}</option>}
    </select>
  );
}

function RuleEditor({
  rule,
  onChange,
  name,
  audiences,
  campaigns,
}: { rule: Rule; onChange: (r: Rule) => void; name: string } & Choices) {
  switch (rule.kind) {
    case 'field':
      return <FieldEditor rule={rule} onChange={onChange} />;
    case 'audience':
      return (
        <label className="inline">
          is a member of{' '}
          <IdSelect
            label="Audience"
            placeholder="choose an audience…"
            items={audiences}
            value={rule.audience}
            onChange={(audience) => onChange({ ...rule, audience })}
          />
        </label>
      );
    case 'campaign':
      return (
        <span className="rule-fields">
          <label className="inline">
            in campaign{' '}
            <IdSelect
              label="Campaign"
              placeholder="choose a campaign…"
              items={campaigns}
              value={rule.campaign}
              onChange={(campaign) => onChange({ ...rule, campaign })}
            />
          </label>
          <label className="inline">
            contacts who{' '}
            <OutcomeSelect
              label="Outcome"
              value={rule.outcome}
              onChange={(outcome) => onChange({ ...rule, outcome })}
            />
          </label>
        </span>
      );
    case 'messaged':
      return (
        <span className="rule-fields">
          got a marketing message
          <Days
            label="Days"
            value={rule.withinDays}
            onChange={(withinDays) => onChange({ ...rule, withinDays })}
          />
        </span>
      );
    case 'converted':
      return (
        <span className="rule-fields">
          <label className="inline">
            converted with event{' '}
            <input
              aria-label="Event name"
              placeholder="any event"
              value={rule.eventName}
              onChange={(e) => onChange({ ...rule, eventName: e.target.value })}
            />
          </label>
          <Days
            label="Days"
            value={rule.withinDays}
            onChange={(withinDays) => onChange({ ...rule, withinDays })}
          />
        </span>
      );
    case 'group':
      return (
        <fieldset className="rule-group nested">
          <legend>
            matches{' '}
            <MatchSelect
              label={`${name}: match`}
              value={rule.group.match}
              onChange={(match) => onChange({ ...rule, group: { ...rule.group, match } })}
            />{' '}
            of
          </legend>
          <RuleList
            name={`${name}.`}
            rules={rule.group.rules}
            onChange={(rules) => onChange({ ...rule, group: { ...rule.group, rules } })}
            audiences={audiences}
            campaigns={campaigns}
          />
        </fieldset>
      );
  }
}

function FieldEditor({
  rule,
  onChange,
}: {
  rule: Extract<Rule, { kind: 'field' }>;
  onChange: (r: Rule) => void;
}) {
  const isAttribute = rule.field.startsWith(ATTRIBUTE_PREFIX);
  const ops = opsOf(rule.field);
  const type = valueTypeOf(rule.field, rule.valueType);
  const list = rule.op === 'in' || rule.op === 'nin';
  const inputType = list
    ? 'text'
    : type === 'number'
      ? 'number'
      : type === 'date'
        ? 'date'
        : 'text';
  const setField = (field: string) =>
    onChange({ ...rule, field, op: opsOf(field).includes(rule.op) ? rule.op : opsOf(field)[0]! });
  const valueInput = (value: string, set: (v: string) => void, label: string) =>
    type === 'boolean' && !list ? (
      <select aria-label={label} value={value || 'true'} onChange={(e) => set(e.target.value)}>
        <option value="true">yes (true)</option>
        <option value="false">no (false)</option>
      </select>
    ) : rule.field === 'consent' && !list ? (
      <select aria-label={label} required value={value} onChange={(e) => set(e.target.value)}>
        <option value="">choose…</option>
        {CONSENTS.map((c) => (
          <option key={c} value={c}>
            {humanize(c)}
          </option>
        ))}
      </select>
    ) : (
      <input
        aria-label={label}
        type={inputType}
        step={type === 'number' ? 'any' : undefined}
        required
        placeholder={list ? 'values, comma-separated' : undefined}
        value={value}
        onChange={(e) => set(e.target.value)}
      />
    );
  return (
    <span className="rule-fields">
      <select
        aria-label="Field"
        value={isAttribute ? ATTRIBUTE_PREFIX : rule.field}
        onChange={(e) => setField(e.target.value)}
      >
        <option value={ATTRIBUTE_PREFIX}>Attribute…</option>
        {FIELDS.map((f) => (
          <option key={f.field} value={f.field}>
            {f.label}
          </option>
        ))}
      </select>
      {isAttribute && (
        <>
          <input
            aria-label="Attribute name"
            required
            placeholder="e.g. tier"
            pattern="[A-Za-z0-9_][A-Za-z0-9_ .\-]*"
            value={rule.field.slice(ATTRIBUTE_PREFIX.length)}
            onChange={(e) => onChange({ ...rule, field: `${ATTRIBUTE_PREFIX}${e.target.value}` })}
          />
          <select
            aria-label="Compare as"
            value={rule.valueType}
            onChange={(e) => onChange({ ...rule, valueType: e.target.value as ValueType })}
          >
            <option value="text">text</option>
            <option value="number">number</option>
            <option value="date">date</option>
            <option value="boolean">yes/no</option>
          </select>
        </>
      )}
      <select
        aria-label="Operator"
        value={rule.op}
        onChange={(e) =>
          onChange({ ...rule, op: ops.find((o) => o === e.target.value) ?? rule.op })
        }
      >
        {ops.map((o) => (
          <option key={o} value={o}>
            {OP_LABELS[o]}
          </option>
        ))}
      </select>
      {rule.op === 'exists' ? (
        <select
          aria-label="Value"
          value={rule.value === 'false' ? 'false' : 'true'}
          onChange={(e) => onChange({ ...rule, value: e.target.value })}
        >
          <option value="true">yes</option>
          <option value="false">no</option>
        </select>
      ) : (
        valueInput(rule.value, (value) => onChange({ ...rule, value }), 'Value')
      )}
      {rule.op === 'between' && (
        <>and {valueInput(rule.value2, (value2) => onChange({ ...rule, value2 }), 'Upper value')}</>
      )}
    </span>
  );
}
