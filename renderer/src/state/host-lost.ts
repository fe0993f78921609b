import { onHostLost, type HostLost } from '../bridge';

export type { HostLost };

/** Tells `listener` when the browser host's page cannot reach its host any more (null while it can); returns the unsubscribe. */
export const watchHostLost = (listener: (why: HostLost | null) => void): (() => void) => onHostLost(listener);
