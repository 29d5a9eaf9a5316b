import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { MessageStatusState } from './domain/message-status';
import { MessageStatusesRepository } from './message-statuses.repository';

/**
 * Read side for consumers: a status can arrive before the message it belongs to is known (the
 * send answer was slow or lost). When campaigns record a wamid, or reconcile by callback data,
 * they read what already arrived here and apply it.
 */
@Injectable()
export class MessageStatusesService {
  constructor(private readonly statuses: MessageStatusesRepository) {}

  findByWamids(wamids: readonly string[], em?: EntityManager): Promise<MessageStatusState[]> {
    return wamids.length === 0 ? Promise.resolve([]) : this.statuses.findByWamids(wamids, em);
  }

  findByCallbackData(
    callbackData: readonly string[],
    em?: EntityManager,
  ): Promise<MessageStatusState[]> {
    return callbackData.length === 0
      ? Promise.resolve([])
      : this.statuses.findByCallbackData(callbackData, em);
  }
}
