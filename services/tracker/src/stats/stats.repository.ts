import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import {
  STAT_FIGURES,
  VARIANT_FIGURES,
  type VariantFigure,
  type CampaignFigures,
  type Channel,
  type StatFigure,
  type StatFigures,
  type Stats,
  type VariantFigures,
} from '@switchboard/contracts';

/**
 * The column each figure sums, per channel and for the total: a distinct figure counts once per
 * channel and once across channels (and per campaign in campaign stats); the rest simply add up.
 */
const DISTINCT: Partial<Record<StatFigure, { message: [string, string]; campaign: [string, string] }>> = {
  reach: { message: ['reach', 't_reach'], campaign: ['c_reach', 'ct_reach'] },
  uniqueOpened: { message: ['unique_opened', 't_unique_opened'], campaign: ['c_unique_opened', 'ct_unique_opened'] },
  uniqueClicked: {
    message: ['unique_clicked', 't_unique_clicked'],
    campaign: ['c_unique_clicked', 'ct_unique_clicked'],
  },
  shipments: { message: ['shipments', 't_shipments'], campaign: ['c_shipments', 'ct_shipments'] },
  deferred: { message: ['deferred', 't_deferred'], campaign: ['deferred', 't_deferred'] },
};
const snake = (f: string) => f.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

function columns(figure: StatFigure, byCampaign: boolean): [string, string] {
  const distinct = DISTINCT[figure];
  if (!distinct) return [snake(figure), snake(figure)];
  return byCampaign ? distinct.campaign : distinct.message;
}

type DailyRow = { date: string; channel: string } & Record<string, string>;
type FoundRow = { found: boolean };
type VariantRow = { channel: Channel; variant: string | null } & Record<VariantFigure, string>;

export interface StatsScope {
  messageId?: number;
  campaignId?: string;
  from?: string;
  to?: string;
}

export function zeroFigures(): StatFigures {
  return Object.fromEntries(STAT_FIGURES.map((f) => [f, 0])) as StatFigures;
}

function add(into: StatFigures, from: StatFigures): void {
  for (const f of STAT_FIGURES) into[f] += from[f];
}

/** A campaign's counters summed (bigint sums, so strings). */
interface CampaignSumsRow {
  campaign_key: string;
  sent: string;
  failed: string;
  opened: string;
  clicked: string;
}

@Injectable()
export class StatsRepository {
  constructor(private readonly ds: DataSource) {}

  /** Sums the counters rows of a message or a campaign: a few rows per channel and day, never the log. */
  async stats(scope: StatsScope): Promise<Stats> {
    const byCampaign = scope.campaignId !== undefined;
    const params: unknown[] = [byCampaign ? scope.campaignId : scope.messageId];
    const where = [byCampaign ? `campaign_key = $1` : `message_id = $1`];
    if (scope.from) where.push(`day >= $${params.push(scope.from)}::date`);
    if (scope.to) where.push(`day <= $${params.push(scope.to)}::date`);
    const sums = STAT_FIGURES.flatMap((f) => {
      const [perChannel, total] = columns(f, byCampaign);
      return [`sum(${perChannel}) AS "${f}"`, `sum(${total}) AS "t_${f}"`];
    }).join(', ');
    const rows = await this.ds.query<DailyRow[]>(
      `SELECT to_char(day, 'YYYY-MM-DD') AS date, channel, ${sums}
       FROM tracker.counters WHERE ${where.join(' AND ')}
       GROUP BY day, channel ORDER BY day, channel`,
      params,
    );
    const total = zeroFigures();
    const channels: Partial<Record<Channel, StatFigures>> = {};
    const daily: Stats['daily'] = [];
    for (const row of rows) {
      const figures = Object.fromEntries(STAT_FIGURES.map((f) => [f, Number(row[f])])) as StatFigures;
      for (const f of STAT_FIGURES) total[f] += Number(row[`t_${f}`]);
      const channel = (row.channel || null) as Channel | null;
      if (channel) add((channels[channel] ??= zeroFigures()), figures);
      daily.push({ date: row.date, channel, ...figures });
    }
    return {
      messageId: scope.messageId ?? null,
      campaignId: scope.campaignId ?? null,
      total,
      channels,
      daily,
      variants: await this.variants(scope),
    };
  }

  /**
   * Figures per channel and content variant, from the deliveries log: the counters have no variant
   * (an open or a click does not say which content it came from; its send does). Only a message or
   * campaign with at least one variant sent is read, through a partial index; one without variants
   * costs one index probe. The day range applies to the day each send was sent (or failed).
   */
  async variants(scope: StatsScope): Promise<VariantFigures[]> {
    const params: unknown[] = [scope.campaignId ?? scope.messageId];
    const key = scope.campaignId !== undefined ? 'campaign_id' : 'message_id';
    const any = await this.ds.query<FoundRow[]>(
      `SELECT EXISTS (SELECT 1 FROM tracker.deliveries WHERE ${key} = $1 AND variant IS NOT NULL) AS found`,
      params,
    );
    if (!any[0]?.found) return [];
    const where = [`${key} = $1`, 'channel IS NOT NULL', '(sent_at IS NOT NULL OR failed_at IS NOT NULL)'];
    const day = `(coalesce(sent_at, failed_at) AT TIME ZONE 'UTC')::date`;
    if (scope.from) where.push(`${day} >= $${params.push(scope.from)}::date`);
    if (scope.to) where.push(`${day} <= $${params.push(scope.to)}::date`);
    const rows = await this.ds.query<VariantRow[]>(
      `SELECT channel, variant,
              count(*) FILTER (WHERE sent_at IS NOT NULL) AS sent,
              count(*) FILTER (WHERE delivered_at IS NOT NULL) AS delivered,
              count(*) FILTER (WHERE status = 'failed') AS failed,
              count(*) FILTER (WHERE bounced_at IS NOT NULL) AS bounced,
              sum(opens) AS opened,
              count(*) FILTER (WHERE opened_at IS NOT NULL) AS "uniqueOpened",
              sum(clicks) AS clicked,
              count(*) FILTER (WHERE clicked_at IS NOT NULL) AS "uniqueClicked",
              count(*) FILTER (WHERE unsubscribed_at IS NOT NULL) AS unsubscribed
         FROM tracker.deliveries WHERE ${where.join(' AND ')}
        GROUP BY channel, variant ORDER BY channel, variant NULLS FIRST`,
      params,
    );
    return rows.map((r) => ({
      channel: r.channel,
      variant: r.variant,
      ...(Object.fromEntries(VARIANT_FIGURES.map((f) => [f, Number(r[f])])) as Record<VariantFigure, number>),
    }));
  }

  /** The list columns of campaigns, from the counters (one indexed scan per campaign key). */
  async campaignFigures(campaignIds: string[]): Promise<(CampaignFigures & { campaignId: string })[]> {
    if (campaignIds.length === 0) return [];
    const rows = await this.ds.query<CampaignSumsRow[]>(
      `SELECT campaign_key, sum(sent) AS sent, sum(failed) + sum(bounced) + sum(suppressed) AS failed,
              sum(ct_unique_opened) AS opened, sum(ct_unique_clicked) AS clicked
         FROM tracker.counters WHERE campaign_key = ANY($1::text[]) GROUP BY campaign_key`,
      [campaignIds],
    );
    return rows.map((r) => ({
      campaignId: r.campaign_key,
      sent: Number(r.sent),
      failed: Number(r.failed),
      opened: Number(r.opened),
      clicked: Number(r.clicked),
    }));
  }
}
