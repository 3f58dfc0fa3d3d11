import { RequestMethod } from '@nestjs/common';
import { HTTP_CODE_METADATA, METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { z } from 'zod';
import { ApiErrorSchema } from '@switchboard/contracts';
import { IS_PUBLIC } from '../auth/public.decorator';
import { API_DOC_METADATA, type ApiDocMeta } from '../http';

type JsonSchema = Record<string, unknown>;

function toSchema(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  try {
    const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as JsonSchema;
    return rest;
  } catch {
    // A schema JSON Schema cannot express (a cycle...) is documented as "anything" rather than breaking the document.
    return {};
  }
}

function joinPath(...parts: string[]): string {
  const path = `/${parts.filter(Boolean).join('/')}`.replace(/\/+/g, '/').replace(/\/$/, '');
  return (path || '/').replace(/:([A-Za-z0-9_]+)/g, '{$1}');
}

function queryParameters(schema: z.ZodType): JsonSchema[] {
  const json = toSchema(schema, 'input') as { properties?: Record<string, JsonSchema>; required?: string[] };
  return Object.entries(json.properties ?? {}).map(([name, property]) => ({
    name,
    in: 'query',
    required: json.required?.includes(name) ?? false,
    schema: property,
    ...(property.type === 'object' || property.type === 'array' ? { style: 'deepObject', explode: true } : {}),
  }));
}

/**
 * The OpenAPI 3.1 document of every controller route, from Nest's route metadata and the same zod
 * schemas that `@ZodBody`/`@ZodQuery` validate with.
 */
export function buildOpenApi(controllers: Function[]): JsonSchema {
  const paths: Record<string, Record<string, JsonSchema>> = {};
  const errorResponse = {
    description: 'Error (Mautic shape)',
    content: { 'application/json': { schema: toSchema(ApiErrorSchema, 'output') } },
  };
  for (const controller of controllers) {
    const basePaths = [Reflect.getMetadata(PATH_METADATA, controller) as string | string[] | undefined].flat();
    const prototype = controller.prototype as Record<string, unknown>;
    for (const name of Object.getOwnPropertyNames(prototype)) {
      // The descriptor's value, not `prototype[name]`: a getter must not run on the prototype.
      const handler: unknown = Object.getOwnPropertyDescriptor(prototype, name)?.value;
      if (name === 'constructor' || typeof handler !== 'function') continue;
      const method = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined;
      if (method === undefined) continue;
      const doc = (Reflect.getMetadata(API_DOC_METADATA, prototype, name) as ApiDocMeta | undefined) ?? {};
      const isPublic = Boolean(Reflect.getMetadata(IS_PUBLIC, handler) ?? Reflect.getMetadata(IS_PUBLIC, controller));
      const status =
        (Reflect.getMetadata(HTTP_CODE_METADATA, handler) as number | undefined) ??
        (method === RequestMethod.POST ? 201 : 200);
      const responses: Record<string, JsonSchema> = {};
      for (const [code, value] of Object.entries(doc.responses ?? { [status]: 'OK' })) {
        responses[code] =
          typeof value === 'string'
            ? { description: value }
            : { description: 'OK', content: { 'application/json': { schema: toSchema(value, 'output') } } };
      }
      responses.default = errorResponse;
      for (const routePath of [Reflect.getMetadata(PATH_METADATA, handler) as string | string[]].flat()) {
        for (const base of basePaths) {
          const path = joinPath(base ?? '', routePath ?? '');
          const pathParams = [...path.matchAll(/\{([A-Za-z0-9_]+)\}/g)].map((m) => ({
            name: m[1],
            in: 'path',
            required: true,
            schema: { type: 'string' },
          }));
          const operation: JsonSchema = {
            operationId: `${controller.name}.${name}`,
            summary: doc.summary,
            tags: doc.tags ?? [controller.name.replace(/Controller$/, '')],
            parameters: [...pathParams, ...(doc.query ? queryParameters(doc.query) : [])],
            ...(doc.body
              ? {
                  requestBody: {
                    required: true,
                    content: { 'application/json': { schema: toSchema(doc.body, 'input') } },
                  },
                }
              : {}),
            responses,
            ...(isPublic ? { security: [] } : {}),
          };
          (paths[path] ??= {})[RequestMethod[method].toLowerCase()] = operation;
        }
      }
    }
  }
  return {
    openapi: '3.1.0',
    info: { title: 'Switchboard API', version: '1.0.0', description: 'Mautic-compatible REST API of Switchboard.' },
    components: {
      securitySchemes: { basic: { type: 'http', scheme: 'basic' }, bearer: { type: 'http', scheme: 'bearer' } },
    },
    security: [{ basic: [] }, { bearer: [] }],
    paths,
  };
}
