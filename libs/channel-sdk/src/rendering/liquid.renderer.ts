import type { Liquid, Template } from 'liquidjs';
import { createLiquidEngine, LIQUID_LIMITS, liquidErrorReason, type Dispatch } from '@switchboard/contracts';
import { DeliveryError } from '../provider/channel-provider';

/** Renders one content field for one contact. `html: true` escapes every output (contact values in HTML). */
export interface TemplateRenderer {
  render(source: string | null | undefined, options?: { html?: boolean }): string;
  /** What templates see: `contact` (the dispatch's fields, id, unsubscribe_url) and `unsubscribe_url`. */
  readonly scope: Record<string, unknown>;
}

const MAX_CACHED = 1_000;

/** Text without a Liquid tag or output, which Liquid would render as it is (and parse for nothing). */
function isPlainText(source: string): boolean {
  return source.length <= LIQUID_LIMITS.parseLimit && !source.includes('{{') && !source.includes('{%');
}

/**
 * Liquid (liquidjs) with parsed templates cached by source, so that a campaign renders its content
 * once per process and each contact only costs a render.
 */
export class LiquidRenderer {
  private readonly engines: Record<'text' | 'html', Liquid> = {
    text: createLiquidEngine(),
    html: createLiquidEngine({ html: true }),
  };
  private readonly parsed = { text: new Map<string, Template[]>(), html: new Map<string, Template[]>() };

  /** The renderer for one dispatch's contact. */
  /** `extra`: more names templates see (`incentive`). */
  forContact(dispatch: Dispatch, unsubscribeUrl: string, extra: Record<string, unknown> = {}): TemplateRenderer {
    const contact = { ...dispatch.contact.fields, id: dispatch.contact.id, unsubscribe_url: unsubscribeUrl };
    const scope = { ...extra, contact, unsubscribe_url: unsubscribeUrl };
    return {
      scope,
      render: (source, options = {}) => (source ? this.render(source, scope, options.html ? 'html' : 'text') : ''),
    };
  }

  render(source: string, scope: Record<string, unknown>, kind: 'text' | 'html' = 'text'): string {
    if (isPlainText(source)) return source;
    let templates: Template[];
    try {
      templates = this.parse(source, kind);
    } catch (error) {
      throw DeliveryError.permanent('template_error', `The content does not parse: ${liquidErrorReason(error)}`, error);
    }
    try {
      return String(this.engines[kind].renderSync(templates, scope));
    } catch (error) {
      throw DeliveryError.permanent(
        'template_error',
        `The content does not render: ${liquidErrorReason(error)}`,
        error,
      );
    }
  }

  private parse(source: string, kind: 'text' | 'html'): Template[] {
    const cache = this.parsed[kind];
    let templates = cache.get(source);
    if (!templates) {
      templates = this.engines[kind].parse(source);
      if (cache.size >= MAX_CACHED) cache.delete(cache.keys().next().value as string);
      cache.set(source, templates);
    }
    return templates;
  }
}
