import { useState, type FormEvent } from 'react';
import { Link, useNavigate } from 'react-router';
import {
  useAudienceMembers,
  useAudiences,
  useCreateCampaign,
  usePhoneNumbers,
  useTemplatePreview,
  useTemplates,
} from '../../api/queries';
import type { CampaignCreate, Template } from '../../api/types';
import { ErrorView } from '../../components/ErrorView';
import { PageHeader, Section } from '../../components/bits';
import { formatCount } from '../../lib/format';
import { useDebounced } from '../../lib/use-debounced';
import { TemplateBubble } from '../templates/TemplateBubble';
import { contactFields, localToIso, parametersOf, slotsOf } from './campaign-form';

const BROWSER_ZONE = Intl.DateTimeFormat().resolvedOptions().timeZone;
// The browser's own zone first (it may be an alias such as UTC that the list leaves out).
const ZONES = [...new Set([BROWSER_ZONE, ...Intl.supportedValuesOf('timeZone')])];

/**
 * A campaign draft: template, target, the value of each placeholder (with a live preview for a
 * sample contact), schedule and send window. Saving opens the campaign with its plan and the
 * Launch button: nothing is sent from this page.
 */
export default function NewCampaignPage() {
  const navigate = useNavigate();
  const templates = useTemplates('APPROVED');
  const audiences = useAudiences();
  const numbers = usePhoneNumbers();
  const create = useCreateCampaign();

  const [name, setName] = useState('');
  const [templateId, setTemplateId] = useState('');
  const [audienceId, setAudienceId] = useState('');
  const [phoneId, setPhoneId] = useState('');
  const [values, setValues] = useState<Record<string, string>>({});
  const [mediaLink, setMediaLink] = useState('');
  const [sampleId, setSampleId] = useState('');
  const [when, setWhen] = useState<'launch' | 'later'>('launch');
  const [scheduledAt, setScheduledAt] = useState('');
  const [windowOn, setWindowOn] = useState(false);
  const [windowStart, setWindowStart] = useState('09:00');
  const [windowEnd, setWindowEnd] = useState('20:00');
  const [timezone, setTimezone] = useState(BROWSER_ZONE);
  const [perContactTz, setPerContactTz] = useState(false);
  const [mps, setMps] = useState('');

  const marketing = (templates.data?.data ?? []).filter((t) => t.category === 'MARKETING');
  const template: Template | undefined = marketing.find((t) => t.id === templateId);
  const sample = useAudienceMembers(audienceId || undefined, undefined, 10);
  const members = sample.data?.data ?? [];
  const phone = phoneId || numbers.data?.data[0]?.id || '';
  const slots = template ? slotsOf(template) : [];
  const fields = contactFields(members);
  const parameters = template ? parametersOf(template, values, mediaLink) : undefined;
  const contactId = sampleId || members[0]?.id;
  const previewInput = useDebounced(template && contactId ? { contactId, parameters } : null, 300);
  const preview = useTemplatePreview(template?.id, previewInput);

  function submit(e: FormEvent) {
    e.preventDefault();
    if (!template || !parameters) {
      return;
    }
    const body: CampaignCreate = {
      name: name.trim(),
      templateId: template.id,
      audienceId,
      phoneNumberId: phone,
      parameters,
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
    create.mutate(body, { onSuccess: (c) => void navigate(`/campaigns/${c.id}`) });
  }

  return (
    <>
      <PageHeader title="New campaign" />
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
            <label htmlFor="c-template">Template</label>
            <select
              id="c-template"
              required
              value={templateId}
              onChange={(e) => {
                setTemplateId(e.target.value);
                setValues({});
              }}
            >
              <option value="">Choose an approved marketing template…</option>
              {marketing.map((t) => (
                <option key={t.id} value={t.id}>
                  {t.name} ({t.language})
                </option>
              ))}
            </select>
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
          </div>
          {templates.error && <ErrorView error={templates.error} title="Templates did not load" />}
          {marketing.length === 0 && templates.data && (
            <p className="notice">
              No approved marketing template yet. <Link to="/templates">See the templates</Link>.
            </p>
          )}
        </Section>

        {template && (
          <div className="grid-2">
            <Section title="Values of the placeholders">
              {slots.length === 0 && <p className="hint">This template has no placeholders.</p>}
              {template.slots.headerMedia && template.slots.headerMedia !== 'LOCATION' && (
                <div className="slot">
                  <label htmlFor="c-media">
                    Header {template.slots.headerMedia.toLowerCase()} link
                  </label>
                  <input
                    id="c-media"
                    type="url"
                    required
                    value={mediaLink}
                    onChange={(e) => setMediaLink(e.target.value)}
                  />
                </div>
              )}
              {slots.map((s) => (
                <div className="slot" key={s.key}>
                  <label htmlFor={`slot-${s.key}`}>{s.label}</label>
                  <div className="slot-inputs">
                    <input
                      id={`slot-${s.key}`}
                      required
                      value={values[s.key] ?? ''}
                      placeholder="text, or a contact field"
                      onChange={(e) => setValues((v) => ({ ...v, [s.key]: e.target.value }))}
                    />
                    <select
                      aria-label={`Contact field for ${s.label}`}
                      value=""
                      onChange={(e) => setValues((v) => ({ ...v, [s.key]: e.target.value }))}
                    >
                      <option value="">use a contact field…</option>
                      {fields.map((f) => (
                        <option key={f.value} value={f.value}>
                          {f.label}
                        </option>
                      ))}
                    </select>
                  </div>
                </div>
              ))}
            </Section>
            <Section title="Preview">
              {members.length > 0 ? (
                <label className="inline">
                  For{' '}
                  <select value={contactId ?? ''} onChange={(e) => setSampleId(e.target.value)}>
                    {members.map((m) => (
                      <option key={m.id} value={m.id}>
                        {m.phone}
                      </option>
                    ))}
                  </select>
                </label>
              ) : (
                <p className="hint">Choose an audience with members to preview for one of them.</p>
              )}
              {preview.error && <ErrorView error={preview.error} title="No preview" />}
              {preview.data && !preview.data.rendered && (
                <p className="notice" role="status">
                  This contact would be skipped: {preview.data.missingAttribute ?? 'a value'} is
                  missing.
                </p>
              )}
              {preview.data?.rendered && (
                <TemplateBubble
                  header={preview.data.header ?? null}
                  body={preview.data.body ?? ''}
                  footer={preview.data.footer ?? null}
                  buttons={(preview.data.buttons ?? []).map((b) => b.text)}
                />
              )}
            </Section>
          </div>
        )}

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

        {create.error && <ErrorView error={create.error} title="The campaign was not saved" />}
        <div className="form-actions">
          <button type="submit" className="button primary" disabled={create.isPending || !template}>
            {create.isPending ? 'Saving…' : 'Save draft and see the plan'}
          </button>
          <Link to="/campaigns" className="button plain">
            Back to campaigns
          </Link>
        </div>
      </form>
    </>
  );
}
