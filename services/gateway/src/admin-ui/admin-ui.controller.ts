import { Controller, Get, Param, Res } from '@nestjs/common';
import type { Response } from 'express';
import { Public } from '../auth/public.decorator';
import { ApiDoc } from '../http';
import { AdminUiService } from './admin-ui.service';

/**
 * The admin web UI (services/admin-web): public static files; every API call the pages make
 * carries the signed-in user's credentials.
 */
@Public()
@Controller()
export class AdminUiController {
  constructor(private readonly ui: AdminUiService) {}

  @Get(['', 'admin', 'admin/*path'])
  @ApiDoc({ summary: 'Admin web UI (HTML); /admin/* deep links get the same page', tags: ['admin-ui'] })
  page(@Res() res: Response): void {
    this.ui.sendIndex(res);
  }

  @Get('assets/*path')
  @ApiDoc({ summary: 'Admin web UI scripts and styles', tags: ['admin-ui'] })
  asset(@Param('path') path: string[] | string, @Res() res: Response): void {
    this.ui.sendAsset(Array.isArray(path) ? path : path.split('/'), res);
  }
}
