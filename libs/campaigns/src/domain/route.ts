// Which Graph endpoint a campaign's template goes to (MMLITE-2026 row 2). Pure.
/**
 * Where a campaign template goes by its current category: MARKETING to the MM API, UTILITY
 * (e.g. recategorised by Meta) to Cloud API; null for what no campaign may send (AUTHENTICATION).
 */
export function routeOf(t: { category: string }): 'marketing_messages' | 'messages' | null {
  switch (t.category) {
    case 'MARKETING':
      return 'marketing_messages';
    case 'UTILITY':
      return 'messages';
    default:
      return null;
  }
}
