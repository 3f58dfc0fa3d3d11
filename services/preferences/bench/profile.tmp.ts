import { randomUUID } from 'node:crypto';
import { Test } from '@nestjs/testing';
import { DataSource } from 'typeorm';
import { createServiceDataSource } from '@switchboard/persistence';
import { ContactsRepository } from '../src/contacts/contacts.repository';
import { DecisionsRepository } from '../src/decisions/decisions.repository';
import { DecisionsService } from '../src/decisions/decisions.service';
import { SystemClock } from '../src/clock/clock';
import { loadPreferencesConfig } from '../src/preferences.config';

async function main() {
  const ds = createServiceDataSource({ url: 'postgres://postgres@127.0.0.1:5432/sb_pref_smoke', schema: 'preferences' });
  await ds.initialize();
  const contacts = new ContactsRepository(ds);
  const repo = new DecisionsRepository(ds, contacts);
  const timings: Record<string, number[]> = {};
  const wrap = (obj: any, name: string) => {
    const orig = obj[name].bind(obj);
    obj[name] = async (...a: any[]) => { const t = performance.now(); const r = await orig(...a); (timings[name] ??= []).push(performance.now() - t); return r; };
  };
  for (const m of ['lockContacts', 'load', 'save', 'transaction']) wrap(repo, m);
  const config = loadPreferencesConfig({ FREQUENCY_DEFAULT_EMAIL: '3/DAY', QUIET_HOURS_SMS: '21:00-08:00' });
  const svc = new DecisionsService(repo, new SystemClock(), config);
  const batch = () => Array.from({ length: 500 }, () => ({ sendId: randomUUID(), attempt: 0, contactId: `c${1 + Math.floor(Math.random() * 1e6)}`, channels: ['email', 'sms', 'tweet'] as any, contentUnavailable: [], excludeChannels: [], deferrals: 0, expiresAt: new Date(Date.now() + 7 * 864e5).toISOString() }));
  for (let i = 0; i < 5; i++) await svc.decide(batch());
  for (const k of Object.keys(timings)) timings[k] = [];
  const t = performance.now();
  for (let i = 0; i < 40; i++) await svc.decide(batch());
  const total = performance.now() - t;
  console.log('per batch total', (total / 40).toFixed(1), 'ms =>', Math.round(40 * 500 / total * 1000), '/s');
  for (const [k, v] of Object.entries(timings)) console.log(k, (v.reduce((a, b) => a + b, 0) / v.length).toFixed(1), 'ms');
  await ds.destroy();
}
void main();
