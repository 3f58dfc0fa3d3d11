import type { NextFunction, Request, Response } from 'express';
import { DomainError } from '@switchboard/contracts';

/** Deeper than any body of the API (a segment filter inside a campaign audience is about 6). */
export const MAX_BODY_DEPTH = 32;

const NUL = String.fromCharCode(0);

/**
 * The first problem of a parsed body or query: a level past `maxDepth`, or a NUL character in a
 * key or string (PostgreSQL stores neither text nor jsonb with one, so every write would fail).
 * Iterative, so a body nested 10,000 deep costs a loop, not the stack.
 */
export function inputProblem(value: unknown, maxDepth: number): { field: string; message: string } | undefined {
  const stack: { value: unknown; path: string[] }[] = [{ value, path: [] }];
  while (stack.length > 0) {
    const { value: current, path } = stack.pop()!;
    if (typeof current === 'string') {
      if (current.includes(NUL)) return { field: path.join('.'), message: 'NUL characters are not allowed.' };
      continue;
    }
    if (current === null || typeof current !== 'object') continue;
    if (path.length >= maxDepth)
      return { field: '', message: `The request is nested too deeply (at most ${maxDepth} levels).` };
    for (const [key, child] of Object.entries(current)) {
      if (key.includes(NUL)) return { field: path.join('.'), message: 'NUL characters are not allowed.' };
      stack.push({ value: child, path: [...path, key] });
    }
  }
  return undefined;
}

/** 400 in the Mautic shape for a body or query string that no route could store (see inputProblem). */
export function inputGuard(req: Request, _res: Response, next: NextFunction): void {
  const problem = inputProblem(req.body, MAX_BODY_DEPTH) ?? inputProblem(req.query, MAX_BODY_DEPTH);
  next(problem ? DomainError.validation({ [problem.field]: [problem.message] }) : undefined);
}
