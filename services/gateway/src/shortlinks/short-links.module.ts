import { Module } from '@nestjs/common';
import { TrackingModule } from '../tracking/tracking.module';
import { ShortLinksController } from './short-links.controller';

/** `/s/{code}` and a message's short links (DESIGN §7.2). */
@Module({ imports: [TrackingModule], controllers: [ShortLinksController] })
export class ShortLinksModule {}
