import { Module } from '@nestjs/common';
import { AudiencesModule } from '@app/audiences';
import { ConsentsModule } from '@app/consents';
import { AudiencesController } from './audiences.controller';
import { ContactsController } from '../contacts/contacts.controller';
import { ImportsController } from '../imports/imports.controller';
import { ConsentsController } from '../consents/consents.controller';
import { UploadBodyParsers } from '../imports/upload-body';

/** Routes for contacts, audiences, imports and consents, with the streaming upload parsers. */
@Module({
  imports: [AudiencesModule, ConsentsModule],
  controllers: [ContactsController, AudiencesController, ImportsController, ConsentsController],
  providers: [UploadBodyParsers],
})
export class AudiencesHttpModule {}
