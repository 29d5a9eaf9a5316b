import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn } from 'class-validator';
import type { FailedState } from '@app/webhooks';
import { AbsentOr } from '../http/absent-or';
import { ListRequest } from '../http/list.request';

export class WebhookEventListRequest extends ListRequest {
  @ApiPropertyOptional({
    enum: ['dead', 'failing'],
    default: 'dead',
    description:
      'dead: failed WEBHOOK_MAX_ATTEMPTS times, retried only by hand; failing: will be retried',
  })
  @AbsentOr()
  @IsIn(['dead', 'failing'])
  state: FailedState = 'dead';
}
