import { Injectable } from '@nestjs/common';
import { Database, queryRows } from '@app/db';
import { compileFilter, SqlParams } from '@app/segments';
import { boundValuesSql, type SnapshotSpec } from './campaigns.repository';

/** The target, as far as bindings matter: its opted-in contacts (the others are skipped anyway). */
function targetSql(
  s: Pick<SnapshotSpec, 'workspaceId' | 'filter' | 'referenceAt'>,
  p: SqlParams,
): string {
  const where = compileFilter(s.filter, p, { now: s.referenceAt });
  return `SELECT c.* FROM contacts c
           WHERE c.workspace_id = $1 AND ${where} AND c.consent_status = 'opted_in'`;
}

/** The SQL of the plan's binding checks (see CheckBindings). */
@Injectable()
export class BindingScanRepository {
  constructor(private readonly db: Database) {}

  /**
   * One pass over the target's opted-in contacts: how many there are, and how many lack each
   * bound field (blank counts as missing, as in the snapshot's skipReasonSql).
   */
  async fieldGaps(
    s: Pick<SnapshotSpec, 'workspaceId' | 'filter' | 'referenceAt' | 'boundPaths'>,
  ): Promise<{ checked: number; missing: Map<string, number> }> {
    const p = new SqlParams([s.workspaceId]);
    const target = targetSql(s, p);
    const paths = p.add(JSON.stringify(s.boundPaths), 'jsonb');
    const rows = await queryRows<{ path: string | null; n: string }>(
      this.db,
      `WITH t AS (${target})
       SELECT NULL AS path, count(*) AS n FROM t
       UNION ALL
       SELECT array_to_string(ARRAY(SELECT jsonb_array_elements_text(bp)), '.') AS path,
              count(*) FILTER (WHERE coalesce(btrim(CASE bp->>0
                                 WHEN 'locale' THEN c.locale
                                 WHEN 'timezone' THEN c.timezone
                                 WHEN 'phone' THEN c.phone
                                 ELSE c.attributes #>> ARRAY(SELECT jsonb_array_elements_text(bp) OFFSET 1)
                               END), '') = '') AS n
         FROM t c CROSS JOIN jsonb_array_elements(${paths}) bp
        GROUP BY 1`,
      p.values,
    );
    const missing = new Map<string, number>();
    let checked = 0;
    for (const r of rows) {
      if (r.path === null) {
        checked = Number(r.n);
      } else {
        missing.set(r.path, Number(r.n));
      }
    }
    return { checked, missing };
  }

  /** A page of the target's opted-in contacts with their bound values, in id order after `afterId`. */
  async boundValuesPage(
    s: Pick<SnapshotSpec, 'workspaceId' | 'filter' | 'referenceAt' | 'boundPaths'>,
    afterId: string | null,
    limit: number,
  ): Promise<Array<{ id: string; phone: string; bound: Record<string, unknown> | null }>> {
    const p = new SqlParams([s.workspaceId]);
    const target = targetSql(s, p);
    const paths = p.add(JSON.stringify(s.boundPaths), 'jsonb');
    const after = p.add(afterId, 'uuid');
    const n = p.add(limit, 'int');
    return queryRows(
      this.db,
      `SELECT c.id, c.phone, ${boundValuesSql(paths)} AS bound
         FROM (${target}) c
        WHERE ${after} IS NULL OR c.id > ${after}
        ORDER BY c.id LIMIT ${n}`,
      p.values,
    );
  }
}
