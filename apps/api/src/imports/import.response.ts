import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { ImportAccepted, ImportRecord } from '@app/audiences';

export class ImportAcceptedResponse {
  @ApiProperty() id!: string;
  @ApiProperty({ enum: ['queued', 'running', 'completed', 'failed'] }) status!: string;
}

class ImportRowError {
  @ApiProperty({ description: 'CSV record number; the header is row 1' }) row!: number;
  @ApiPropertyOptional() column?: string;
  @ApiProperty() reason!: string;
}

export class ImportResponse {
  @ApiProperty() id!: string;
  @ApiProperty() audienceId!: string;
  @ApiProperty({ enum: ['queued', 'running', 'completed', 'failed'] }) status!: string;
  @ApiProperty({ description: 'data rows read so far' }) totalRows!: number;
  @ApiProperty({ description: 'new contacts' }) created!: number;
  @ApiProperty({ description: 'existing contacts this import really changed' }) updated!: number;
  @ApiProperty({
    description: 'rows that changed nothing (already up to date, or merged duplicates)',
  })
  skipped!: number;
  @ApiProperty({ description: 'bad rows (see errors)' }) failed!: number;
  @ApiProperty({ type: [ImportRowError], description: 'first 1000 bad rows' })
  errors!: ImportRowError[];
  @ApiPropertyOptional({ description: 'why the whole import failed' }) failureReason?: string;
  @ApiProperty() byteSize!: number;
  @ApiProperty() createdAt!: string;
  @ApiProperty({ nullable: true, type: String }) startedAt!: string | null;
  @ApiProperty({ nullable: true, type: String }) finishedAt!: string | null;
}

export function toImportAcceptedResponse(a: ImportAccepted): ImportAcceptedResponse {
  return { id: a.id, status: a.status };
}

export function toImportResponse(i: ImportRecord): ImportResponse {
  return {
    id: i.id,
    audienceId: i.audienceId,
    status: i.status,
    totalRows: i.totalRows,
    created: i.created,
    updated: i.updated,
    skipped: i.skipped,
    failed: i.failed,
    errors: i.errors.map((e) => ({
      row: e.row,
      ...(e.column !== null ? { column: e.column } : {}),
      reason: e.reason,
    })),
    ...(i.failureReason !== null ? { failureReason: i.failureReason } : {}),
    byteSize: i.byteSize,
    createdAt: i.createdAt.toISOString(),
    startedAt: i.startedAt?.toISOString() ?? null,
    finishedAt: i.finishedAt?.toISOString() ?? null,
  };
}
