/**
 * Watches the fleet's NATS subjects from outside, to say where a purge's time goes: when its
 * change appeared on the log subject (published by a worker) and when each edge acknowledged it.
 * Times are wall-clock milliseconds with sub-millisecond precision (comparable with the
 * operation's Start and End, which the API gives to the millisecond).
 */
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { allEdges, decodeAck, LOG_SUBJECT } from '../../src/fleet/nats/protocol.js';

export const wallNow = (): number => performance.timeOrigin + performance.now();

export class FleetTrace {
  /** Log messages seen since the last reset(), in order. */
  published: number[] = [];
  /** Acks seen since the last reset(). */
  acks: { edge: string; seq: number; at: number }[] = [];

  private constructor(private readonly nc: NatsConnection) {
    nc.subscribe(LOG_SUBJECT, { callback: () => void this.published.push(wallNow()) });
    nc.subscribe(allEdges('ack'), {
      callback: (error, msg) => {
        const ack = error ? undefined : decodeAck(msg.data);
        if (ack) this.acks.push({ edge: msg.subject.split('.')[2]!, seq: ack.seq, at: wallNow() });
      },
    });
  }

  static async start(natsUrl: string): Promise<FleetTrace> {
    const nc = await connect({ servers: natsUrl, name: 'mooncdn-bench-trace' });
    const trace = new FleetTrace(nc);
    await nc.flush();
    return trace;
  }

  reset(): void {
    this.published = [];
    this.acks = [];
  }

  async close(): Promise<void> {
    await this.nc.close();
  }
}
