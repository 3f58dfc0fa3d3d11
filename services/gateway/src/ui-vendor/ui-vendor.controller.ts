import { dirname, join } from 'node:path';
import { Controller, Get, Param, Res } from '@nestjs/common';
import type { Response } from 'express';
import { Public } from '../auth/public.decorator';
import { ApiDoc, sendError } from '../http';

/**
 * Browser libraries the admin UI imports, served from this gateway's own node_modules: the UI works
 * offline and under its `script-src 'self'` policy, with the version package-lock.json pins.
 * Only the files listed here are served.
 */
const FILES: Record<string, { pkg: string; path: string }> = {
  'uplot/uPlot.esm.js': { pkg: 'uplot', path: 'dist/uPlot.esm.js' },
  'uplot/uPlot.min.css': { pkg: 'uplot', path: 'dist/uPlot.min.css' },
  // Jodit's English-only build: one UMD script (every default plugin, icons inlined) and its styles.
  'jodit/jodit.min.js': { pkg: 'jodit', path: 'es2021.en/jodit.min.js' },
  'jodit/jodit.min.css': { pkg: 'jodit', path: 'es2021.en/jodit.min.css' },
};

function locate(pkg: string, path: string): string | undefined {
  try {
    return join(dirname(require.resolve(`${pkg}/package.json`)), path);
  } catch {
    return undefined;
  }
}

@Public()
@Controller('vendor')
export class UiVendorController {
  @Get(':lib/:file')
  @ApiDoc({ summary: 'Browser libraries of the admin UI (uPlot, the Jodit email editor)', tags: ['admin-ui'] })
  file(@Param('lib') lib: string, @Param('file') file: string, @Res() res: Response): void {
    const known = FILES[`${lib}/${file}`];
    const location = known && locate(known.pkg, known.path);
    if (!location) return sendError(res, 404, 'Requested URL not found.');
    res.sendFile(location, {
      dotfiles: 'deny',
      headers: { 'x-content-type-options': 'nosniff', 'cache-control': 'public, max-age=3600' },
    });
  }
}
