import { Injectable } from '@nestjs/common';
import {
  DomainError,
  ErrorCode,
  type Campaign,
  type CampaignActor,
  type CampaignInput,
  type CampaignStatus,
  type CampaignTransition,
} from '@switchboard/contracts';
import type { EntityManager } from 'typeorm';
import { ShipmentsRepository } from '../shipments/shipments.repository';
import { ShipmentEvents } from '../shipments/shipment-events';
import { CampaignTimer } from './campaign-timer.service';
import {
  CampaignsRepository,
  type CampaignChanges,
  type CampaignListFilter,
  type CampaignRecord,
} from './campaigns.repository';
import { checkSchedule, nextSlot } from './schedule';

const FORBIDDEN = 'You do not have access to the requested area/action.';

/** Which statuses each transition leaves from, and who may take it. */
const TRANSITIONS: Record<CampaignTransition, { from: CampaignStatus[]; roles: CampaignActor['role'][] }> = {
  submit: { from: ['draft'], roles: ['admin', 'marketer'] },
  approve: { from: ['awaiting_approval'], roles: ['admin', 'approver'] },
  reject: { from: ['awaiting_approval'], roles: ['admin', 'approver'] },
  cancel: { from: ['scheduled', 'sending'], roles: ['admin', 'marketer', 'approver'] },
};
const WRITERS: CampaignActor['role'][] = ['admin', 'marketer'];

function conflict(message: string): DomainError {
  return new DomainError(ErrorCode.Conflict, message);
}

function publicView({ submittedById: _id, ...campaign }: CampaignRecord): Campaign {
  return campaign;
}

/**
 * The campaign life cycle of DESIGN §7.4: draft → submit → awaiting_approval → approve (another
 * user than the submitter) | reject → scheduled → sending → completed, and cancel. Every change
 * locks the campaign row, so a transition and an edit (or the timer) never interleave.
 */
@Injectable()
export class CampaignsService {
  constructor(
    private readonly campaigns: CampaignsRepository,
    private readonly shipments: ShipmentsRepository,
    private readonly events: ShipmentEvents,
    private readonly timer: CampaignTimer,
  ) {}

  async list(filter: CampaignListFilter): Promise<{ total: number; campaigns: Campaign[] }> {
    const { total, campaigns } = await this.campaigns.list(filter);
    return { total, campaigns: campaigns.map(publicView) };
  }

  async get(id: number): Promise<Campaign> {
    const campaign = await this.campaigns.get(id);
    if (!campaign) throw DomainError.notFound();
    return publicView(campaign);
  }

  async create(input: CampaignInput, actor: CampaignActor): Promise<Campaign> {
    this.allow(actor, WRITERS);
    checkSchedule(input.schedule);
    const id = await this.campaigns.create({
      name: input.name,
      description: input.description ?? null,
      messageId: input.messageId,
      audience: input.audience,
      schedule: input.schedule,
      status: 'draft',
      createdBy: actor.name,
    });
    return this.get(id);
  }

  /** Any edit makes the campaign a draft again: what was submitted or approved is no longer what it is. */
  async update(id: number, input: Partial<CampaignInput>, replace: boolean, actor: CampaignActor): Promise<Campaign> {
    this.allow(actor, WRITERS);
    if (replace) {
      const missing: Record<string, string[]> = {};
      if (input.name === undefined) missing.name = ['A name is required.'];
      if (input.messageId === undefined) missing.messageId = ['A message is required.'];
      if (Object.keys(missing).length) throw DomainError.validation(missing);
    }
    if (input.schedule) checkSchedule(input.schedule);
    return this.change(id, async (em, campaign) => {
      if (campaign.status === 'sending')
        throw conflict('A campaign that is sending cannot be edited; cancel it first.');
      const changes: CampaignChanges = {
        ...(replace ? { description: null, audience: { include: [], exclude: [] }, schedule: { type: 'now' } } : {}),
        ...defined(input),
      };
      if (campaign.status !== 'draft') Object.assign(changes, this.backToDraft());
      await this.campaigns.update(em, id, changes);
    });
  }

  async delete(id: number, actor: CampaignActor): Promise<Campaign> {
    this.allow(actor, WRITERS);
    return this.campaigns.transaction(async (em) => {
      const campaign = await this.campaigns.lock(em, id);
      if (!campaign) throw DomainError.notFound();
      if (campaign.status === 'sending')
        throw conflict('A campaign that is sending cannot be deleted; cancel it first.');
      await this.campaigns.delete(em, id);
      return publicView(campaign);
    });
  }

  async transition(
    id: number,
    action: CampaignTransition,
    actor: CampaignActor,
    comment?: string | null,
  ): Promise<Campaign> {
    const rule = TRANSITIONS[action];
    this.allow(actor, rule.roles);
    let canceledShipments: string[] = [];
    const campaign = await this.change(id, async (em, c) => {
      if (!rule.from.includes(c.status)) throw conflict(`The campaign is ${c.status}: it cannot be ${pastOf(action)}.`);
      const now = new Date();
      switch (action) {
        case 'submit':
          return this.campaigns.update(em, id, {
            status: 'awaiting_approval',
            submittedBy: actor.name,
            submittedById: actor.id,
            rejectedBy: null,
            rejectedAt: null,
            rejectionComment: null,
          });
        case 'approve':
          // Four eyes: whoever submitted it cannot approve it, whatever their role.
          if (c.submittedById === actor.id)
            throw new DomainError(
              ErrorCode.Forbidden,
              'A campaign must be approved by another user than its submitter.',
            );
          return this.campaigns.update(em, id, {
            status: 'scheduled',
            approvedBy: actor.name,
            approvedAt: now.toISOString(),
            nextRunAt: nextSlot(c.schedule, now, true)?.toISOString() ?? null,
          });
        case 'reject':
          return this.campaigns.update(em, id, {
            ...this.backToDraft(),
            rejectedBy: actor.name,
            rejectedAt: now.toISOString(),
            rejectionComment: comment ?? null,
          });
        case 'cancel':
          canceledShipments = await this.shipments.cancelPending(em, id);
          return this.campaigns.update(em, id, { status: 'canceled', nextRunAt: null });
      }
    });
    // After the commit: the router learns of it only once no more of its sends can be requested.
    if (canceledShipments.length) await this.events.canceled(canceledShipments);
    if (action === 'approve') this.timer.nudge();
    return campaign;
  }

  private backToDraft(): CampaignChanges {
    return {
      status: 'draft',
      submittedBy: null,
      submittedById: null,
      approvedBy: null,
      approvedAt: null,
      nextRunAt: null,
    };
  }

  private async change(
    id: number,
    work: (em: EntityManager, campaign: CampaignRecord) => Promise<void>,
  ): Promise<Campaign> {
    await this.campaigns.transaction(async (em) => {
      const campaign = await this.campaigns.lock(em, id);
      if (!campaign) throw DomainError.notFound();
      await work(em, campaign);
    });
    return this.get(id);
  }

  private allow(actor: CampaignActor, roles: CampaignActor['role'][]): void {
    if (!roles.includes(actor.role)) throw new DomainError(ErrorCode.Forbidden, FORBIDDEN);
  }
}

function pastOf(action: CampaignTransition): string {
  return { submit: 'submitted', approve: 'approved', reject: 'rejected', cancel: 'canceled' }[action];
}

function defined(input: Partial<CampaignInput>): CampaignChanges {
  return Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined)) as CampaignChanges;
}
