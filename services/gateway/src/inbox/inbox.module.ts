import { Module, RequestMethod, type MiddlewareConsumer, type NestModule } from '@nestjs/common';
import { inboxCors } from './inbox-cors';
import { InboxController } from './inbox.controller';
import { InboxStreams } from './inbox-streams';
import { InboxTokens } from './inbox-tokens';
import { InboxTokensController } from './inbox-tokens.controller';

/** The in-app inbox's end-user API, live stream and widget (DESIGN §7.7), and the admin token endpoint. */
@Module({
  controllers: [InboxController, InboxTokensController],
  providers: [InboxTokens, InboxStreams],
})
export class InboxModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(inboxCors).forRoutes({ path: 'inbox/*path', method: RequestMethod.ALL });
  }
}
