import type { Request } from 'express';

const LIMIT = 64 * 1024;

/**
 * Whether a POST is RFC 8058's one-click unsubscribe: a body holding `List-Unsubscribe=One-Click`,
 * sent form-urlencoded (parsed by Express already) or as multipart/form-data (read here).
 */
export async function isOneClick(req: Request, body: unknown): Promise<boolean> {
  if (body && typeof body === 'object' && (body as Record<string, unknown>)['List-Unsubscribe'] === 'One-Click')
    return true;
  if (!/^multipart\/form-data/i.test(req.headers['content-type'] ?? '') || req.readableEnded) return false;
  const raw = await readLimited(req);
  return /name="?List-Unsubscribe"?[^\r\n]*\r?\n(?:[^\r\n]+\r?\n)*\r?\n\s*One-Click\s*\r?\n/i.test(raw);
}

function readLimited(req: Request): Promise<string> {
  return new Promise((resolve, reject) => {
    let raw = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => {
      raw += chunk;
      if (raw.length > LIMIT) req.destroy();
    });
    req.on('end', () => resolve(raw));
    req.on('close', () => resolve(raw));
    req.on('error', reject);
  });
}
