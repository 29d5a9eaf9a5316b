import { DomainError } from '@app/common';
import type { TemplateProblem } from './domain/validate-template';

export type TemplatesErrorCode =
  | 'TEMPLATE_NOT_FOUND'
  | 'TEMPLATE_INVALID'
  | 'TEMPLATE_EXISTS'
  | 'TEMPLATE_REJECTED_BY_GRAPH'
  | 'TEMPLATE_NOT_SUBMITTED'
  | 'TEMPLATE_NOT_EDITABLE';

export class TemplateNotFoundError extends DomainError<TemplatesErrorCode> {
  readonly code = 'TEMPLATE_NOT_FOUND';
  constructor(id: string) {
    super(`template ${id} not found`);
  }
}

/** What Meta would reject before review, one entry per field (same shape as validation errors). */
export class TemplateInvalidError extends DomainError<TemplatesErrorCode> {
  readonly code = 'TEMPLATE_INVALID';
  constructor(problems: TemplateProblem[]) {
    super(
      `template is not valid: ${problems.map((p) => p.field).join(', ')}`,
      problems.map((p) => ({ field: p.field, problems: [p.message] })),
    );
  }
}

export class TemplateExistsError extends DomainError<TemplatesErrorCode> {
  readonly code = 'TEMPLATE_EXISTS';
  constructor(name: string, language: string) {
    super(`a template named ${name} in ${language} already exists for this business account`);
  }
}

export class TemplateRejectedByGraphError extends DomainError<TemplatesErrorCode> {
  readonly code = 'TEMPLATE_REJECTED_BY_GRAPH';
}

export class TemplateNotSubmittedError extends DomainError<TemplatesErrorCode> {
  readonly code = 'TEMPLATE_NOT_SUBMITTED';
}

/** Meta edits only APPROVED, REJECTED and PAUSED templates (MMLITE §3.3). */
export class TemplateNotEditableError extends DomainError<TemplatesErrorCode> {
  readonly code = 'TEMPLATE_NOT_EDITABLE';
  constructor(id: string, status: string) {
    super(`template ${id} is ${status}: Meta edits only APPROVED, REJECTED and PAUSED templates`);
  }
}
