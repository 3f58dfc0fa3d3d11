/**
 * A broadcast shipment to N contacts (1,000,000 by default): how fast campaign-actions turns an
 * approved campaign into send requests on the stream — audience resolved page by page into its
 * targets, targets expanded chunk by chunk into batched `send.requested` messages, both cursors
 * committed with the work. campaign-actions runs as its own process (its main.ts) on the
 * machine's NATS and PostgreSQL; the audience comes from an in-process stand-in for preferences
 * (contact ids generated per page), so the figure is the expansion's own, not the segment query's
 * (the audience bench measures that). The send requests are counted by a durable consumer, as the
 * router would read them.
 *
 *   node -r @swc-node/register services/campaign-actions/bench/shipment.bench.ts [--contacts 1000000] [--quick]
 *
 * Figures: contacts enqueued per second (approve → last send request on the stream) and its ratio
 * to the bare-JetStream baseline measured in the same run; CPU per contact of campaign-actions,
 * nats-server and PostgreSQL are not separated here (see the route bench's ledger), only
 * campaign-actions' own; its peak RSS. Not a test: nothing here asserts a figure.
 */
import { AckPolicy, jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { campaignsCreate, campaignsShipments, campaignsTransition, type CampaignActor } from '@switchboard/contracts';
import { RpcClient } from '@switchboard/messaging';
import { cpuMs, createTestEnv, freePort, peakRssMb, spawnService, type ChildService } from '@switchboard/testing';
import { measureBaseline } from '../../../bench/lib/baseline';
import { emitResult, flag, numberArg } from '../../../bench/lib/report';
import { startFakeAudience } from '../test/support/fake-audience';

const QUICK = flag('quick');
const CONTACTS = numberArg('contacts', QUICK ? 100_000 : 1_000_000);
const mia: CampaignActor = { id: 'user:1', name: 'mia', role: 'marketer' };
const abe: CampaignActor = { id: 'user:2', name: 'abe', role: 'approver' };

async function main(): Promise<void> {
  const baseline = await measureBaseline(process.env.NATS_URL ?? 'nats://127.0.0.1:4222', QUICK ? 50_000 : 200_000);
  const env = await createTestEnv();
  const nc = await connect({ servers: env.natsUrl, noAsyncTraces: true });
  const rpc = new RpcClient(nc, env.names, 30_000);
  const { service: fakes, audience } = await startFakeAudience(env);
  audience.size = CONTACTS;
  let child: ChildService | undefined;
  try {
    child = await spawnService(
      env,
      'campaign-actions',
      { LOG_LEVEL: 'warn', SHIPMENT_POLL_MS: '100', CAMPAIGN_POLL_MS: '100', AUDIENCE_PAGE_SIZE: '10000' },
      await freePort(),
    );
    const jsm = await jetstreamManager(nc);
    const subject = env.names.subjects.sendRequested();
    const stream = env.names.streamOf(subject);
    await jsm.consumers.add(stream, {
      durable_name: 'bench-router',
      ack_policy: AckPolicy.Explicit,
      filter_subject: subject,
      max_ack_pending: 20_000,
    });
    const messages = await (await jetstream(nc).consumers.get(stream, 'bench-router')).consume({ max_messages: 1_000 });
    const seen = new Set<string>();
    let lastAt = 0;
    const consumed = (async () => {
      for await (const m of messages) {
        const body = m.json<{ sends?: { sendId: string }[]; sendId?: string }>();
        for (const s of body.sends ?? [body as { sendId: string }]) seen.add(s.sendId);
        m.ack();
        lastAt = performance.now();
        if (seen.size >= CONTACTS) break;
      }
    })();

    const campaign = await rpc.call(campaignsCreate, {
      campaign: {
        name: 'bench',
        messageId: 1,
        audience: { include: [], exclude: [], all: true },
        schedule: { type: 'now' },
      },
      actor: mia,
    });
    await rpc.call(campaignsTransition, { id: campaign.id, action: 'submit', actor: mia });
    const cpuBefore = cpuMs(child.process.pid!);
    const started = performance.now();
    await rpc.call(campaignsTransition, { id: campaign.id, action: 'approve', actor: abe });
    await consumed;
    const seconds = (lastAt - started) / 1000;
    const cpu = cpuMs(child.process.pid!) - cpuBefore;
    const [shipment] = (await rpc.call(campaignsShipments, { id: campaign.id })).shipments;
    const perSecond = CONTACTS / seconds;
    const figures = {
      contacts: CONTACTS,
      distinctSends: seen.size,
      seconds: Math.round(seconds * 10) / 10,
      perSecond: Math.round(perSecond),
      baselinePerSecond: Math.round(baseline.perSecond),
      toBaseline: Math.round((perSecond / baseline.perSecond) * 100) / 100,
      campaignActionsCpuMicrosPerContact: Math.round(((cpu * 1000) / CONTACTS) * 10) / 10,
      campaignActionsPeakRssMb: peakRssMb(child.process.pid!),
      shipment: { status: shipment?.status, targets: shipment?.targets, requested: shipment?.requested },
    };
    console.log(
      `shipment to ${CONTACTS.toLocaleString('en-US')} contacts: ${figures.perSecond.toLocaleString('en-US')} contacts/s ` +
        `in ${figures.seconds} s (${Math.round(figures.toBaseline * 100)} % of the bare JetStream baseline, ` +
        `${figures.baselinePerSecond.toLocaleString('en-US')} msg/s); campaign-actions ${figures.campaignActionsCpuMicrosPerContact} µs CPU ` +
        `per contact, peak RSS ${figures.campaignActionsPeakRssMb} MiB`,
    );
    emitResult('shipment', figures);
    await messages.close();
  } finally {
    await child?.kill();
    await fakes.close();
    await nc.close();
    await env.cleanup();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
