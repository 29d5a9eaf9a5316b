import { Injectable } from '@nestjs/common';
import { asWorkspaceId, decodeCursor, toPage, type Page, type WorkspaceId } from '@app/common';
import { Database, queryRows, type Sql } from '@app/db';
import { compileFilter, eligibleSql, SqlParams, type CapWindow } from './domain/compile-filter';
import type { FilterNode } from './domain/segment-filter';
import type { FrequencyCap, SegmentRecord } from './segments.types';

interface SegmentRow {
  id: string;
  workspace_id: string;
  name: string;
  filter: FilterNode;
  created_at: Date;
  updated_at: Date;
}

function toSegment(r: SegmentRow): SegmentRecord {
  return {
    id: r.id,
    workspaceId: asWorkspaceId(r.workspace_id),
    name: r.name,
    filter: r.filter,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

const SAMPLES = 20;

/** All SQL of segments and the frequency cap; counting runs the compiled filter on contacts. */
@Injectable()
export class SegmentsRepository {
  constructor(private readonly db: Database) {}

  async insert(ws: WorkspaceId, name: string, filter: FilterNode): Promise<SegmentRecord> {
    const rows = await queryRows<SegmentRow>(
      this.db,
      `INSERT INTO segments (workspace_id, name, filter) VALUES ($1, $2, $3) RETURNING *`,
      [ws, name, JSON.stringify(filter)],
    );
    return toSegment(rows[0] as SegmentRow);
  }

  async find(ws: WorkspaceId, id: string, tx: Sql = this.db): Promise<SegmentRecord | null> {
    const rows = await queryRows<SegmentRow>(
      tx,
      `SELECT * FROM segments WHERE workspace_id = $1 AND id = $2 AND deleted_at IS NULL`,
      [ws, id],
    );
    return rows[0] ? toSegment(rows[0]) : null;
  }

  async list(ws: WorkspaceId, limit: number, cursor?: string): Promise<Page<SegmentRecord>> {
    const c = cursor ? decodeCursor(cursor) : null;
    const rows = await queryRows<SegmentRow>(
      this.db,
      `SELECT * FROM segments
        WHERE workspace_id = $1 AND deleted_at IS NULL
          AND ($2::timestamptz IS NULL OR (created_at, id) > ($2, $3::uuid))
        ORDER BY created_at, id LIMIT $4`,
      [ws, c?.createdAt ?? null, c?.id ?? null, limit + 1],
    );
    return toPage(rows.map(toSegment), limit);
  }

  async update(
    ws: WorkspaceId,
    id: string,
    patch: { name?: string; filter?: FilterNode },
  ): Promise<SegmentRecord | null> {
    const rows = await queryRows<SegmentRow>(
      this.db,
      `UPDATE segments SET name = coalesce($3, name), filter = coalesce($4::jsonb, filter), updated_at = now()
        WHERE workspace_id = $1 AND id = $2 AND deleted_at IS NULL RETURNING *`,
      [ws, id, patch.name ?? null, patch.filter ? JSON.stringify(patch.filter) : null],
    );
    return rows[0] ? toSegment(rows[0]) : null;
  }

  /**
   * Deletes a segment that no unfinished campaign targets or excludes (returns how many do, and
   * deletes nothing then). Finished campaigns keep their row: the segment is only marked deleted.
   */
  async delete(ws: WorkspaceId, id: string): Promise<{ deleted: boolean; usedBy: number }> {
    return this.db.tx(async (tx) => {
      const found = await queryRows<{ id: string }>(
        tx,
        `SELECT id FROM segments WHERE workspace_id = $1 AND id = $2 AND deleted_at IS NULL FOR UPDATE`,
        [ws, id],
      );
      if (found.length === 0) {
        return { deleted: false, usedBy: 0 };
      }
      const used = await queryRows<{ n: number }>(
        tx,
        `SELECT count(*)::int AS n FROM campaigns
          WHERE workspace_id = $1 AND status IN ('draft', 'scheduled', 'running', 'paused')
            AND (segment_id = $2 OR exclude @> jsonb_build_array(jsonb_build_object('segmentId', $2::text)))`,
        [ws, id],
      );
      const usedBy = used[0]?.n ?? 0;
      if (usedBy > 0) {
        return { deleted: false, usedBy };
      }
      await tx.query(`UPDATE segments SET deleted_at = now() WHERE id = $1`, [id]);
      return { deleted: true, usedBy: 0 };
    });
  }

  /** The ids among these that are not audiences / campaigns of the workspace. */
  async unknownReferences(
    ws: WorkspaceId,
    audiences: readonly string[],
    campaigns: readonly string[],
  ): Promise<{ audiences: string[]; campaigns: string[] }> {
    const rows = await queryRows<{ kind: 'audience' | 'campaign'; id: string }>(
      this.db,
      `SELECT 'audience' AS kind, a.id::text FROM unnest($2::uuid[]) AS a(id)
        WHERE NOT EXISTS (SELECT 1 FROM audiences x WHERE x.id = a.id AND x.workspace_id = $1)
       UNION ALL
       SELECT 'campaign', k.id::text FROM unnest($3::uuid[]) AS k(id)
        WHERE NOT EXISTS (SELECT 1 FROM campaigns x WHERE x.id = k.id AND x.workspace_id = $1)`,
      [ws, audiences, campaigns],
    );
    return {
      audiences: rows.filter((r) => r.kind === 'audience').map((r) => r.id),
      campaigns: rows.filter((r) => r.kind === 'campaign').map((r) => r.id),
    };
  }

  /** How many contacts of the workspace match, how many of them are eligible, and a sample. */
  async count(
    ws: WorkspaceId,
    filter: FilterNode,
    ctx: { now: Date; usAreaCodes: readonly string[]; cap: CapWindow | null },
  ): Promise<{ count: number; eligible: number; sampleContactIds: string[] }> {
    const p = new SqlParams([ws]);
    const where = compileFilter(filter, p, { now: ctx.now });
    const eligible = eligibleSql(p, ctx.usAreaCodes, ctx.cap);
    const s = new SqlParams([ws]);
    const sampleWhere = compileFilter(filter, s, { now: ctx.now });
    const [counts, samples] = await Promise.all([
      queryRows<{ count: string; eligible: string }>(
        this.db,
        `SELECT count(*) AS count, count(*) FILTER (WHERE ${eligible}) AS eligible
           FROM contacts c WHERE c.workspace_id = $1 AND ${where}`,
        p.values,
      ),
      queryRows<{ id: string }>(
        this.db,
        `SELECT c.id FROM contacts c WHERE c.workspace_id = $1 AND ${sampleWhere}
          ORDER BY c.created_at DESC, c.id DESC LIMIT ${SAMPLES}`,
        s.values,
      ),
    ]);
    return {
      count: Number(counts[0]?.count ?? 0),
      eligible: Number(counts[0]?.eligible ?? 0),
      sampleContactIds: samples.map((r) => r.id),
    };
  }

  async frequencyCap(ws: WorkspaceId, tx: Sql = this.db): Promise<FrequencyCap | null> {
    const rows = await queryRows<{ max_messages: number; per_days: number }>(
      tx,
      `SELECT max_messages, per_days FROM frequency_caps WHERE workspace_id = $1`,
      [ws],
    );
    const r = rows[0];
    return r ? { maxMessages: r.max_messages, perDays: r.per_days } : null;
  }

  async setFrequencyCap(ws: WorkspaceId, cap: FrequencyCap | null): Promise<void> {
    if (cap === null) {
      await this.db.query(`DELETE FROM frequency_caps WHERE workspace_id = $1`, [ws]);
      return;
    }
    await this.db.query(
      `INSERT INTO frequency_caps (workspace_id, max_messages, per_days) VALUES ($1, $2, $3)
       ON CONFLICT (workspace_id) DO UPDATE
         SET max_messages = EXCLUDED.max_messages, per_days = EXCLUDED.per_days, updated_at = now()`,
      [ws, cap.maxMessages, cap.perDays],
    );
  }
}
