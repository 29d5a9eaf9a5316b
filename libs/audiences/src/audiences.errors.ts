import { DomainError } from '@app/common';

export type AudiencesErrorCode =
  | 'CONTACT_NOT_FOUND'
  | 'AUDIENCE_NOT_FOUND'
  | 'IMPORT_NOT_FOUND'
  | 'INVALID_PHONE'
  | 'INVALID_IMPORT_OPTIONS'
  | 'IMPORT_TOO_LARGE'
  | 'IMPORT_UPLOAD_INVALID';

export class ContactNotFoundError extends DomainError<AudiencesErrorCode> {
  readonly code = 'CONTACT_NOT_FOUND';
  constructor(id: string) {
    super(`contact ${id} not found`);
  }
}

export class AudienceNotFoundError extends DomainError<AudiencesErrorCode> {
  readonly code = 'AUDIENCE_NOT_FOUND';
  constructor(id: string) {
    super(`audience ${id} not found`);
  }
}

export class ImportNotFoundError extends DomainError<AudiencesErrorCode> {
  readonly code = 'IMPORT_NOT_FOUND';
  constructor(id: string) {
    super(`import ${id} not found`);
  }
}

export class InvalidPhoneError extends DomainError<AudiencesErrorCode> {
  readonly code = 'INVALID_PHONE';
  constructor(phone: string, reason: string) {
    super(`${reason}: "${phone}"`, { phone, reason });
  }
}

export class InvalidImportOptionsError extends DomainError<AudiencesErrorCode> {
  readonly code = 'INVALID_IMPORT_OPTIONS';
  constructor(problems: string[]) {
    super(`invalid import options: ${problems.join('; ')}`, problems);
  }
}

export class ImportTooLargeError extends DomainError<AudiencesErrorCode> {
  readonly code = 'IMPORT_TOO_LARGE';
  constructor(maxBytes: number) {
    super(`the upload is larger than ${maxBytes} bytes (IMPORT_MAX_BYTES)`);
  }
}

/** The request did not carry a file we can read (no `file` field, aborted upload, …). */
export class ImportUploadInvalidError extends DomainError<AudiencesErrorCode> {
  readonly code = 'IMPORT_UPLOAD_INVALID';
}
