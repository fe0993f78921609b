import type { EventName, EventPayload } from '#contract';

type Listener = (name: EventName, payload: EventPayload<EventName>) => void;

/** The workstation's outgoing events; hosts forward them to the renderer. */
export class EventHub {
  private readonly listeners = new Set<Listener>();
  on(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  emit<E extends EventName>(name: E, payload: EventPayload<E>): void {
    for (const l of this.listeners) l(name, payload);
  }
}
