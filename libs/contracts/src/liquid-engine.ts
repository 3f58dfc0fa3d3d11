import { Liquid, toValue, type Context, type Emitter, type Template } from 'liquidjs';

/**
 * The one set of Liquid limits: the catalog parses content on save, the gateway previews it and the
 * senders render it with the same engine, so what saves also renders and nothing renders forever.
 * Three nested loops over a 400-item array (64 M iterations) held the event loop for 20 s without
 * them; with `renderLimit` liquidjs checks the clock before every block and stops at 200 ms.
 */
export const LIQUID_LIMITS = {
  /** Characters of template source. */
  parseLimit: 1_000_000,
  /** Milliseconds one render may take (checked at every block, loop bodies included). */
  renderLimit: 200,
  /** Characters of output (and of `capture`d text), strings built by filters and array sizes, per render. */
  memoryLimit: 16_000_000,
} as const;

export interface LiquidEngineOptions {
  /** Escape every output (contact values inside HTML). */
  html?: boolean;
  /** Override `LIQUID_LIMITS.renderLimit` (ms), e.g. a smaller one in a test. */
  renderLimit?: number;
}

function stringify(value: unknown): string {
  const v: unknown = toValue(value);
  if (typeof v === 'string') return v;
  if (v === null || v === undefined) return '';
  if (Array.isArray(v)) return v.map(stringify).join('');
  return String(v);
}

/**
 * liquidjs charges `memoryLimit` for what filters build but not for what a template writes, so
 * `{% for %}{{ big }}{% endfor %}` grew without bound; this emitter charges every write.
 */
class ChargedEmitter implements Emitter {
  buffer = '';
  constructor(private readonly ctx: Context) {}
  write(html: unknown): void {
    const text = stringify(html);
    this.ctx.memoryLimit.use(text.length);
    this.buffer += text;
  }
}

/** A Liquid engine with the shared limits; never `new Liquid()` elsewhere. */
export function createLiquidEngine(options: LiquidEngineOptions = {}): Liquid {
  const engine = new Liquid({
    ...LIQUID_LIMITS,
    renderLimit: options.renderLimit ?? LIQUID_LIMITS.renderLimit,
    ownPropertyOnly: true,
    strictFilters: true,
    ...(options.html ? { outputEscape: 'escape' as const } : {}),
  });
  // A top-level render (and a `capture`) starts without an emitter; give it the charged one. The
  // renderer is public API (custom tags call it); liquidjs offers no option for an output cap.
  const { renderer } = engine;
  const renderTemplates = renderer.renderTemplates.bind(renderer);
  renderer.renderTemplates = (templates: Template[], ctx: Context, emitter?: Emitter) =>
    renderTemplates(templates, ctx, emitter ?? new ChargedEmitter(ctx));
  return engine;
}

/** The first line of a Liquid error: the reason without the template excerpt liquidjs appends. */
export function liquidErrorReason(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0];
}
