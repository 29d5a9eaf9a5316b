import { useEffect, useState } from 'react';

/**
 * `value`, once it has stood still for `ms` (for live previews while the marketer types). Values
 * are compared by content (JSON), so a new object with the same fields does not restart the wait.
 */
export function useDebounced<T>(value: T, ms: number): T {
  const [settled, setSettled] = useState(value);
  const key = JSON.stringify(value);
  useEffect(() => {
    const t = setTimeout(() => setSettled(JSON.parse(key) as T), ms);
    return () => clearTimeout(t);
  }, [key, ms]);
  return settled;
}
