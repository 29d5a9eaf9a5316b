import { useState, type FormEvent } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router';
import {
  useAudienceMembers,
  useAudiences,
  useCampaign,
  useCreateCampaign,
  useFollowUp,
  usePhoneNumbers,
  useSegmentCount,
  useSegments,
  useTemplates,
} from '../../api/queries';
import type {
  AbTest,
  Campaign,
  CampaignCreate,
  CampaignOutcome,
  CampaignVariant,
  Template,
} from '../../api/types';
import { ErrorView } from '../../components/ErrorView';
import { QueryState } from '../../components/QueryState';
import { PageHeader, Section } from '../../components/bits';
import { formatCount } from '../../lib/format';
import { OUTCOMES } from '../segments/filter-model';
import { OutcomeSelect } from '../segments/OutcomeSelect';
import { contactFields, localToIso, valuesOf } from './campaign-form';
import { emptyMessage, MessageEditor, messageParameters, type MessageDraft } from './MessageEditor';
import { VariantsFields, type VariantsDraft } from './VariantsFields';

const BROWSER_ZONE = Intl.DateTimeFormat().resolvedOptions().timeZone;
// The browser's own zone first (it may be an alias such as UTC that the list leaves out).
const ZONES = [...new Set([BROWSER_ZONE, ...Intl.supportedValuesOf('timeZone')])];

/**
 * A campaign draft: message (or A/B variants), target (an audience or a segment, minus
 * exclusions, with a control group), the value of each placeholder with a live preview for a
 * sample contact, schedule and send window. `?followUp=<id>&outcome=<o>` makes it a follow-up
 * to that campaign's recipients with the outcome, starting from its message; `?segment=<id>`
 * preselects a segment. Saving opens the campaign with its plan: nothing is sent from here.
 */
export default function NewCampaignPage() {
  const [params] = useSearchParams();
  const parentId = params.get('followUp');
  const templates = useTemplates('APPROVED');
  const parent = useCampaign(parentId);
  const form = (p: Campaign | null) => (
    <QueryState query={templates}>
      {(list) => (
        <CampaignForm
          templates={list.data.filter((t) => t.category === 'MARKETING')}
          parent={p}
          outcome={OUTCOMES.find((o) => o === params.get('outcome')) ?? 'delivered_not_read'}
          segmentId={params.get('segment') ?? ''}
        />
      )}
    </QueryState>
  );
  return parentId ? <QueryState query={parent}>{(p) => form(p)}</QueryState> : form(null);
}

/** The message a follow-up starts from: its parent's (the winner's, after an A/B test). */
function parentMessage(parent: Campaign, templates: readonly Template[]): MessageDraft {
  const v = parent.variants.find((x) => x.key === parent.winner?.key) ?? parent.variants[0];
  const templateId = v?.templateId ?? parent.templateId;
  const template = templates.find((t) => t.id === templateId);
  if (!template) {
    return emptyMessage();
  }
  return { templateId, ...valuesOf(template, v?.parameters ?? parent.parameters) };
}

