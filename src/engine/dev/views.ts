/** The dev view of each service (state, image, health, last build, last tests), sent as events. */
import type { DevServiceView, EventBus } from '../events.js';

export class ServiceViews {
  readonly #views = new Map<string, DevServiceView>();

  constructor(private readonly bus: EventBus) {}

  /** Changes a service's view and tells the UI. */
  set(service: string, patch: Partial<DevServiceView>): void {
    const view: DevServiceView = { service, image: '', state: 'starting', health: 'none', ...this.#views.get(service), ...patch };
    this.#views.set(service, view);
    this.bus.emit('dev:service', view);
  }

  get(service: string): DevServiceView | undefined {
    return this.#views.get(service);
  }
}
