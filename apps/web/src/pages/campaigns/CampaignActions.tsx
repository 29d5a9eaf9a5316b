import type { ReactNode } from 'react';
import { useCampaignAction } from '../../api/queries';
import type { Campaign, CampaignAction } from '../../api/types';
import { ConfirmButton } from '../../components/ConfirmButton';
import { ErrorView } from '../../components/ErrorView';

const WHAT: Record<
  CampaignAction,
  { label: string; tone: 'primary' | 'danger' | 'plain'; explain: (c: Campaign) => ReactNode }
> = {
  launch: {
    label: 'Launch',
    tone: 'primary',
    explain: (c) =>
      c.scheduledAt && Date.parse(c.scheduledAt) > Date.now()
        ? 'It starts sending at its scheduled time, to everyone eligible then.'
        : 'It starts sending now, to every eligible member of its audience.',
  },
  pause: {
    label: 'Pause',
    tone: 'plain',
    explain: () =>
      'Nothing more is sent until you resume. Messages already with Meta are still delivered and counted.',
  },
  resume: {
    label: 'Resume',
    tone: 'primary',
    explain: () => 'Sending goes on with the recipients not sent to yet.',
  },
  cancel: {
    label: 'Cancel campaign',
    tone: 'danger',
    explain: () => 'Recipients not sent to yet will never get this message. This cannot be undone.',
  },
};

/** The buttons the campaign's status allows (the API says which), each behind a confirmation. */
export function CampaignActions({ campaign }: { campaign: Campaign }) {
  const action = useCampaignAction(campaign.id);
  return (
    <div className="campaign-actions">
      {campaign.actions.map((a) => (
        <ConfirmButton
          key={a}
          label={WHAT[a].label}
          tone={WHAT[a].tone}
          title={`${WHAT[a].label}: ${campaign.name}?`}
          confirmLabel={`Yes, ${WHAT[a].label.toLowerCase()}`}
          disabled={action.isPending}
          onConfirm={() => action.mutate(a)}
        >
          <p>{WHAT[a].explain(campaign)}</p>
        </ConfirmButton>
      ))}
      {action.error && <ErrorView error={action.error} title="The campaign did not change" />}
    </div>
  );
}