function CampaignForm({
  templates,
  parent,
  outcome: initialOutcome,
  segmentId: initialSegment,
}: {
  templates: readonly Template[];
  parent: Campaign | null;
  outcome: CampaignOutcome;
  segmentId: string;
}) {
  const navigate = useNavigate();
  const audiences = useAudiences();
  const segments = useSegments(undefined, 100);
  const numbers = usePhoneNumbers();
  const create = useCreateCampaign();
  const followUp = useFollowUp(parent?.id ?? '');
  const saving = parent ? followUp : create;

  const [name, setName] = useState(parent ? `${parent.name}: follow-up` : '');
  const [outcome, setOutcome] = useState<CampaignOutcome>(initialOutcome);
  const [targetKind, setTargetKind] = useState<'audience' | 'segment'>(
    initialSegment ? 'segment' : 'audience',
  );
  const [audienceId, setAudienceId] = useState('');
  const [segmentId, setSegmentId] = useState(initialSegment);
  const [excluded, setExcluded] = useState<string[]>([]);
  const [holdout, setHoldout] = useState('0');
  const [message, setMessage] = useState<MessageDraft>(() =>
    parent ? parentMessage(parent, templates) : emptyMessage(),
  );
  const [ab, setAb] = useState<VariantsDraft | null>(null);
  const [phoneId, setPhoneId] = useState(parent?.phoneNumberId ?? '');
  const [sampleId, setSampleId] = useState('');
  const [when, setWhen] = useState<'launch' | 'later'>('launch');
  const [scheduledAt, setScheduledAt] = useState('');
  const [windowOn, setWindowOn] = useState(false);
  const [windowStart, setWindowStart] = useState('09:00');
  const [windowEnd, setWindowEnd] = useState('20:00');
  const [timezone, setTimezone] = useState(BROWSER_ZONE);
  const [perContactTz, setPerContactTz] = useState(false);
  const [mps, setMps] = useState('');

  // Sample contacts for the preview: from the target (a follow-up: its parent's target).
  const sampleAudience = parent
    ? parent.audienceId
    : targetKind === 'audience' && audienceId
      ? audienceId
      : null;
  const sampleSegment = parent
    ? parent.segmentId
    : targetKind === 'segment' && segmentId
      ? segmentId
      : null;
  const members = useAudienceMembers(sampleAudience ?? undefined, undefined, 10);
  const segmentSample = useSegmentCount(sampleSegment);
  const contacts = (sampleAudience ? members.data?.data : segmentSample.data?.samples) ?? [];
  const fields = contactFields(contacts);
  const contactId = sampleId || contacts[0]?.id;
  const phone = phoneId || numbers.data?.data[0]?.id || '';

  const single = messageParameters(message, templates);
  const variants: CampaignVariant[] | null = ab
    ? ab.variants.flatMap((v) => {
        const built = messageParameters(v.message, templates);
        return built
          ? [
              {
                key: v.key,
                templateId: built.template.id,
                parameters: built.parameters,
                weight: Number(v.weight),
              },
            ]
          : [];
      })
    : null;
  const complete = variants ? variants.length === ab?.variants.length : single !== null;

  function submit(e: FormEvent) {
    e.preventDefault();
    if (!complete) {
      return;
    }
    const abTest: AbTest | undefined = ab?.decide
      ? {
          testPercent: Number(ab.testPercent),
          metric: ab.metric,
          decideAfterMinutes: Number(ab.decideAfterMinutes),
          minPerVariant: Number(ab.minPerVariant),
        }
      : undefined;
    const content =
      variants && ab
        ? { variants, ...(abTest ? { abTest } : {}) }
        : { templateId: single?.template.id, parameters: single?.parameters };
    const settings = {
      name: name.trim(),
      phoneNumberId: phone,
      ...content,
      ...(excluded.length > 0
        ? {
            exclude: excluded.map((x) =>
              x.startsWith('segment:') ? { segmentId: x.slice(8) } : { audienceId: x.slice(9) },
            ),
          }
        : {}),
      ...(Number(holdout) > 0 ? { holdoutPercent: Number(holdout) } : {}),
      ...(when === 'later' && localToIso(scheduledAt)
        ? { scheduledAt: localToIso(scheduledAt) }
        : {}),
      ...(windowOn
        ? {
            sendWindow: {
              start: windowStart,
              end: windowEnd,
              timezone,
              perContactTimezone: perContactTz,
            },
          }
        : {}),
      ...(mps ? { throughputMps: Number(mps) } : {}),
    };
    const open = (c: Campaign) => void navigate(`/campaigns/${c.id}`);
    if (parent) {
      followUp.mutate({ ...settings, outcome }, { onSuccess: open });
    } else {
      const body: CampaignCreate = {
        ...settings,
        ...(targetKind === 'audience' ? { audienceId } : { segmentId }),
      };
      create.mutate(body, { onSuccess: open });
    }
  }

  const exclusionChoices = [
    ...(audiences.data?.data ?? [])
      .filter((a) => targetKind !== 'audience' || a.id !== audienceId || parent)
      .map((a) => ({ value: `audience:${a.id}`, label: a.name })),
    ...(segments.data?.data ?? [])
      .filter((s) => targetKind !== 'segment' || s.id !== segmentId || parent)
      .map((s) => ({ value: `segment:${s.id}`, label: `segment ${s.name}` })),
  ];

  return (
    <>
      <PageHeader title={parent ? 'New follow-up' : 'New campaign'} />
      <form className="campaign-form" onSubmit={submit}>
        <Section title="What and to whom">
          <div className="form-grid">
            <label htmlFor="c-name">Name</label>
            <input
              id="c-name"
              required
              maxLength={200}
              value={name}
              onChange={(e) => setName(e.target.value)}
            />
            {parent ? (
              <>
                <label htmlFor="c-outcome" className="top">
                  Outcome
                </label>
                <div className="field">
                  <OutcomeSelect id="c-outcome" value={outcome} onChange={setOutcome} />
                  <p className="hint">
                    Sends to the recipients of{' '}
                    <Link to={`/campaigns/${parent.id}`}>{parent.name}</Link> with this outcome,
                    resolved when the follow-up starts.
                  </p>
                </div>
              </>
            ) : (
              <>
                <label htmlFor="c-target">Target</label>
                <select
                  id="c-target"
                  value={targetKind}
                  onChange={(e) => {
                    setTargetKind(e.target.value === 'segment' ? 'segment' : 'audience');
                    setSampleId('');
                  }}
                >
                  <option value="audience">the members of an audience</option>
                  <option value="segment">the contacts of a segment</option>
                </select>
                {targetKind === 'audience' ? (
                  <>
                    <label htmlFor="c-audience">Audience</label>
                    <select
                      id="c-audience"
                      required
                      value={audienceId}
                      onChange={(e) => {
                        setAudienceId(e.target.value);
                        setSampleId('');
                      }}
                    >
                      <option value="">Choose an audience…</option>
                      {(audiences.data?.data ?? []).map((a) => (
                        <option key={a.id} value={a.id}>
                          {a.name} ({formatCount(a.memberCount)} members)
                        </option>
                      ))}
                    </select>
                  </>
                ) : (
                  <>
                    <label htmlFor="c-segment" className="top">
                      Segment
                    </label>
                    <div className="field">
                      <select
                        id="c-segment"
                        required
                        value={segmentId}
                        onChange={(e) => {
                          setSegmentId(e.target.value);
                          setSampleId('');
                        }}
                      >
                        <option value="">Choose a segment…</option>
                        {(segments.data?.data ?? []).map((s) => (
                          <option key={s.id} value={s.id}>
                            {s.name}
                          </option>
                        ))}
                      </select>
                      {segmentSample.data && (
                        <p className="hint" role="status">
                          {formatCount(segmentSample.data.count)} contacts match now,{' '}
                          {formatCount(segmentSample.data.eligible)} eligible (resolved again when
                          the campaign starts).
                        </p>
                      )}
                      {segmentSample.error && (
                        <ErrorView error={segmentSample.error} title="The segment did not count" />
                      )}
                    </div>
                  </>
                )}
              </>
            )}
            <label htmlFor="c-phone">Send from</label>
            <select
              id="c-phone"
              required
              value={phone}
              onChange={(e) => setPhoneId(e.target.value)}
            >
              {(numbers.data?.data ?? []).map((p) => (
                <option key={p.id} value={p.id}>
                  {p.displayPhoneNumber} {p.verifiedName ? `(${p.verifiedName})` : ''} ·{' '}
                  {formatCount(p.throughputMps)} msg/s
                </option>
              ))}
            </select>
            <label htmlFor="c-holdout" className="top">
              Control group (% kept out)
            </label>
            <div className="field">
              <input
                id="c-holdout"
                type="number"
                min={0}
                max={50}
                className="short"
                value={holdout}
                onChange={(e) => setHoldout(e.target.value)}
              />
              <p className="hint">
                A reproducible random share of the eligible target is not sent to, to measure the
                lift in conversions against it (0 for none, up to 50).
              </p>
            </div>
          </div>
          {exclusionChoices.length > 0 && (
            <fieldset className="choices exclusions">
              <legend>Leave out (exclusions)</legend>
              {exclusionChoices.map((x) => (
                <label key={x.value}>
                  <input
                    type="checkbox"
                    checked={excluded.includes(x.value)}
                    onChange={(e) =>
                      setExcluded((l) =>
                        e.target.checked ? [...l, x.value] : l.filter((v) => v !== x.value),
                      )
                    }
                  />{' '}
                  {x.label}
                </label>
              ))}
            </fieldset>
          )}
          {templates.length === 0 && (
            <p className="notice">
              No approved marketing template yet. <Link to="/templates">See the templates</Link>.
            </p>
          )}
        </Section>

        <Section title="Message">
          {contacts.length > 0 && (
            <label className="inline preview-for">
              Preview for{' '}
              <select value={contactId ?? ''} onChange={(e) => setSampleId(e.target.value)}>
                {contacts.map((m) => (
                  <option key={m.id} value={m.id}>
                    {m.phone}
                  </option>
                ))}
              </select>
            </label>
          )}
          <VariantsFields
            value={ab}
            onChange={setAb}
            first={message}
            onFirst={setMessage}
            templates={templates}
            fields={fields}
            contactId={contactId}
          />
          {!ab && (
            <MessageEditor
              name=""
              templates={templates}
              fields={fields}
              contactId={contactId}
              value={message}
              onChange={setMessage}
            />
          )}
        </Section>

        <Section title="When">
          <fieldset className="choices">
            <legend className="visually-hidden">When to send</legend>
            <label>
              <input
                type="radio"
                name="when"
                checked={when === 'launch'}
                onChange={() => setWhen('launch')}
              />{' '}
              As soon as it is launched
            </label>
            <label>
              <input
                type="radio"
                name="when"
                checked={when === 'later'}
                onChange={() => setWhen('later')}
              />{' '}
              At
            </label>
            <input
              type="datetime-local"
              aria-label="Scheduled time"
              value={scheduledAt}
              disabled={when !== 'later'}
              required={when === 'later'}
              onChange={(e) => setScheduledAt(e.target.value)}
            />
          </fieldset>
          <fieldset className="choices">
            <legend className="visually-hidden">Send window</legend>
            <label>
              <input
                type="checkbox"
                checked={windowOn}
                onChange={(e) => setWindowOn(e.target.checked)}
              />{' '}
              Only send between
            </label>
            <input
              type="time"
              aria-label="Window start"
              value={windowStart}
              disabled={!windowOn}
              onChange={(e) => setWindowStart(e.target.value)}
            />
            <span>and</span>
            <input
              type="time"
              aria-label="Window end"
              value={windowEnd}
              disabled={!windowOn}
              onChange={(e) => setWindowEnd(e.target.value)}
            />
            <select
              aria-label="Time zone"
              value={timezone}
              disabled={!windowOn}
              onChange={(e) => setTimezone(e.target.value)}
            >
              {ZONES.map((z) => (
                <option key={z} value={z}>
                  {z}
                </option>
              ))}
            </select>
            <label>
              <input
                type="checkbox"
                checked={perContactTz}
                disabled={!windowOn}
                onChange={(e) => setPerContactTz(e.target.checked)}
              />{' '}
              in each contact&rsquo;s own time zone when known
            </label>
          </fieldset>
          <div className="form-grid">
            <label htmlFor="c-mps">Messages per second (optional)</label>
            <input
              id="c-mps"
              type="number"
              min={1}
              max={1000}
              value={mps}
              placeholder="the number's full rate"
              onChange={(e) => setMps(e.target.value)}
            />
          </div>
        </Section>

        {saving.error && <ErrorView error={saving.error} title="The campaign was not saved" />}
        <div className="form-actions">
          <button type="submit" className="button primary" disabled={saving.isPending || !complete}>
            {saving.isPending ? 'Saving…' : 'Save draft and see the plan'}
          </button>
          <Link to={parent ? `/campaigns/${parent.id}` : '/campaigns'} className="button plain">
            {parent ? 'Back to the campaign' : 'Back to campaigns'}
          </Link>
        </div>
      </form>
    </>
  );
}
