import { useMemo } from 'react';
import { useParams } from 'react-router';
import { useTemplate, useTemplatePreview } from '../../api/queries';
import type { Template } from '../../api/types';
import { ErrorView } from '../../components/ErrorView';
import { QueryState } from '../../components/QueryState';
import { PageHeader, Section, Stat, Stats, StatusBadge } from '../../components/bits';
import { formatDateTime, humanize } from '../../lib/format';
import { TemplateBubble } from './TemplateBubble';
import { buttonLabels, componentText, exampleParameters } from './template-examples';

export default function TemplatePage() {
  const { id = '' } = useParams();
  const template = useTemplate(id);
  return <QueryState query={template}>{(t) => <TemplateView t={t} />}</QueryState>;
}

function TemplateView({ t }: { t: Template }) {
  const input = useMemo(() => ({ attributes: {}, parameters: exampleParameters(t) }), [t]);
  const preview = useTemplatePreview(t.id, input);
  const p = preview.data;
  return (
    <>
      <PageHeader
        title={
          <>
            {t.name} <StatusBadge status={t.status} />
          </>
        }
      />
      <Stats label="Template">
        <Stat label="Language" value={t.language} />
        <Stat label="Category" value={humanize(t.category.toLowerCase())} />
        <Stat
          label="Quality"
          value={t.qualityScore ? humanize(t.qualityScore.toLowerCase()) : '—'}
        />
        <Stat label="Status since" value={formatDateTime(t.statusChangedAt)} />
        <Stat label="Meta's id" value={t.metaTemplateId ?? '—'} />
      </Stats>
      {t.status === 'REJECTED' && (
        <div className="error" role="alert">
          <strong>Rejected by Meta</strong>
          <p>{t.rejectedReason ? humanize(t.rejectedReason.toLowerCase()) : 'No reason given.'}</p>
          {t.rejectionInfo !== null && t.rejectionInfo !== undefined && (
            <pre>{JSON.stringify(t.rejectionInfo, null, 2)}</pre>
          )}
        </div>
      )}
      <div className="grid-2">
        <Section title="Preview with the template's examples">
          {preview.error && <ErrorView error={preview.error} title="No preview" />}
          {p?.rendered ? (
            <TemplateBubble
              header={p.header ?? null}
              body={p.body ?? ''}
              footer={p.footer ?? null}
              buttons={(p.buttons ?? []).map((b) => b.text)}
            />
          ) : (
            <TemplateBubble
              header={componentText(t, 'HEADER')}
              body={componentText(t, 'BODY') ?? ''}
              footer={componentText(t, 'FOOTER')}
              buttons={buttonLabels(t)}
            />
          )}
        </Section>
        <Section title="What a campaign fills in">
          {t.slots.header.length + t.slots.body.length + t.slots.buttons.length === 0 &&
          !t.slots.headerMedia ? (
            <p className="hint">Nothing: this template has no placeholders.</p>
          ) : (
            <ul className="slots">
              {t.slots.headerMedia && <li>Header {t.slots.headerMedia.toLowerCase()}</li>}
              {t.slots.header.map((n) => (
                <li key={`h${n}`}>
                  Header <code>{`{{${n}}}`}</code>
                </li>
              ))}
              {t.slots.body.map((n) => (
                <li key={`b${n}`}>
                  Body <code>{`{{${n}}}`}</code>
                </li>
              ))}
              {t.slots.buttons.map((b) => (
                <li key={`x${b.index}`}>
                  Button {b.index + 1} ({b.type === 'URL' ? 'link suffix' : 'code'})
                </li>
              ))}
            </ul>
          )}
        </Section>
      </div>
    </>
  );
}
