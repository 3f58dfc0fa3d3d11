import type { Application } from 'express';

interface RouteLayer {
  route?: { methods: Record<string, boolean> };
  match(path: string): boolean;
}

/**
 * The methods the app serves on a path, read from Express's own route table, so that a path that
 * exists with another method is a 405 (with `Allow`) rather than a 404.
 */
export function allowedMethods(app: Application, path: string): string[] {
  const stack = ((app as unknown as { router?: { stack: RouteLayer[] } }).router?.stack ?? []) as RouteLayer[];
  const methods = new Set<string>();
  for (const layer of stack) {
    if (!layer.route || !layer.match(path)) continue;
    for (const [method, on] of Object.entries(layer.route.methods)) {
      if (on && method !== '_all') methods.add(method.toUpperCase());
    }
  }
  if (methods.has('GET')) methods.add('HEAD');
  return [...methods].sort();
}
