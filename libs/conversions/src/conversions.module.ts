import { Module } from '@nestjs/common';
import { AccountsModule } from '@app/accounts';
import { IdempotencyModule } from '@app/idempotency';
import { ConversionsRepository } from './conversions.repository';
import { ConversionsService } from './conversions.service';
import { TemplateInsightsRepository } from './template-insights.repository';
import { TemplateInsightsService } from './template-insights.service';

@Module({
  imports: [AccountsModule, IdempotencyModule],
  providers: [
    ConversionsRepository,
    ConversionsService,
    TemplateInsightsRepository,
    TemplateInsightsService,
  ],
  exports: [ConversionsService, TemplateInsightsService],
})
export class ConversionsModule {}
