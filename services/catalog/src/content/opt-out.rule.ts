import { Inject, Injectable } from '@nestjs/common';
import {
  hasSmsOptOut,
  hasUnsubscribeLink,
  UNSUBSCRIBE_URL_TAG,
  withSmsOptOut,
  withUnsubscribeFooterHtml,
  withUnsubscribeFooterText,
  type ContentType,
  type ErrorDetails,
} from '@switchboard/contracts';
import { SERVICE_CONFIG } from '@switchboard/service-kit';
import type { CatalogConfig } from '../catalog.config';
import { variantsOptOut } from './personalisation';

export type OptOutVerdict = { ok: true; fields: Record<string, unknown> } | { ok: false; errors: ErrorDetails };

const str = (value: unknown): string | undefined => (typeof value === 'string' && value.trim() ? value : undefined);

/**
 * DESIGN §7.2 with SB_STRICT_OPTOUT: published email content carries `{{ unsubscribe_url }}` (in
 * its HTML, its template, or its text when it has no HTML) and published SMS content an opt-out
 * (`{{ optout }}`, the opt-out text or STOP), or the save is refused — unless the request asks
 * `autoAppendOptOut`, and then the footer the senders would append is stored instead (also
 * without strict mode, where content is otherwise saved as it is and the senders append the
 * footer at send time).
 */
@Injectable()
export class OptOutRule {
  constructor(@Inject(SERVICE_CONFIG) private readonly config: CatalogConfig) {}

  /** Whether a save is checked: under SB_STRICT_OPTOUT, or when it asks for the footer. */
  applies(autoAppend: boolean): boolean {
    return this.config.optOut.strict || autoAppend;
  }

  check(
    type: ContentType,
    state: { isPublished: boolean; fields: Record<string, unknown> },
    options: { autoAppend: boolean; layout?: string },
  ): OptOutVerdict {
    const { fields } = state;
    if (!state.isPublished || !(this.config.optOut.strict || options.autoAppend)) return { ok: true, fields };
    switch (type) {
      case 'email':
        return this.email(fields, options);
      case 'sms':
        return this.sms(fields, options.autoAppend);
      case 'notification':
      case 'tweet':
      case 'inapp':
        return { ok: true, fields };
    }
  }

  /**
   * Whether a published email (its base and every variant) keeps its unsubscribe link when laid
   * out in `layout`: a template edit must not take away the link its published emails rely on.
   */
  keepsLinkIn(layout: string, fields: Record<string, unknown>): boolean {
    if (!this.config.optOut.strict) return true;
    const check = (own: Record<string, unknown>) =>
      this.check('email', { isPublished: true, fields: own }, { autoAppend: false, layout });
    return check(fields).ok && variantsOptOut(fields, check).ok;
  }

  private email(fields: Record<string, unknown>, options: { autoAppend: boolean; layout?: string }): OptOutVerdict {
    const html = str(fields.customHtml);
    const text = str(fields.plainText);
    // The HTML sent is the content's HTML (or its text as paragraphs) laid out in its template.
    const linked = hasUnsubscribeLink(options.layout) || (html ? hasUnsubscribeLink(html) : hasUnsubscribeLink(text));
    if (linked) return { ok: true, fields };
    if (!options.autoAppend) {
      return {
        ok: false,
        errors: {
          [html ? 'customHtml' : 'plainText']: [
            `Published email content needs an unsubscribe link: put ${UNSUBSCRIBE_URL_TAG} in it or in its template, or set autoAppendOptOut to add the footer.`,
          ],
        },
      };
    }
    const label = this.config.optOut.unsubscribeText;
    return {
      ok: true,
      fields: {
        ...fields,
        ...(html ? { customHtml: withUnsubscribeFooterHtml(html, UNSUBSCRIBE_URL_TAG, label) } : {}),
        ...(text ? { plainText: withUnsubscribeFooterText(text, UNSUBSCRIBE_URL_TAG, label) } : {}),
      },
    };
  }

  private sms(fields: Record<string, unknown>, autoAppend: boolean): OptOutVerdict {
    const message = str(fields.message) ?? '';
    const optOutText = this.config.optOut.smsText;
    if (hasSmsOptOut(message, optOutText)) return { ok: true, fields };
    if (!autoAppend) {
      return {
        ok: false,
        errors: {
          message: [
            `Published SMS content needs an opt-out: put {{ optout }} or "${optOutText}" in it, or set autoAppendOptOut to add it.`,
          ],
        },
      };
    }
    return { ok: true, fields: { ...fields, message: withSmsOptOut(message, optOutText) } };
  }
}
