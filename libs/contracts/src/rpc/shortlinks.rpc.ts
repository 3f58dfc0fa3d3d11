import { z } from 'zod';
import { rpcContract } from '../rpc';

/** A short link's code: 10 base64url characters (DESIGN §7.2 short links, `/s/{code}`). */
export const SHORT_CODE = /^[A-Za-z0-9_-]{10}$/;

export const ShortLinkSchema = z.object({
  code: z.string().regex(SHORT_CODE),
  /** The signed click-tracking token the link stands for (dispatch, contact, URL). */
  token: z.string().min(1).max(4096),
  messageId: z.number().int().positive(),
  url: z.string().min(1).max(2048),
});
export type ShortLink = z.infer<typeof ShortLinkSchema>;

/** The most links one `sb.rpc.tracker.shortlinks.save` takes; a sender splits a larger wave. */
export const SHORT_LINKS_PER_SAVE = 1_000;

/** sb.rpc.tracker.shortlinks.save — senders store the short links of what they are about to send; saving one again changes nothing. */
export const trackerShortLinksSave = rpcContract(
  'tracker',
  'shortlinks.save',
  z.object({ links: z.array(ShortLinkSchema).min(1).max(SHORT_LINKS_PER_SAVE) }),
  z.object({ saved: z.number().int() }),
);

/** sb.rpc.tracker.shortlinks.resolve — the token behind a code (NOT_FOUND when none); `count` adds a click to the link's own figures. */
export const trackerShortLinksResolve = rpcContract(
  'tracker',
  'shortlinks.resolve',
  z.object({ code: z.string().regex(SHORT_CODE), count: z.boolean() }),
  z.object({ token: z.string() }),
);

export const ShortLinkViewSchema = z.object({
  code: z.string(),
  url: z.string(),
  clicks: z.number().int(),
  dateAdded: z.string(),
  lastClickedAt: z.string().nullable(),
});

/** sb.rpc.tracker.shortlinks.list — a message's short links with their clicks, newest first. */
export const trackerShortLinksList = rpcContract(
  'tracker',
  'shortlinks.list',
  z.object({
    messageId: z.number().int().positive(),
    start: z.number().int().min(0).default(0),
    limit: z.number().int().min(1).max(500).default(100),
  }),
  z.object({ total: z.number().int(), shortlinks: z.array(ShortLinkViewSchema) }),
);
