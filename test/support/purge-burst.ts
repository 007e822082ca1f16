/**
 * A burst of one-URL purges from a few concurrent clients, until stopped: what a CI job that
 * purges a deploy sends. Records what the server answered, and any request it never answered.
 */
import type { HttpResponse, SignedClient } from './signed-client.js';

export interface PurgeBurst {
  /** Operation ids of the purges answered 202. */
  readonly accepted: string[];
  /** Every other answer. */
  readonly refused: HttpResponse[];
  /** Requests that got no answer (the connection failed); a loop stops at its first. */
  readonly failures: Error[];
  /** Stops sending and resolves once every request sent has settled. */
  stop(): Promise<void>;
}

export function startPurgeBurst(client: SignedClient, endpointId: string, domain: string, concurrency: number): PurgeBurst {
  const burst = { accepted: [] as string[], refused: [] as HttpResponse[], failures: [] as Error[] };
  let sent = 0;
  let running = true;
  const loops = Array.from({ length: concurrency }, async () => {
    while (running) {
      try {
        const response = await client.sub('POST', `/endpoints/${endpointId}/purges`, { Files: [`http://${domain}/${sent++}.png`] });
        if (response.status === 202) burst.accepted.push(response.body.AsyncInfo.TaskTrackId);
        else burst.refused.push(response);
      } catch (error) {
        burst.failures.push(error as Error);
        return;
      }
    }
  });
  return {
    ...burst,
    async stop() {
      running = false;
      await Promise.all(loops);
    },
  };
}
