import { useTemplatePreview } from '../../api/queries';
import type { Template, TemplateParameters } from '../../api/types';
import { ErrorView } from '../../components/ErrorView';
import { Section } from '../../components/bits';
import { useDebounced } from '../../lib/use-debounced';
import { TemplateBubble } from '../templates/TemplateBubble';
import { isTrackedLink, parametersOf, slotsOf, withTracking } from './campaign-form';

/** What the marketer chose for one message: its template and the value of each placeholder. */
export interface MessageDraft {
  templateId: string;
  values: Record<string, string>;
  mediaLink: string;
}

export const emptyMessage = (): MessageDraft => ({ templateId: '', values: {}, mediaLink: '' });

/** The API's parameters of a message draft, once its template is known. */
export function messageParameters(
  m: MessageDraft,
  templates: readonly Template[],
): { template: Template; parameters: TemplateParameters } | null {
  const template = templates.find((t) => t.id === m.templateId);
  return template ? { template, parameters: parametersOf(template, m.values, m.mediaLink) } : null;
}

/**
 * One message: the template, the value of each placeholder (text, a contact field, or a tracked
 * link) and its live preview for the sample contact. `name` tells variants apart ("" for the
 * campaign's only message, keeping its labels short).
 */
export function MessageEditor({
  name,
  templates,
  fields,
  contactId,
  value,
  onChange,
}: {
  name: string;
  templates: readonly Template[];
  fields: ReadonlyArray<{ value: string; label: string }>;
  contactId: string | undefined;
  value: MessageDraft;
  onChange: (m: MessageDraft) => void;
}) {
  const id = (s: string) => `${name || 'm'}-${s}`;
  const of = name ? ` of ${name}` : '';
  const built = messageParameters(value, templates);
  const template = built?.template;
  const slots = template ? slotsOf(template) : [];
  const previewInput = useDebounced(
    template && contactId ? { contactId, parameters: built.parameters } : null,
    300,
  );
  const preview = useTemplatePreview(template?.id, previewInput);
  const setValue = (key: string, v: string) =>
    onChange({ ...value, values: { ...value.values, [key]: v } });

  return (
    <>
      <div className="form-grid">
        <label htmlFor={id('template')}>Template{of}</label>
        <select
          id={id('template')}
          required
          value={value.templateId}
          onChange={(e) => onChange({ ...value, templateId: e.target.value, values: {} })}
        >
          <option value="">Choose an approved marketing template…</option>
          {templates.map((t) => (
            <option key={t.id} value={t.id}>
              {t.name} ({t.language})
            </option>
          ))}
        </select>
      </div>
      {template && (
        <div className="grid-2">
          <Section title={`Values of the placeholders${of}`}>
            {slots.length === 0 && <p className="hint">This template has no placeholders.</p>}
            {template.slots.headerMedia && template.slots.headerMedia !== 'LOCATION' && (
              <div className="slot">
                <label htmlFor={id('media')}>
                  Header {template.slots.headerMedia.toLowerCase()} link{of}
                </label>
                <input
                  id={id('media')}
                  type="url"
                  required
                  value={value.mediaLink}
                  onChange={(e) => onChange({ ...value, mediaLink: e.target.value })}
                />
              </div>
            )}
            {slots.map((s) => {
              const v = value.values[s.key] ?? '';
              return (
                <div className="slot" key={s.key}>
                  <label htmlFor={id(`slot-${s.key}`)}>
                    {s.label}
                    {of}
                  </label>
                  <div className="slot-inputs">
                    <input
                      id={id(`slot-${s.key}`)}
                      required
                      value={v}
                      placeholder="text, or a contact field"
                      onChange={(e) => setValue(s.key, e.target.value)}
                    />
                    <select
                      aria-label={`Contact field for ${s.label}${of}`}
                      value=""
                      onChange={(e) => setValue(s.key, e.target.value)}
                    >
                      <option value="">use a contact field…</option>
                      {fields.map((f) => (
                        <option key={f.value} value={f.value}>
                          {f.label}
                        </option>
                      ))}
                    </select>
                  </div>
                  <label className="inline hint">
                    <input
                      type="checkbox"
                      aria-label={`Track clicks on ${s.label}${of}`}
                      checked={isTrackedLink(v)}
                      onChange={(e) => setValue(s.key, withTracking(v, e.target.checked))}
                    />{' '}
                    Tracked link: a short link per recipient that counts clicks
                  </label>
                </div>
              );
            })}
          </Section>
          <Section title={`Preview${of}`}>
            {!contactId && (
              <p className="hint">Choose a target with contacts to preview for one of them.</p>
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
    </>
  );
}
