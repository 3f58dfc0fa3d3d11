import { Module } from '@nestjs/common';
import { SegmentsController } from './segments.controller';
import { SegmentsService } from './segments.service';

/** `/api/segments` (DESIGN §7.4). */
@Module({ controllers: [SegmentsController], providers: [SegmentsService], exports: [SegmentsService] })
export class SegmentsModule {}
