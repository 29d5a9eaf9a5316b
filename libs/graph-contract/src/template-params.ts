/**
 * Placeholders of template text (`{{1}}`, `{{first_name}}`), in order of first appearance, without
 * duplicates: Meta counts a placeholder once even when the text repeats it (§2.2).
 */
export function templatePlaceholders(text: string | undefined): string[] {
  const out: string[] = [];
  if (!text) {
    return out;
  }
  for (const m of text.matchAll(/\{\{\s*([A-Za-z0-9_]+)\s*\}\}/g)) {
    const name = m[1] as string;
    if (!out.includes(name)) {
      out.push(name);
    }
  }
  return out;
}

/** Meta template names: lowercase letters, digits and `_`, at most 512 characters (§2.7). */
export function isValidTemplateName(name: unknown): name is string {
  return typeof name === 'string' && /^[a-z0-9_]{1,512}$/.test(name);
}

/** Language codes appear as `en_US` on create/list and `en-US` in some webhooks (§3.7): compare normalised. */
export function normalizeLanguage(code: string): string {
  return code.replace(/-/g, '_');
}
