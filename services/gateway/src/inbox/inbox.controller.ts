import { Controller, Get, Headers, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import type { Response } from 'express';
import {
  DomainError,
  inboxArchive,
  inboxList,
  InboxListQuerySchema,
  InboxMessageSchema,
  inboxRead,
  inboxReadAll,
  inboxUnreadCount,
  type InboxListQuery,
} from '@switchboard/contracts';
import { RpcClient } from '@switchboard/messaging';
import { SERVICE_CONFIG } from '@switchboard/service-kit';
import { Inject } from '@nestjs/common';
import { z } from 'zod';
import { Public } from '../auth/public.decorator';
import type { GatewayConfig } from '../gateway.config';
import { ApiDoc, ZodQuery } from '../http';
import { InboxStreams } from './inbox-streams';
import { bearerOf, InboxTokens } from './inbox-tokens';
import { INBOX_WIDGET_JS } from './inbox-widget';

const tags = ['inbox'];
const UNAVAILABLE = 'The inbox is not available.';

function messageId(raw: string): number {
  if (!/^\d{1,15}$/.test(raw) || Number(raw) === 0) throw DomainError.notFound();
  return Number(raw);
}

/**
 * DESIGN §7.7, the end-user API of the in-app inbox: public, authenticated by the contact's inbox
 * token, every operation scoped to the contact the token names (sender-inapp answers over NATS).
 */
@Public()
@Controller('inbox')
export class InboxController {
  constructor(
    private readonly tokens: InboxTokens,
    private readonly rpc: RpcClient,
    private readonly streams: InboxStreams,
    @Inject(SERVICE_CONFIG) private readonly config: GatewayConfig,
  ) {}

  private contact(authorization: string | undefined, token?: unknown): Promise<string> {
    return this.tokens.contactOf(bearerOf(authorization, token));
  }

  private call<T>(run: (options: { timeoutMs: number; unavailable: string }) => Promise<T>): Promise<T> {
    return run({ timeoutMs: this.config.rpcTimeoutMs, unavailable: UNAVAILABLE });
  }

  @Get('messages')
  @ApiDoc({
    summary: "The contact's messages, newest first (`sort=unread`: unread first), paged with `start` and `limit`",
    tags,
    responses: { 200: z.object({ total: z.number().int(), messages: z.array(InboxMessageSchema) }) },
  })
  async list(
    @Headers('authorization') auth: string | undefined,
    @ZodQuery(InboxListQuerySchema) query: InboxListQuery,
  ) {
    const contactId = await this.contact(auth);
    return this.call((o) => this.rpc.call(inboxList, { contactId, query }, o));
  }

  @Get('unread-count')
  @ApiDoc({ summary: 'How many of the contact messages are unread: `{"unread": n}`', tags })
  async unreadCount(@Headers('authorization') auth: string | undefined) {
    const contactId = await this.contact(auth);
    return this.call((o) => this.rpc.call(inboxUnreadCount, { contactId }, o));
  }

  @Post('messages/:id/read')
  @HttpCode(200)
  @ApiDoc({ summary: 'Marks a message read (the channel `opened`); 404 when it is not the contact message', tags })
  async read(@Headers('authorization') auth: string | undefined, @Param('id') id: string) {
    const contactId = await this.contact(auth);
    return this.call((o) => this.rpc.call(inboxRead, { contactId, id: messageId(id) }, o));
  }

  @Post('read-all')
  @HttpCode(200)
  @ApiDoc({ summary: 'Marks every unread message of the contact read', tags })
  async readAll(@Headers('authorization') auth: string | undefined) {
    const contactId = await this.contact(auth);
    return this.call((o) => this.rpc.call(inboxReadAll, { contactId }, o));
  }

  @Post('messages/:id/archive')
  @HttpCode(200)
  @ApiDoc({ summary: 'Removes a message from the inbox; 404 when it is not the contact message', tags })
  async archive(@Headers('authorization') auth: string | undefined, @Param('id') id: string) {
    const contactId = await this.contact(auth);
    return this.call((o) => this.rpc.call(inboxArchive, { contactId, id: messageId(id) }, o));
  }

  @Get('stream')
  @ApiDoc({
    summary:
      'Server-sent events (`?token=`, as EventSource sends no headers): `count` on connect and on every change, `message` when one arrives',
    tags,
  })
  async stream(
    @Headers('authorization') auth: string | undefined,
    @Query('token') token: unknown,
    @Res() res: Response,
  ): Promise<void> {
    const contactId = await this.contact(auth, token);
    await this.streams.open(contactId, res);
  }

  @Get('widget.js')
  @ApiDoc({ summary: 'The embeddable inbox widget (a bell with the unread count and the list)', tags })
  widget(@Res() res: Response): void {
    res.setHeader('content-type', 'text/javascript; charset=utf-8');
    res.setHeader('cache-control', 'public, max-age=300');
    res.setHeader('x-content-type-options', 'nosniff');
    res.setHeader('cross-origin-resource-policy', 'cross-origin');
    res.status(200).send(INBOX_WIDGET_JS);
  }
}
