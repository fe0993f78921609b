export { SoftCard } from './soft-card';
export { VPCD_DEFAULT_PORT } from './vpcd-client';
export { DemoInProcessReader, InProcessCardTransport } from './in-process';
export { loadCardFile, saveCardFile } from './store';
export { CardFile, CARD_FILE_FORMAT } from './card-file';
export { openCardFile } from './open-card-file';
export { insertCard, insertCardFile, type CardCommand, type InsertedCard, type InsertCardOptions } from './worker-card';
