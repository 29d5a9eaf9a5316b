import type { Socket } from 'node:net';
import type { AppConfig } from '@app/config';
import { MessageLifecycle } from './message-lifecycle';
import { SandboxState } from './sandbox-state';
import { TaskScheduler } from './task-scheduler';
import { WebhookDispatcher } from './webhook-dispatcher';

/** The sandbox's moving parts, wired once: state, one timer heap, the webhook sender, the lifecycle. */
export class SandboxRuntime {
  readonly state: SandboxState;
  readonly scheduler = new TaskScheduler();
  readonly webhooks: WebhookDispatcher;
  readonly lifecycle: MessageLifecycle;
  private readonly sweeper: NodeJS.Timeout;
  /** Connections of sends that are never answered (wire `timeout`): closed when the sandbox stops. */
  private readonly held = new Set<Socket>();
  /** Set as the server starts closing: sends then go to Fastify, which answers them 503. */
  closing = false;

  constructor(config: AppConfig) {
    this.state = new SandboxState(config);
    this.webhooks = new WebhookDispatcher(
      () => this.state.settings,
      config.webhook.appSecret,
      this.scheduler,
      () => this.state.random,
    );
    this.lifecycle = new MessageLifecycle(this.state, this.scheduler, this.webhooks);
    // Full pair-rate buckets are forgotten, so memory follows the send rate, not the audience.
    this.sweeper = setInterval(() => this.state.pairRate.sweep(this.state.clock.nowMs()), 5000);
    this.sweeper.unref();
  }

  reset(): void {
    this.scheduler.clear();
    this.webhooks.reset();
    this.state.reset();
  }

  /** Keeps a connection whose answer never comes until its client gives up (or the sandbox stops). */
  hold(socket: Socket): void {
    this.held.add(socket);
    socket.once('close', () => this.held.delete(socket));
  }

  /**
   * Before the server closes: no more sends are taken on the fast path, and connections waiting
   * for an answer that never comes (they would hold the close open) are closed.
   */
  releaseHeld(): void {
    this.closing = true;
    for (const socket of this.held) {
      socket.destroy();
    }
  }

  async close(): Promise<void> {
    this.releaseHeld();
    clearInterval(this.sweeper);
    this.scheduler.clear();
    await this.webhooks.close();
  }
}
