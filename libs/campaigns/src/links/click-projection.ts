import { Injectable } from '@nestjs/common';
import { LinkClicksRepository } from './link-clicks.repository';

/**
 * On the worker's tick: the first clicks that redirects recorded become their messages'
 * `clicked_at`, until none is left (batches of 5,000). Safe on any number of workers (SKIP LOCKED).
 */
@Injectable()
export class ClickProjection {
  constructor(private readonly clicks: LinkClicksRepository) {}

  async run(): Promise<number> {
    let total = 0;
    for (;;) {
      const n = await this.clicks.projectFirstClicks();
      total += n;
      if (n < 5000) {
        return total;
      }
    }
  }
}
