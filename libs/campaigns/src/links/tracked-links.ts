import { createHmac } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@app/config';
import { linkTargets, withLinks, type TemplateBindings } from '@app/templates';
import type { CampaignRecord } from '../campaigns.types';
import { decodeLinkToken, encodeLinkToken } from '../domain/link-token';

/** The bindings a message of this campaign is sent with: its variant's, or the campaign's own. */
export function bindingsOf(
  c: Pick<CampaignRecord, 'variants' | 'parameters'>,
  variant: string | null,
): TemplateBindings {
  return c.variants.find((v) => v.key === variant)?.parameters ?? c.parameters;
}

/** The key link tokens are signed with, derived from ENCRYPTION_KEY (64 hex characters). */
export function linkSigningKey(encryptionKeyHex: string): Buffer {
  return createHmac('sha256', Buffer.from(encryptionKeyHex, 'hex'))
    .update('mmlite tracked links v1')
    .digest();
}

/**
 * The engine's tracked links: `{{link:<target>}}` in a binding becomes, for each recipient's
 * message, `${PUBLIC_LINK_BASE_URL}/r/<token>` (its token alone in a URL button's suffix). The
 * token is signed with a key derived from ENCRYPTION_KEY, so the redirect needs no table of
 * tokens: it names the message and the link, whose target is in the campaign's bindings.
 */
@Injectable()
export class TrackedLinks {
  private readonly key: Buffer;
  readonly redirectPrefix: string;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.key = linkSigningKey(config.encryptionKey);
    this.redirectPrefix = `${config.links.publicBaseUrl}/r/`;
  }

  token(messageId: string, linkIndex: number): string {
    return encodeLinkToken(this.key, messageId, linkIndex);
  }

  decode(token: string): { messageId: string; linkIndex: number } | null {
    return decodeLinkToken(this.key, token);
  }

  /** One message's bindings, its links turned into its own short links. */
  forMessage(messageId: string, b: TemplateBindings): TemplateBindings {
    return withLinks(b, (i, form) => {
      const t = this.token(messageId, i);
      return form === 'token' ? t : this.redirectPrefix + t;
    });
  }

  /** For previews: what a recipient's link will look like. */
  forPreview(b: TemplateBindings): TemplateBindings {
    return withLinks(b, (_i, form) =>
      form === 'token' ? 'PREVIEW' : `${this.redirectPrefix}PREVIEW`,
    );
  }

  /** The links of a message (one per distinct target of its bindings), with their tokens. */
  linksOf(
    c: Pick<CampaignRecord, 'variants' | 'parameters'>,
    messageId: string,
    variant: string | null,
  ): Array<{ index: number; token: string; target: string }> {
    return linkTargets(bindingsOf(c, variant)).map((target, index) => ({
      index,
      token: this.token(messageId, index),
      target,
    }));
  }
}
