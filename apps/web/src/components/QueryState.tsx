import type { ReactNode } from 'react';
import type { UseQueryResult } from '@tanstack/react-query';
import { ErrorView } from './ErrorView';

/**
 * Renders a query's data, or its loading state, or its error (with the request id). A failed
 * refetch keeps showing the data it had, with the error above it.
 */
export function QueryState<T>({
  query,
  children,
  label = 'Loading…',
}: {
  query: UseQueryResult<T>;
  children: (data: T) => ReactNode;
  label?: string;
}) {
  if (query.data !== undefined) {
    return (
      <>
        {query.error && <ErrorView error={query.error} title="Could not refresh" />}
        {children(query.data)}
      </>
    );
  }
  if (query.error) {
    return <ErrorView error={query.error} />;
  }
  return (
    <p className="loading" aria-busy="true">
      {label}
    </p>
  );
}
