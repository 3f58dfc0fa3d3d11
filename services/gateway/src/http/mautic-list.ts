import type { MauticListShape } from '@switchboard/contracts';

/** For handlers that answer JSON they serialized themselves. */
export const JSON_CONTENT_TYPE = 'application/json; charset=utf-8';

/**
 * The body of a Mautic list answer keyed by id, `{"total": n, "<key>": {"<id>": item, ...}}`, laid out
 * as Mautic lays out that endpoint (`MauticListShape`). Written here rather than by JSON.stringify of an object:
 * JavaScript orders integer-like keys ascending, so `{"9": ..., "3": ...}` asked by name or in
 * descending order would come out by id, where Mautic's PHP arrays keep the order asked.
 */
export function mauticListJson(shape: MauticListShape, key: string, total: number, items: { id?: unknown }[]): string {
  const head = `{"total":${shape === 'contacts' ? JSON.stringify(String(total)) : String(total)},${JSON.stringify(key)}:`;
  if (!items.length) return `${head}${shape === 'contacts' ? '{}' : '[]'}}`;
  const entries = items.map((item) => `${JSON.stringify(String(item.id))}:${JSON.stringify(item)}`);
  return `${head}{${entries.join(',')}}}`;
}
