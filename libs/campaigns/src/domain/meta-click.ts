// Meta's own click events (`user_actions`, `marketing_messages_link_click`, MMLITE §4.7): what one
// is, and how its tracking token names the campaign message it is about.

/** Where in the message the user clicked (`click_component`); null when Meta left it out. */
export type MetaClickComponent = 'cta' | 'body';

/** One link click Meta reported, normalized (webhooks' parser makes these). */
export interface MetaLinkClick {
  /** Meta's phone number id (`metadata.phone_number_id`) the message was sent from. */
  phoneNumberId: string;
  at: Date;
  component: MetaClickComponent | null;
  productId: string | null;
  /** Meta's id of the click, unique per click; also appended to the landing URL. */
  clickId: string;
  trackingToken: string | null;
  /** The webhook event (raw payload row) it came from. */
  eventId: string;
}

/** Our callback data (`callbackDataOf`): a campaign message id, `:n` after n manual retries. */
const CALLBACK_DATA = /^([0-9]{1,18})(?::[0-9]{1,4})?$/;

/**
 * The campaign message a click's tracking token names, when the token is the callback data we sent
 * with the message (`biz_opaque_callback_data`); null for any other token (Meta's own, a test
 * send's). Every retry of a message is the same message here: a click is about what the user saw.
 */
export function messageIdOfTrackingToken(token: string | null): string | null {
  const m = token === null ? null : CALLBACK_DATA.exec(token);
  return m ? (m[1] as string) : null;
}
