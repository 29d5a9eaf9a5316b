import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import {
  INBOUND_MESSAGES_HANDLER,
  STATUS_TRANSITIONS_HANDLER,
  TEMPLATE_EVENTS_HANDLER,
  USER_PREFERENCES_HANDLER,
  type InboundMessagesHandler,
  type StatusTransitionsHandler,
  type TemplateEventsHandler,
  type UserPreferencesHandler,
} from './webhooks.ports';

/** Stands in for a port nobody implements yet: items stay in our own tables, nothing else happens. */
export class NoConsumer
  implements
    StatusTransitionsHandler,
    InboundMessagesHandler,
    TemplateEventsHandler,
    UserPreferencesHandler
{
  constructor(readonly port: string) {}

  async onTransitions(): Promise<void> {}
  async onInbound(): Promise<void> {}
  async onTemplateEvents(): Promise<void> {}
  async onUserPreferences(): Promise<void> {}
}

/** The four ports in one place, so the batch service depends on one thing. */
@Injectable()
export class WebhookConsumers implements OnModuleInit {
  private readonly logger = new Logger(WebhookConsumers.name);

  constructor(
    @Inject(STATUS_TRANSITIONS_HANDLER) readonly statusTransitions: StatusTransitionsHandler,
    @Inject(INBOUND_MESSAGES_HANDLER) readonly inboundMessages: InboundMessagesHandler,
    @Inject(TEMPLATE_EVENTS_HANDLER) readonly templateEvents: TemplateEventsHandler,
    @Inject(USER_PREFERENCES_HANDLER) readonly userPreferences: UserPreferencesHandler,
  ) {}

  onModuleInit(): void {
    for (const handler of [
      this.statusTransitions,
      this.inboundMessages,
      this.templateEvents,
      this.userPreferences,
    ]) {
      if (handler instanceof NoConsumer) {
        this.logger.warn(
          `no consumer registered for ${handler.port}: webhook items of that kind are kept in the webhooks tables only`,
        );
      }
    }
  }
}
