import { existsSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { env, loadConfig } from '@switchboard/config';

export interface AdminWebLocation {
  /** The folder holding index.html and assets/, or null when the UI is not installed. */
  dir: string | null;
  /** Why `dir` is null. */
  problem?: string;
}

/**
 * Where the admin UI's static files are: `ADMIN_WEB_DIR` when set (it must hold index.html, or the
 * gateway stops naming the variable), else `public/` of the @switchboard/svc-admin-web package
 * (plain files, nothing to build).
 */
export function locateAdminWeb(source: NodeJS.ProcessEnv = process.env): AdminWebLocation {
  const configured = loadConfig({ ADMIN_WEB_DIR: env.optionalString() }, (e) => e.ADMIN_WEB_DIR, source);
  if (configured !== undefined) {
    const dir = isAbsolute(configured) ? configured : resolve(configured);
    if (!existsSync(join(dir, 'index.html'))) {
      throw new Error(`Invalid configuration:\n  ADMIN_WEB_DIR: ${dir} holds no index.html`);
    }
    return { dir };
  }
  let packageDir: string;
  try {
    packageDir = dirname(require.resolve('@switchboard/svc-admin-web/package.json'));
  } catch {
    return { dir: null, problem: 'the @switchboard/svc-admin-web package is not installed; set ADMIN_WEB_DIR' };
  }
  const dir = join(packageDir, 'public');
  return existsSync(join(dir, 'index.html')) ? { dir } : { dir: null, problem: `${dir} holds no index.html` };
}
