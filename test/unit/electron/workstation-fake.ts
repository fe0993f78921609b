import { vi } from 'vitest';
import type { EventName, EventPayload, Result } from '#contract';
import type { ExportSink } from '../../../main/exports/export-sink';
import type { Workstation } from '../../../main/workstation';

type Listener = (name: EventName, payload: EventPayload<EventName>) => void;

/** A Workstation whose dispatch echoes the call, recording it; `emit` pushes an event. */
export function fakeWorkstation() {
  const listeners = new Set<Listener>();
  const dispatch = vi.fn(async (method: string, input: unknown): Promise<Result<unknown>> => ({ ok: true, value: { method, input } }));
  const close = vi.fn(async () => undefined);
  const exportSinks: ExportSink[] = [];
  const workstation: Workstation = {
    dispatch,
    onEvent(listener) {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
    close,
    useExportSink(sink) {
      exportSinks.push(sink);
    },
  };
  return {
    workstation,
    /** The export sinks the shell handed over (its save and print dialogs). */
    exportSinks,
    dispatch,
    close,
    emit: <E extends EventName>(name: E, payload: EventPayload<E>) => listeners.forEach((l) => l(name, payload)),
  };
}
