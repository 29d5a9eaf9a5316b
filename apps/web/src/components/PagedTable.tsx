import type { UseQueryResult } from '@tanstack/react-query';
import { DataTable, type Column } from './DataTable';
import { Pager, type useCursorPages } from './Pager';
import { QueryState } from './QueryState';

/**
 * A list page of the API (`{ data, nextCursor }`) as a table with Previous/Next: its loading
 * state, its error with the request id, its rows, and the pager.
 */
export function PagedTable<T>({
  query,
  pages,
  caption,
  columns,
  rowKey,
  empty,
}: {
  query: UseQueryResult<{ data: T[]; nextCursor: string | null }>;
  pages: ReturnType<typeof useCursorPages>;
  /** Names the table for assistive technology (not shown) and its pager. */
  caption: string;
  columns: ReadonlyArray<Column<T>>;
  rowKey: (row: T) => string;
  empty?: string;
}) {
  return (
    <QueryState query={query}>
      {(page) => (
        <>
          <DataTable<T>
            caption={caption}
            captionHidden
            rows={page.data}
            rowKey={rowKey}
            empty={empty}
            columns={columns}
          />
          <Pager pages={pages} nextCursor={page.nextCursor} label={`${caption}: pages`} />
        </>
      )}
    </QueryState>
  );
}
