import { serverRoutes, type Unit } from '#contract';
import type { ServerClient } from '../server-client';
import type { SessionService } from '../session/session-service';

/** The units the logged-in user may see. Asks the server each time; the store issue caches it. */
export class UnitsService {
  constructor(
    private readonly server: ServerClient,
    private readonly session: SessionService,
  ) {}

  async list(): Promise<Unit[]> {
    const token = this.session.requireToken();
    return (await this.server.call(serverRoutes.units, { token })).units;
  }
}
