import type { Template } from 'liquidjs';
import { LIQUID_LIMITS, LiquidTemplates, liquidErrorReason, type Dispatch } from '@switchboard/contracts';
import { DeliveryError } from '../provider/channel-provider';

/** Renders one content field for one contact. `html: true` escapes every output (contact values in HTML). */
export interface TemplateRenderer {
  render(source: string | null | undefined, options?: { html?: boolean }): string;
  /** What templates see: `contact` (the dispatch's fields, id, unsubscribe_url) and `unsubscribe_url`. */
  readonly scope: Record<string, unknown>;
  /** The same renderer with more names in scope (an email's rendered `subject`, for `{subject}`). */
  with(names: Record<string, unknown>): TemplateRenderer;
}

/** The code of a render that hit the time limit because the process was starved of CPU: transient. */
export const RENDER_STALLED = 'render_stalled';

/** The wall-clock time a render stalled by the machine gets on its second try. */
const STALLED_RENDER_MS = 5_000;

/**
 * Content rendered for one dispatch through the shared `LiquidTemplates` (Mautic's tokens and
 * Liquid, parsed once per process), with a sender's errors: a template error is permanent, a
 * render starved of CPU transient.
 */
export class LiquidRenderer {
  private readonly templates = new LiquidTemplates();

  /** The renderer for one dispatch's contact. */
  /** `extra`: more names templates see (`incentive`). */
  forContact(dispatch: Dispatch, unsubscribeUrl: string, extra: Record<string, unknown> = {}): TemplateRenderer {
    const contact = { ...dispatch.contact.fields, id: dispatch.contact.id, unsubscribe_url: unsubscribeUrl };
    return this.rendererFor({ ...extra, contact, unsubscribe_url: unsubscribeUrl });
  }

  private rendererFor(scope: Record<string, unknown>): TemplateRenderer {
    return {
      scope,
      render: (source, options = {}) => (source ? this.render(source, scope, options.html ? 'html' : 'text') : ''),
      with: (names) => this.rendererFor({ ...scope, ...names }),
    };
  }

  render(source: string, scope: Record<string, unknown>, kind: 'text' | 'html' = 'text'): string {
    if (this.templates.isPlainText(source)) return source;
    let templates: Template[];
    try {
      templates = this.templates.parse(source, kind);
    } catch (error) {
      throw DeliveryError.permanent('template_error', `The content does not parse: ${liquidErrorReason(error)}`, error);
    }
    // Liquid's render limit is wall-clock time. A render that reaches it while this process got
    // less than half a core was stalled by the machine, not necessarily by the template (seen in the
    // chaos suite at a load average of 17 on 2 cores: a one-line SMS failed after 200 ms). Such a
    // render is tried once more for up to STALLED_RENDER_MS; it is a permanent error when it used
    // the limit's worth of CPU, and a transient one when the machine starved it again.
    let result = this.renderTimed(templates, scope, kind, LIQUID_LIMITS.renderLimit);
    if ('error' in result && result.cpuMs < LIQUID_LIMITS.renderLimit / 2) {
      result = this.renderTimed(templates, scope, kind, STALLED_RENDER_MS);
      if ('error' in result) result.stalled = result.cpuMs < LIQUID_LIMITS.renderLimit;
    }
    if (!('error' in result)) return result.output;
    if (result.stalled)
      throw DeliveryError.transient(
        RENDER_STALLED,
        `The content took ${Math.round(result.wallMs)} ms to render but only ${Math.round(result.cpuMs)} ms of CPU: the process was starved, not the template slow`,
        result.error,
      );
    throw DeliveryError.permanent(
      'template_error',
      `The content does not render: ${liquidErrorReason(result.error)}`,
      result.error,
    );
  }

  private renderTimed(
    templates: Template[],
    scope: Record<string, unknown>,
    kind: 'text' | 'html',
    renderLimit: number,
  ): { output: string } | { error: unknown; stalled: boolean; wallMs: number; cpuMs: number } {
    const startedAt = performance.now();
    const cpuBefore = process.cpuUsage();
    try {
      return { output: this.templates.renderParsed(templates, scope, kind, renderLimit) };
    } catch (error) {
      const wallMs = performance.now() - startedAt;
      const used = process.cpuUsage(cpuBefore);
      const cpuMs = (used.user + used.system) / 1000;
      return { error, stalled: false, wallMs, cpuMs };
    }
  }
}
