import { Controller, Get } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import { Public } from '../auth/public.decorator';
import { ApiDoc } from '../http';
import { buildOpenApi } from './openapi';

@Controller('api/docs')
export class DocsController {
  private document?: Record<string, unknown>;

  constructor(private readonly discovery: DiscoveryService) {}

  @Public()
  @Get()
  @ApiDoc({ summary: 'This OpenAPI document', tags: ['docs'] })
  get(): Record<string, unknown> {
    this.document ??= buildOpenApi(
      this.discovery
        .getControllers()
        .map((wrapper) => wrapper.metatype)
        .filter((metatype): metatype is Function => typeof metatype === 'function'),
    );
    return this.document;
  }
}
