/** Characters a piece of the text gathers before the next one starts: far under V8's large-object size (~128 KiB). */
const PIECE_CHARS = 16 * 1024;
/** Shorter arrays are stringified whole: item by item costs ~0.2 µs an item more, and a short one is no large text. */
const ITEMWISE_FROM = 64;
/** How deep plain objects are opened: a reply, its data, the data's members (`{ ok, data: { decisions: [...] } }`). */
const OPENED_LEVELS = 3;

/** JSON.stringify's answer, which is undefined for undefined, a function or a symbol (its types say string). */
const stringify = (value: unknown): string | undefined => JSON.stringify(value) as string | undefined;

/**
 * The bytes of `JSON.stringify(value)` (UTF-8), without one string of the whole text when it is
 * large: plain objects down to OPENED_LEVELS are written member by member and arrays there of
 * ITEMWISE_FROM items or more item by item, each piece by JSON.stringify, gathered in strings of
 * ~16 KiB; anything else is stringified whole. A string past V8's large-object size cost, built
 * by JSON.stringify and encoded, ~1.5 µs a decision more than its pieces in decide replies of 500
 * and 1,000 decisions (~140 and ~255 KB), and nothing below that size (200 decisions, ~56 KB).
 */
export function jsonBytes(value: unknown): Buffer {
  const pieces: string[] = [];
  let piece = '';
  const add = (text: string): void => {
    piece += text;
    if (piece.length >= PIECE_CHARS) {
      pieces.push(piece);
      piece = '';
    }
  };
  const open = (v: object, level: number): void => {
    if (Array.isArray(v)) {
      add('[');
      // An item JSON.stringify writes nothing for (undefined, a function) is null in an array.
      for (let i = 0; i < v.length; i++) add((i > 0 ? ',' : '') + (stringify(v[i]) ?? 'null'));
      add(']');
      return;
    }
    let separator = '{';
    for (const key of Object.keys(v)) {
      const member = (v as Record<string, unknown>)[key];
      if (opens(member, level + 1)) {
        add(`${separator}${JSON.stringify(key)}:`);
        open(member, level + 1);
      } else {
        const json = stringify(member);
        if (json === undefined) continue;
        add(`${separator}${JSON.stringify(key)}:${json}`);
      }
      separator = ',';
    }
    add(separator === '{' ? '{}' : '}');
  };
  if (!opens(value, 0)) return Buffer.from(JSON.stringify(value));
  open(value, 0);
  if (pieces.length === 0) return Buffer.from(piece);
  pieces.push(piece);
  let bytes = 0;
  for (const p of pieces) bytes += Buffer.byteLength(p);
  const out = Buffer.allocUnsafe(bytes);
  let at = 0;
  for (const p of pieces) at += out.write(p, at);
  return out;
}

/** Whether `jsonBytes` opens `value` at `level` rather than stringify it whole: JSON.stringify would walk it the same way. */
function opens(value: unknown, level: number): value is object {
  if (level >= OPENED_LEVELS || typeof value !== 'object' || value === null) return false;
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return false;
  if (Array.isArray(value)) return value.length >= ITEMWISE_FROM;
  return Object.getPrototypeOf(value) === Object.prototype;
}
