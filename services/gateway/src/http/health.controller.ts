import { Controller, Get } from '@nestjs/common';
import { Public } from '../auth/public.decorator';
import { ApiDoc } from './zod-validation';

/** Liveness on the API port too (probes that only know the public port); readiness stays on HEALTH_PORT. */
@Controller('health')
export class HealthController {
  @Public()
  @Get()
  @ApiDoc({ summary: 'Liveness', tags: ['health'] })
  health() {
    return { status: 'ok' };
  }
}
