import { Module } from '@nestjs/common';
import { ImportsController, SegmentsController } from './segments.controller';
import { SegmentsService } from './segments.service';

/** `/api/segments` (DESIGN §7.4). */
@Module({
  controllers: [SegmentsController, ImportsController],
  providers: [SegmentsService],
  exports: [SegmentsService],
})
export class SegmentsModule {}
