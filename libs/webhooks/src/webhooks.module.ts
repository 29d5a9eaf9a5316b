import {
  Module,
  type DynamicModule,
  type ModuleMetadata,
  type Provider,
  type Type,
} from '@nestjs/common';
import { CLOCK, SystemClock } from '@app/common';
import { MessageStatusesRepository } from './message-statuses.repository';
import { MessageStatusesService } from './message-statuses.service';
import { NoConsumer, WebhookConsumers } from './webhook-consumers';
import { WebhookEventWriter } from './webhook-event.writer';
import { WebhookEventsListener } from './webhook-events.listener';
import { WebhookEventsRepository } from './webhook-events.repository';
import { WebhookEventsService } from './webhook-events.service';
import { WebhookItemsRepository } from './webhook-items.repository';
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

/** A class exported by one of `imports` (resolved with useExisting) or a ready instance. */
type HandlerRef<T> = Type<T> | T;

export interface WebhooksModuleOptions {
  /** Modules that export the handler classes (campaigns, consents, templates). */
  imports?: ModuleMetadata['imports'];
  handlers?: {
    statusTransitions?: HandlerRef<StatusTransitionsHandler>;
    inboundMessages?: HandlerRef<InboundMessagesHandler>;
    templateEvents?: HandlerRef<TemplateEventsHandler>;
    userPreferences?: HandlerRef<UserPreferencesHandler>;
  };
}

function handlerProvider<T>(token: symbol, port: string, ref: HandlerRef<T> | undefined): Provider {
  if (ref === undefined) {
    return { provide: token, useValue: new NoConsumer(port) };
  }
  if (typeof ref === 'function') {
    return { provide: token, useExisting: ref };
  }
  return { provide: token, useValue: ref };
}

/**
 * Webhook ingestion. `forIngest()` is the API side (the group-commit writer behind
 * POST /webhooks/whatsapp); `forRoot({ imports, handlers })` is the worker side (draining the
 * journal and calling the consumers). A port without a handler logs a warning at start-up.
 */
@Module({})
export class WebhooksModule {
  static forIngest(): DynamicModule {
    return {
      module: WebhooksModule,
      providers: [WebhookEventsRepository, WebhookEventWriter],
      exports: [WebhookEventWriter],
    };
  }

  static forRoot(options: WebhooksModuleOptions = {}): DynamicModule {
    const h = options.handlers ?? {};
    return {
      module: WebhooksModule,
      imports: options.imports ?? [],
      providers: [
        WebhookEventsRepository,
        MessageStatusesRepository,
        MessageStatusesService,
        WebhookItemsRepository,
        WebhookConsumers,
        WebhookEventsService,
        WebhookEventsListener,
        { provide: CLOCK, useClass: SystemClock },
        handlerProvider(
          STATUS_TRANSITIONS_HANDLER,
          'STATUS_TRANSITIONS_HANDLER',
          h.statusTransitions,
        ),
        handlerProvider(INBOUND_MESSAGES_HANDLER, 'INBOUND_MESSAGES_HANDLER', h.inboundMessages),
        handlerProvider(TEMPLATE_EVENTS_HANDLER, 'TEMPLATE_EVENTS_HANDLER', h.templateEvents),
        handlerProvider(USER_PREFERENCES_HANDLER, 'USER_PREFERENCES_HANDLER', h.userPreferences),
      ],
      exports: [WebhookEventsService, WebhookEventsListener, MessageStatusesService],
    };
  }
}
