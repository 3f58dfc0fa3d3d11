import type { CampaignActor } from '@switchboard/contracts';
import type { Principal } from '../auth';

/**
 * Who acts on a campaign, as campaign-actions records it. Users and API clients have separate id
 * spaces, hence the kind in the id (the four-eyes rule compares ids).
 */
export function actorOf(principal: Principal): CampaignActor {
  return { id: `${principal.kind}:${principal.id}`, name: principal.name, role: principal.role };
}
