import { Module } from '@nestjs/common';
import { ShortLinksRepository } from './short-links.repository';
import { ShortLinksRpc } from './short-links.rpc';

/** Short links of SMS (DESIGN §7.2): stored by senders, resolved by the gateway's `/s/{code}`. */
@Module({ providers: [ShortLinksRepository, ShortLinksRpc] })
export class ShortLinksModule {}
