import { z } from 'zod';
import { IsoDateTimeSchema, TimeZoneSchema } from '../primitives';
import { rpcContract } from '../rpc';
import { AudienceSchema } from './audience.rpc';

/**
 * Broadcast campaigns (DESIGN §7.4), kept by campaign-actions. The gateway checks who may call a
 * route; campaign-actions gets the acting user with every change because the four-eyes rule
 * (approver ≠ submitter) and the record of who did what are campaign state.
 */
export const CAMPAIGN_STATUSES = [
  'draft',
  'awaiting_approval',
  'scheduled',
  'sending',
  'completed',
  'canceled',
] as const;
export const CampaignStatusSchema = z.enum(CAMPAIGN_STATUSES);
export type CampaignStatus = z.infer<typeof CampaignStatusSchema>;

export const CAMPAIGN_TRANSITIONS = ['submit', 'approve', 'reject', 'cancel'] as const;
export type CampaignTransition = (typeof CAMPAIGN_TRANSITIONS)[number];

export const ActorRoleSchema = z.enum(['admin', 'marketer', 'approver', 'viewer']);
export const CampaignActorSchema = z.object({ id: z.string(), name: z.string(), role: ActorRoleSchema });
export type CampaignActor = z.infer<typeof CampaignActorSchema>;

export const ScheduleSchema = z
  .object({
    type: z.enum(['now', 'at', 'recurring'], { error: 'The schedule type is now, at or recurring.' }),
    at: IsoDateTimeSchema.nullable().optional(),
    cron: z.string().trim().min(1).max(200).nullable().optional(),
    timezone: TimeZoneSchema.nullable().optional(),
  })
  .superRefine((s, ctx) => {
    if (s.type === 'at' && !s.at) ctx.addIssue({ code: 'custom', path: ['at'], message: 'A time is required.' });
    if (s.type === 'recurring' && !s.cron)
      ctx.addIssue({ code: 'custom', path: ['cron'], message: 'A cron expression is required.' });
  });
export type Schedule = z.infer<typeof ScheduleSchema>;

const CampaignFields = {
  name: z.string({ error: 'A name is required.' }).trim().min(1, 'A name is required.').max(191),
  description: z.string().max(4000).nullable().optional(),
  messageId: z
    .union(
      [
        z.number(),
        z
          .string()
          .regex(/^\d{1,10}$/)
          .transform(Number),
      ],
      { error: 'A message is required.' },
    )
    .pipe(z.number().int().positive('A message is required.')),
  audience: AudienceSchema,
  schedule: ScheduleSchema,
};

export const CampaignInputSchema = z.object({
  ...CampaignFields,
  audience: AudienceSchema.default({ include: [], exclude: [] }),
  schedule: ScheduleSchema.default({ type: 'now' }),
});
/** PATCH: only what is given changes (no defaults filled in). */
export const CampaignPatchSchema = z.object(CampaignFields).partial();
export type CampaignInput = z.infer<typeof CampaignInputSchema>;

export const CampaignSchema = z.object({
  id: z.number().int(),
  name: z.string(),
  description: z.string().nullable(),
  messageId: z.number().int(),
  audience: AudienceSchema,
  schedule: ScheduleSchema,
  status: CampaignStatusSchema,
  createdBy: z.string().nullable(),
  submittedBy: z.string().nullable(),
  approvedBy: z.string().nullable(),
  approvedAt: IsoDateTimeSchema.nullable(),
  rejectedBy: z.string().nullable(),
  rejectedAt: IsoDateTimeSchema.nullable(),
  rejectionComment: z.string().nullable(),
  nextRunAt: IsoDateTimeSchema.nullable(),
  dateAdded: IsoDateTimeSchema,
  dateModified: IsoDateTimeSchema,
  lastShipmentAt: IsoDateTimeSchema.nullable(),
  /** Send requests made by its shipments (the tracker has what became of them). */
  sent: z.number().int(),
});
export type Campaign = z.infer<typeof CampaignSchema>;

export const SHIPMENT_STATUSES = ['Pending', 'Completed', 'Failed', 'Canceled'] as const;
export const ShipmentSchema = z.object({
  id: z.string(),
  campaignId: z.number().int(),
  /** The schedule slot it runs (recurring: the cron time; otherwise when it was due). */
  slot: IsoDateTimeSchema,
  startedAt: IsoDateTimeSchema,
  finishedAt: IsoDateTimeSchema.nullable(),
  status: z.enum(SHIPMENT_STATUSES),
  /** Contacts in the resolved audience (grows while it is being resolved). */
  targets: z.number().int(),
  /** Send requests published so far. */
  requested: z.number().int(),
  /** Targets whose send was stopped by a cancel before it was requested. */
  canceled: z.number().int(),
  error: z.string().nullable(),
});
export type Shipment = z.infer<typeof ShipmentSchema>;

const CampaignListQuerySchema = z.object({
  search: z.string().max(1000).optional(),
  status: CampaignStatusSchema.optional(),
  start: z.number().int().min(0).default(0),
  /** 0 = all. */
  limit: z.number().int().min(0).default(30),
  orderBy: z.string().max(64).optional(),
  orderByDir: z.enum(['asc', 'desc']).optional(),
});

const IdReq = z.object({ id: z.number().int().positive() });

export const campaignsList = rpcContract(
  'campaign-actions',
  'campaigns.list',
  CampaignListQuerySchema,
  z.object({ total: z.number().int(), campaigns: z.array(CampaignSchema) }),
);
export const campaignsGet = rpcContract('campaign-actions', 'campaigns.get', IdReq, CampaignSchema);
export const campaignsCreate = rpcContract(
  'campaign-actions',
  'campaigns.create',
  z.object({ campaign: CampaignInputSchema, actor: CampaignActorSchema }),
  CampaignSchema,
);
/** `replace: true` (PUT) takes the whole input; otherwise (PATCH) omitted fields stay. */
export const campaignsUpdate = rpcContract(
  'campaign-actions',
  'campaigns.update',
  z.object({
    id: z.number().int().positive(),
    campaign: CampaignPatchSchema,
    replace: z.boolean().default(false),
    actor: CampaignActorSchema,
  }),
  CampaignSchema,
);
/** Returns the deleted campaign. */
export const campaignsDelete = rpcContract(
  'campaign-actions',
  'campaigns.delete',
  z.object({ id: z.number().int().positive(), actor: CampaignActorSchema }),
  CampaignSchema,
);
export const campaignsTransition = rpcContract(
  'campaign-actions',
  'campaigns.transition',
  z.object({
    id: z.number().int().positive(),
    action: z.enum(CAMPAIGN_TRANSITIONS),
    comment: z.string().max(4000).nullable().optional(),
    actor: CampaignActorSchema,
  }),
  CampaignSchema,
);
export const campaignsShipments = rpcContract(
  'campaign-actions',
  'campaigns.shipments',
  IdReq,
  z.object({ shipments: z.array(ShipmentSchema) }),
);

/**
 * Mautic's `POST /api/emails/{id}/send`: the email's message to the members of `lists` who have
 * not been sent it yet, at most `limit` of them. `sentCount` = send requests made by this call.
 */
export const campaignsEmailSend = rpcContract(
  'campaign-actions',
  'emails.send',
  z.object({
    emailId: z.number().int().positive(),
    messageId: z.number().int().positive(),
    lists: z.array(z.number().int().positive()).max(1000),
    limit: z.number().int().min(1).nullable().default(null),
  }),
  z.object({ sentCount: z.number().int().min(0) }),
);
