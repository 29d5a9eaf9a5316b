// Which inbound messages are marketing opt-outs (MMLITE §8): a whole-message STOP keyword, or a
// tap on a configured opt-out quick-reply button (Meta's native "Stop promotions" label is localized
// and arrives as the button's payload/text, not as an id we chose).

export interface OptOutRules {
  stopKeywords: readonly string[];
  optOutButtons: readonly string[];
}

export type OptOutReason = 'keyword' | 'button';

/**
 * Case-, accent-width- and space-insensitive form: NFKC, upper case, whitespace removed, and
 * punctuation at either end dropped ("  Stop! " and "s t o p" both read "STOP").
 */
export function normalizeKeyword(text: string): string {
  return text
    .normalize('NFKC')
    .toLocaleUpperCase('en-US')
    .replace(/\s+/gu, '')
    .replace(/^[\p{P}\p{S}]+|[\p{P}\p{S}]+$/gu, '');
}

export interface CompiledOptOutRules {
  keywords: ReadonlySet<string>;
  buttons: ReadonlySet<string>;
}

export function compileOptOutRules(rules: OptOutRules): CompiledOptOutRules {
  const set = (list: readonly string[]): Set<string> =>
    new Set(list.map(normalizeKeyword).filter((k) => k.length > 0));
  return { keywords: set(rules.stopKeywords), buttons: set(rules.optOutButtons) };
}

/** A message's text (typed text) and button (payload and label) as far as the rules need them. */
export interface OptOutInput {
  text: string | null;
  buttonPayload: string | null;
  buttonText: string | null;
}

export function optOutReasonOf(msg: OptOutInput, rules: CompiledOptOutRules): OptOutReason | null {
  if (msg.text !== null && rules.keywords.has(normalizeKeyword(msg.text))) {
    return 'keyword';
  }
  for (const label of [msg.buttonPayload, msg.buttonText]) {
    if (label === null) {
      continue;
    }
    const key = normalizeKeyword(label);
    if (rules.buttons.has(key)) {
      return 'button';
    }
    // A custom quick reply labelled "STOP" means the same as typing it.
    if (rules.keywords.has(key)) {
      return 'button';
    }
  }
  return null;
}
