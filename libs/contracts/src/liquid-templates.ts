import type { Liquid, Template } from 'liquidjs';
import { createLiquidEngine, LIQUID_LIMITS } from './liquid-engine';
import { hasMauticTokens, mauticTokensToLiquid, type TemplateKind } from './mautic-tokens';

const MAX_CACHED = 1_000;

/**
 * The one way content is parsed and rendered (senders, previews, test sends): Mautic's tokens
 * translated to Liquid first, then Liquid with the shared limits, HTML fields escaped. Parsed
 * templates are cached by source, so a campaign parses its content once per process.
 */
export class LiquidTemplates {
  private readonly engines: Record<TemplateKind, Liquid> = {
    text: createLiquidEngine(),
    html: createLiquidEngine({ html: true }),
  };
  private readonly parsed: Record<TemplateKind, Map<string, Template[]>> = { text: new Map(), html: new Map() };

  /** Text with no Liquid and no Mautic token, which renders as it is (and would be parsed for nothing). */
  isPlainText(source: string): boolean {
    return (
      source.length <= LIQUID_LIMITS.parseLimit &&
      !source.includes('{{') &&
      !source.includes('{%') &&
      !hasMauticTokens(source)
    );
  }

  /** Parses (or finds in the cache) the source; throws liquidjs's error when it does not parse. */
  parse(source: string, kind: TemplateKind): Template[] {
    const cache = this.parsed[kind];
    let templates = cache.get(source);
    if (!templates) {
      templates = this.engines[kind].parse(mauticTokensToLiquid(source, kind));
      if (cache.size >= MAX_CACHED) cache.delete(cache.keys().next().value as string);
      cache.set(source, templates);
    }
    return templates;
  }

  /** Renders parsed templates; throws liquidjs's error, the render limit's included. */
  renderParsed(
    templates: Template[],
    scope: Record<string, unknown>,
    kind: TemplateKind,
    renderLimit?: number,
  ): string {
    return String(this.engines[kind].renderSync(templates, scope, renderLimit ? { renderLimit } : {}));
  }

  /** Parses and renders; throws liquidjs's error. */
  render(source: string, scope: Record<string, unknown>, kind: TemplateKind): string {
    return this.isPlainText(source) ? source : this.renderParsed(this.parse(source, kind), scope, kind);
  }
}
