/**
 * Imported first by each worker thread's entry (the store's, the pull's), before any module that
 * takes time to load: the thread drops below the main thread's priority before it spends its
 * start-up CPU, not after (thread-priority.ts).
 */
import { lowerThisThreadsPriority } from './thread-priority';

lowerThisThreadsPriority();
