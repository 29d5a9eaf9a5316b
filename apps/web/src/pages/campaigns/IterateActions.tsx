// "Follow up" and "Retry failed" on the campaign page: each asks first, in a dialog.
import { useState } from 'react';
import { useNavigate } from 'react-router';
import { useRetryFailed } from '../../api/queries';
import type { Campaign, CampaignOutcome, CampaignReport } from '../../api/types';
import { ConfirmButton } from '../../components/ConfirmButton';
import { ErrorView } from '../../components/ErrorView';
import { formatCount, formatDateTime } from '../../lib/format';
import { OutcomeSelect } from '../segments/OutcomeSelect';

/** How the API's retry treats each error code (the report says which class a code is in). */
const RETRY_CLASS: Record<CampaignReport['failures'][number]['retry'], string> = {
  now: 'sent again at once',
  'after-24h-once': 'once, not before 24 h after the failure',
  never: 'never retried',
};

/** Outcomes exist once the target was resolved; retries once something failed (API rules). */
export const mayFollowUp = (c: Campaign): boolean => c.status !== 'draft' && c.startedAt !== null;
export const mayRetry = (c: Campaign): boolean =>
  c.counts.failed > 0 && ['running', 'paused', 'completed'].includes(c.status);

/** Opens the new-campaign form as a follow-up to the recipients with the chosen outcome. */
export function FollowUpButton({ campaign }: { campaign: Campaign }) {
  const navigate = useNavigate();
  const [outcome, setOutcome] = useState<CampaignOutcome>('delivered_not_read');
  return (
    <ConfirmButton
      label="Follow up"
      tone="plain"
      title={`Follow up on ${campaign.name}`}
      confirmLabel="Choose the message"
      onConfirm={() => void navigate(`/campaigns/new?followUp=${campaign.id}&outcome=${outcome}`)}
    >
      <label className="inline">
        Send to its recipients who{' '}
        <OutcomeSelect label="Follow-up outcome" value={outcome} onChange={setOutcome} />
      </label>
      <p>
        Next you choose the message (it starts from this one) and save a draft; nothing is sent
        until you launch it. Who has the outcome is decided when the follow-up starts.
      </p>
    </ConfirmButton>
  );
}

/**
 * Sends failed messages again by the class of their error (rate limits at once, 131049 once
 * after 24 h, permanent errors never), optionally only some error codes; shows what the API did.
 * The button shows while there are failures to retry; the answer stays after (the requeued
 * messages no longer count as failed).
 */
export function RetryButton({
  campaign,
  report,
}: {
  campaign: Campaign;
  report: CampaignReport | undefined;
}) {
  const retry = useRetryFailed(campaign.id);
  const [codes, setCodes] = useState<number[]>([]);
  const failures = (report?.failures ?? []).filter((f) => f.code !== 0);
  const r = retry.data;
  return (
    <>
      {mayRetry(campaign) && (
        <ConfirmButton
          label="Retry failed"
          tone="plain"
          title={`Retry the failed messages of ${campaign.name}?`}
          confirmLabel="Yes, retry"
          disabled={retry.isPending}
          onConfirm={() => retry.mutate(codes.length > 0 ? codes : undefined)}
        >
          <p>
            Failed messages are sent again with the same values, by the class of their error: rate
            limits at once, Meta&rsquo;s per-user marketing limit (131049) once and not before 24 h
            after the failure, permanent errors never. Never to who opted out since or got the
            message.
          </p>
          {failures.length > 0 && (
            <fieldset className="choices">
              <legend>Only these error codes (none ticked: every retryable one)</legend>
              {failures.map((f) => (
                <label key={f.code}>
                  <input
                    type="checkbox"
                    disabled={f.retry === 'never'}
                    checked={codes.includes(f.code)}
                    onChange={(e) =>
                      setCodes((l) =>
                        e.target.checked ? [...l, f.code] : l.filter((c) => c !== f.code),
                      )
                    }
                  />{' '}
                  {f.code} — {f.title ?? 'no title'} ({formatCount(f.count)}):{' '}
                  {RETRY_CLASS[f.retry]}
                </label>
              ))}
            </fieldset>
          )}
        </ConfirmButton>
      )}
      {retry.error && <ErrorView error={retry.error} title="Nothing was retried" />}
      {r && (
        <p className="notice retry-result" role="status">
          {formatCount(r.requeued)} requeued
          {r.notBefore && `, sent from ${formatDateTime(r.notBefore)}`}
          {Object.keys(r.notRetryable).length > 0 &&
            ` · not retried: ${Object.entries(r.notRetryable)
              .map(([code, n]) => `${formatCount(n)} × ${code}`)
              .join(', ')}`}
        </p>
      )}
    </>
  );
}
