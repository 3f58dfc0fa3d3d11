import 'reflect-metadata';
import { Body, Param, Query, type PipeTransform } from '@nestjs/common';
import type { z } from 'zod';
import { DomainError, parseNumericId, parseOrThrow } from '@switchboard/contracts';

export const API_DOC_METADATA = 'switchboard:api-doc';

/** What `/api/docs` says about a handler; filled by `@ApiDoc`, `@ZodBody` and `@ZodQuery`. */
export interface ApiDocMeta {
  summary?: string;
  tags?: string[];
  body?: z.ZodType;
  query?: z.ZodType;
  /** status → response schema (or a description). */
  responses?: Record<number, z.ZodType | string>;
}

function mergeDoc(target: object, key: string | symbol, meta: ApiDocMeta): void {
  const current = (Reflect.getMetadata(API_DOC_METADATA, target, key) as ApiDocMeta | undefined) ?? {};
  Reflect.defineMetadata(
    API_DOC_METADATA,
    { ...current, ...meta, responses: { ...current.responses, ...meta.responses } },
    target,
    key,
  );
}

/** Describes a route in the OpenAPI document. */
export function ApiDoc(meta: ApiDocMeta): MethodDecorator {
  return (target, key) => mergeDoc(target, key, meta);
}

/** Validates a value with a zod schema: 400 in the Mautic shape, message `field: msg` pairs. */
export class ZodPipe<S extends z.ZodType> implements PipeTransform<unknown, z.infer<S>> {
  constructor(private readonly schema: S) {}

  transform(value: unknown): z.infer<S> {
    return parseOrThrow(this.schema, value ?? {});
  }
}

/** The request body parsed by `schema` (and documented as the route's body). */
export function ZodBody(schema: z.ZodType): ParameterDecorator {
  return (target, key, index) => {
    if (key !== undefined) mergeDoc(target, key, { body: schema });
    Body(new ZodPipe(schema))(target, key, index);
  };
}

/** The query string parsed by `schema` (and documented as the route's query parameters). */
export function ZodQuery(schema: z.ZodType): ParameterDecorator {
  return (target, key, index) => {
    if (key !== undefined) mergeDoc(target, key, { query: schema });
    Query(new ZodPipe(schema))(target, key, index);
  };
}

/** A numeric path id (`{id}` must be digits within int range, else 404 `Item was not found.`). */
export class NumericIdPipe implements PipeTransform<string, number> {
  transform(value: string): number {
    const id = parseNumericId(value);
    if (id === undefined) throw DomainError.notFound();
    return id;
  }
}

/** `@IdParam()` = the `:id` path parameter as a number (digits only, else 404). */
export function IdParam(name = 'id'): ParameterDecorator {
  return Param(name, new NumericIdPipe());
}
