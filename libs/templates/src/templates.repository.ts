import { Database, type Sql, queryRows } from '@app/db';
import { Injectable } from '@nestjs/common';
import { asWorkspaceId, decodeCursor, toPage, type Page, type WorkspaceId } from '@app/common';
import type { TemplateStatus } from './domain/template-model';
import type { StoppedTemplate, TemplateRecord } from './templates.types';

interface TemplateRow {
  id: string;
  workspace_id: string;
  business_account_id: string;
  meta_template_id: string | null;
  name: string;
  language: string;
  category: string;
  previous_category: string | null;
  parameter_format: 'positional' | 'named';
  components: TemplateRecord['components'];
  message_send_ttl_seconds: number | null;
  status: TemplateStatus;
  rejected_reason: string | null;
  rejection_info: unknown;
  quality_score: string | null;
  status_changed_at: Date;
  created_at: Date;
  updated_at: Date;
}

function toRecord(r: TemplateRow): TemplateRecord {
  return {
    id: r.id,
    workspaceId: asWorkspaceId(r.workspace_id),
    businessAccountId: r.business_account_id,
    metaTemplateId: r.meta_template_id,
    name: r.name,
    language: r.language,
    category: r.category as TemplateRecord['category'],
    previousCategory: r.previous_category,
    parameterFormat: r.parameter_format,
    components: r.components,
    messageSendTtlSeconds: r.message_send_ttl_seconds,
    status: r.status,
    // Meta writes "NONE" as the reason of a template that was not rejected.
    rejectedReason: r.rejected_reason === 'NONE' ? null : r.rejected_reason,
    rejectionInfo: r.rejection_info,
    qualityScore: r.quality_score,
    statusChangedAt: r.status_changed_at,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

export interface TemplateUpsert {
  metaTemplateId: string | null;
  name: string;
  language: string;
  category: string;
  parameterFormat: 'positional' | 'named';
  components: unknown;
  messageSendTtlSeconds: number | null;
  status: TemplateStatus;
  rejectedReason: string | null;
  qualityScore: string | null;
}

@Injectable()
export class TemplatesRepository {
  constructor(private readonly db: Database) {}

  /** Null when the account already holds that name+language or that Meta id (unique keys). */
  async insert(
    ws: WorkspaceId,
    accountId: string,
    t: TemplateUpsert,
  ): Promise<TemplateRecord | null> {
    const rows = await queryRows<TemplateRow>(
      this.db,
      `INSERT INTO templates (workspace_id, business_account_id, meta_template_id, name, language, category,
         parameter_format, components, message_send_ttl_seconds, status, rejected_reason, quality_score)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) ON CONFLICT DO NOTHING RETURNING *`,
      [
        ws,
        accountId,
        t.metaTemplateId,
        t.name,
        t.language,
        t.category,
        t.parameterFormat,
        JSON.stringify(t.components),
        t.messageSendTtlSeconds,
        t.status,
        t.rejectedReason,
        t.qualityScore,
      ],
    );
    return rows[0] ? toRecord(rows[0]) : null;
  }

  /** Inserts or refreshes many templates of one account; returns how many were new. */
  async upsertMany(
    ws: WorkspaceId,
    accountId: string,
    list: TemplateUpsert[],
  ): Promise<{ created: number; updated: number }> {
    if (list.length === 0) {
      return { created: 0, updated: 0 };
    }
    const rows = await queryRows<{ inserted: boolean }>(
      this.db,
      `INSERT INTO templates (workspace_id, business_account_id, meta_template_id, name, language, category,
         parameter_format, components, message_send_ttl_seconds, status, rejected_reason, quality_score)
       SELECT $1, $2, t.* FROM unnest($3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::jsonb[],
         $9::int[], $10::text[], $11::text[], $12::text[]) AS t
       ON CONFLICT (business_account_id, name, language) DO UPDATE SET
         meta_template_id = EXCLUDED.meta_template_id,
         category = EXCLUDED.category,
         parameter_format = EXCLUDED.parameter_format,
         components = EXCLUDED.components,
         message_send_ttl_seconds = EXCLUDED.message_send_ttl_seconds,
         status = EXCLUDED.status,
         status_changed_at = CASE WHEN templates.status IS DISTINCT FROM EXCLUDED.status
                                  THEN now() ELSE templates.status_changed_at END,
         rejected_reason = EXCLUDED.rejected_reason,
         quality_score = coalesce(EXCLUDED.quality_score, templates.quality_score),
         updated_at = now()
       RETURNING (xmax = 0) AS inserted`,
      [
        ws,
        accountId,
        list.map((t) => t.metaTemplateId),
        list.map((t) => t.name),
        list.map((t) => t.language),
        list.map((t) => t.category),
        list.map((t) => t.parameterFormat),
        list.map((t) => JSON.stringify(t.components)),
        list.map((t) => t.messageSendTtlSeconds),
        list.map((t) => t.status),
        list.map((t) => t.rejectedReason),
        list.map((t) => t.qualityScore),
      ],
    );
    const created = rows.filter((r) => r.inserted).length;
    return { created, updated: rows.length - created };
  }

  async find(ws: WorkspaceId, id: string): Promise<TemplateRecord | null> {
    const rows = await queryRows<TemplateRow>(
      this.db,
      `SELECT * FROM templates WHERE workspace_id = $1 AND id = $2`,
      [ws, id],
    );
    return rows[0] ? toRecord(rows[0]) : null;
  }

  async exists(accountId: string, name: string, language: string): Promise<boolean> {
    const rows = await queryRows<{ one: number }>(
      this.db,
      `SELECT 1 AS one FROM templates WHERE business_account_id = $1 AND name = $2 AND language = $3
         AND status NOT IN ('DELETED', 'PENDING_DELETION')`,
      [accountId, name, language],
    );
    return rows.length > 0;
  }

  async list(
    ws: WorkspaceId,
    limit: number,
    cursor: string | undefined,
    filter: { businessAccountId?: string; status?: string },
  ): Promise<Page<TemplateRecord>> {
    const c = cursor ? decodeCursor(cursor) : null;
    const rows = await queryRows<TemplateRow>(
      this.db,
      `SELECT * FROM templates
        WHERE workspace_id = $1 AND ($2::timestamptz IS NULL OR (created_at, id) > ($2, $3::uuid))
          AND ($5::uuid IS NULL OR business_account_id = $5) AND ($6::text IS NULL OR status = $6)
        ORDER BY created_at, id LIMIT $4`,
      [
        ws,
        c?.createdAt ?? null,
        c?.id ?? null,
        limit + 1,
        filter.businessAccountId ?? null,
        filter.status ?? null,
      ],
    );
    return toPage(rows.map(toRecord), limit);
  }

  async setStatus(
    ws: WorkspaceId,
    id: string,
    status: TemplateStatus,
  ): Promise<TemplateRecord | null> {
    const rows = await queryRows<TemplateRow>(
      this.db,
      `UPDATE templates SET status = $3, status_changed_at = now(), updated_at = now()
        WHERE workspace_id = $1 AND id = $2 RETURNING *`,
      [ws, id, status],
    );
    return rows[0] ? toRecord(rows[0]) : null;
  }

  /**
   * Applies a status event to every template with that Meta id (the same WABA may be registered in
   * more than one workspace). Returns the rows whose status really changed.
   */
  async applyStatus(
    tx: Sql,
    metaTemplateId: string,
    status: TemplateStatus,
    reason: string | null,
    rejectionInfo: unknown,
  ): Promise<StoppedTemplate[]> {
    const rows = await queryRows<{
      id: string;
      workspace_id: string;
      status: TemplateStatus;
      rejected_reason: string | null;
    }>(
      tx,
      `UPDATE templates SET status = $2, rejected_reason = $3, rejection_info = $4::jsonb,
              status_changed_at = now(), updated_at = now()
        WHERE meta_template_id = $1 AND status IS DISTINCT FROM $2
        RETURNING id, workspace_id, status, rejected_reason`,
      [
        metaTemplateId,
        status,
        reason,
        rejectionInfo === undefined ? null : JSON.stringify(rejectionInfo),
      ],
    );
    return rows.map((r) => ({
      templateId: r.id,
      workspaceId: asWorkspaceId(r.workspace_id),
      status: r.status,
      reason: r.rejected_reason,
    }));
  }

  async applyQuality(tx: Sql, metaTemplateId: string, score: string): Promise<void> {
    await tx.query(
      `UPDATE templates SET quality_score = $2, updated_at = now() WHERE meta_template_id = $1`,
      [metaTemplateId, score],
    );
  }

  /** A TTL set through the API (already accepted by Meta). */
  async setTtl(ws: WorkspaceId, id: string, ttl: number | null): Promise<TemplateRecord | null> {
    const rows = await queryRows<TemplateRow>(
      this.db,
      `UPDATE templates SET message_send_ttl_seconds = $3, updated_at = now()
        WHERE workspace_id = $1 AND id = $2 RETURNING *`,
      [ws, id, ttl],
    );
    return rows[0] ? toRecord(rows[0]) : null;
  }

  /** Meta's automatic re-categorisation clears the TTL (MMLITE §1.6). */
  async applyCategory(
    tx: Sql,
    metaTemplateId: string,
    category: string,
    previous: string | null,
  ): Promise<void> {
    await tx.query(
      `UPDATE templates SET previous_category = coalesce($3, category), category = $2,
              message_send_ttl_seconds = CASE WHEN category IS DISTINCT FROM $2 THEN NULL
                                              ELSE message_send_ttl_seconds END,
              updated_at = now()
        WHERE meta_template_id = $1`,
      [metaTemplateId, category, previous],
    );
  }
}
