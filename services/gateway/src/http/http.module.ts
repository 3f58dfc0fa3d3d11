import { Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { HealthController } from './health.controller';
import { HttpErrorFilter } from './http-error.filter';

@Module({ controllers: [HealthController], providers: [{ provide: APP_FILTER, useClass: HttpErrorFilter }] })
export class HttpModule {}
